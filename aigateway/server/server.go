package server

import (
	"context"
	"encoding/base64"
	"errors"
	"io"
	"net/http"

	"connectrpc.com/connect"

	"github.com/footingdev/footing/contracts/errs"
	aiv1 "github.com/footingdev/footing/contracts/gen/go/footing/ai/v1"
	"github.com/footingdev/footing/contracts/gen/go/footing/ai/v1/aiv1connect"
	commonv1 "github.com/footingdev/footing/contracts/gen/go/footing/common/v1"

	"github.com/footingdev/footing/aigateway/gateway"
)

// Page sizes of ListModels.
const (
	DefaultPageSize = 100
	MaxPageSize     = 1000
)

// Service implements aiv1connect.AIGatewayServiceHandler over a [gateway.Gateway].
type Service struct {
	gw *gateway.Gateway
}

var _ aiv1connect.AIGatewayServiceHandler = (*Service)(nil)

// New returns the service for gw.
func New(gw *gateway.Gateway) *Service { return &Service{gw: gw} }

// Handler returns the path and handler of the service, with opts (interceptors:
// validation, errors, auth) applied.
//
// Messages under [CompressMinBytes] go uncompressed even to clients that accept
// gzip: connect-go's default compresses every message, and a gzip writer's reset
// costs more CPU than a streamed chunk's whole trip (see gatewaycore's
// BENCHMARKS.md). A request message larger than [MaxRequestBytes] once decompressed
// is refused with ResourceExhausted: the edge's body limit counts compressed bytes, so
// without it a few KiB of gzip inflate to GiBs before the gateway sees the request.
// One of more than [MaxRequestElements] messages, strings or JSON values is
// refused with InvalidArgument before it is decoded (Handler's proto and JSON
// codecs are connect-go's with that check). opts come after and may set
// connect.WithCompressMinBytes, connect.WithReadMaxBytes or connect.WithCodec
// otherwise.
func Handler(gw *gateway.Gateway, opts ...connect.HandlerOption) (string, http.Handler) {
	opts = append(append([]connect.HandlerOption{
		connect.WithCompressMinBytes(CompressMinBytes),
		connect.WithReadMaxBytes(MaxRequestBytes),
	}, codecs()...), opts...)
	return aiv1connect.NewAIGatewayServiceHandler(New(gw), opts...)
}

// MaxRequestBytes bounds a request message after decompression in [Handler]: 32 MiB,
// as the OpenAI-compatible endpoint's body (openaicompat.MaxRequestBytes) and
// Anthropic's request limit.
const MaxRequestBytes = 32 << 20

// CompressMinBytes is the smallest message [Handler] compresses: 1 KiB, as
// gatewaycore/edge.DefaultCompressMinSize.
const CompressMinBytes = 1024

// Chat streams the answer chunk by chunk; the last message carries usage and cost.
// When the caller goes away the upstream request is cancelled and what was used so
// far is accounted.
func (s *Service) Chat(ctx context.Context, req *connect.Request[aiv1.ChatRequest], out *connect.ServerStream[aiv1.ChatResponse]) error {
	st, err := s.gw.Chat(ctx, req.Msg)
	if err != nil {
		return err
	}
	defer func() { _ = st.Close() }()
	msg := &aiv1.ChatResponse{}
	for {
		c, err := st.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		msg.Chunk = c
		if err := out.Send(msg); err != nil {
			return err
		}
	}
}

// Complete returns the whole answer.
func (s *Service) Complete(ctx context.Context, req *connect.Request[aiv1.CompleteRequest]) (*connect.Response[aiv1.CompleteResponse], error) {
	if req.Msg.GetChat() == nil {
		return nil, errs.InvalidArgument("CHAT_REQUIRED", "chat is required", errs.WithFieldViolation("chat", "is required", "REQUIRED"))
	}
	resp, err := s.gw.Complete(ctx, req.Msg.GetChat())
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(resp), nil
}

// Embed returns embeddings.
func (s *Service) Embed(ctx context.Context, req *connect.Request[aiv1.EmbedRequest]) (*connect.Response[aiv1.EmbedResponse], error) {
	resp, err := s.gw.Embed(ctx, req.Msg)
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(resp), nil
}

// ListModels lists the route aliases, sorted by id, a page at a time; the page
// token is the opaque position after the last id of the previous page.
func (s *Service) ListModels(_ context.Context, req *connect.Request[aiv1.ListModelsRequest]) (*connect.Response[aiv1.ListModelsResponse], error) {
	size := int(req.Msg.GetPage().GetPageSize())
	if size <= 0 {
		size = DefaultPageSize
	}
	size = min(size, MaxPageSize)
	after := ""
	if tok := req.Msg.GetPage().GetPageToken(); tok != "" {
		b, err := base64.RawURLEncoding.DecodeString(tok)
		if err != nil {
			return nil, errs.InvalidPageToken("not one this service issued")
		}
		after = string(b)
	}
	resp := &aiv1.ListModelsResponse{Page: &commonv1.PageResponse{}}
	for _, m := range s.gw.Models() {
		if m.GetId() <= after || (req.Msg.GetProvider() != "" && m.GetProvider() != req.Msg.GetProvider()) {
			continue
		}
		if len(resp.Models) == size {
			resp.Page.NextPageToken = base64.RawURLEncoding.EncodeToString([]byte(resp.Models[size-1].GetId()))
			break
		}
		resp.Models = append(resp.Models, m)
	}
	return connect.NewResponse(resp), nil
}
