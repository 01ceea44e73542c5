package auth_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"connectrpc.com/connect"

	aiv1 "github.com/footingdev/footing/contracts/gen/go/footing/ai/v1"
	"github.com/footingdev/footing/contracts/gen/go/footing/ai/v1/aiv1connect"
	commonv1 "github.com/footingdev/footing/contracts/gen/go/footing/common/v1"
	"github.com/footingdev/footing/contracts/identity"
	"github.com/footingdev/footing/gatewaycore/auth"
)

// Procedures of the probe service used for client- and bidi-streaming coverage.
const (
	uploadProcedure = "/footing.test.v1.Probe/Upload"
	echoProcedure   = "/footing.test.v1.Probe/Echo"
	helloPath       = "/api/hello"
)

// subjectHeader and tenantHeader carry the Principal's subject and tenant back to
// the client, proving the handler saw them in its context.
const (
	subjectHeader = "X-Test-Subject"
	tenantHeader  = "X-Test-Tenant"
)

// harnessPolicy covers every transport of the harness with "authenticated".
func harnessPolicy(t *testing.T, extra map[string]auth.Rule) *auth.Policy {
	t.Helper()
	rules := map[string]auth.Rule{
		helloPath: auth.Authenticated(),
		aiv1connect.AIGatewayServiceChatProcedure: auth.Authenticated(),
		"/footing.test.v1.Probe/*":                auth.Authenticated(),
	}
	for k, v := range extra {
		rules[k] = v
	}
	p, err := auth.NewPolicy(rules)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

type aiService struct {
	aiv1connect.UnimplementedAIGatewayServiceHandler
}

func (aiService) Chat(ctx context.Context, _ *connect.Request[aiv1.ChatRequest], stream *connect.ServerStream[aiv1.ChatResponse]) error {
	p, ok := identity.PrincipalFrom(ctx)
	if !ok {
		return errors.New("no principal in handler context")
	}
	stream.ResponseHeader().Set(subjectHeader, p.GetSubject())
	stream.ResponseHeader().Set(tenantHeader, p.GetTenantId())
	return stream.Send(&aiv1.ChatResponse{})
}

// server is a real HTTP/2 (TLS) server exposing one plain HTTP route behind the
// middleware and Connect procedures (AIGatewayService's server-streaming Chat and unary
// Complete, and a probe service's client- and bidi-streaming calls on
// footing.common.v1 messages) behind the interceptor only.
type server struct {
	url    string
	client *http.Client
	ai     aiv1connect.AIGatewayServiceClient
	aiGRPC aiv1connect.AIGatewayServiceClient
	upload *connect.Client[commonv1.PageRequest, commonv1.PageResponse]
	echo   *connect.Client[commonv1.PageRequest, commonv1.PageResponse]
}

func newServer(t *testing.T, a *auth.Authenticator, policy *auth.Policy) *server {
	t.Helper()
	icpt := connect.WithInterceptors(a.Interceptor(policy))
	mux := http.NewServeMux()
	mux.Handle(helloPath, a.Middleware(policy)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, _ := identity.PrincipalFrom(r.Context())
		w.Header().Set(subjectHeader, p.GetSubject())
		w.Header().Set(tenantHeader, p.GetTenantId())
		_, _ = io.WriteString(w, "hello")
	})))
	mux.Handle(aiv1connect.NewAIGatewayServiceHandler(aiService{}, icpt))
	mux.Handle(uploadProcedure, connect.NewClientStreamHandler(uploadProcedure,
		func(ctx context.Context, stream *connect.ClientStream[commonv1.PageRequest]) (*connect.Response[commonv1.PageResponse], error) {
			p, ok := identity.PrincipalFrom(ctx)
			if !ok {
				return nil, errors.New("no principal in handler context")
			}
			for stream.Receive() {
			}
			if err := stream.Err(); err != nil {
				return nil, err
			}
			res := connect.NewResponse(&commonv1.PageResponse{NextPageToken: "next"})
			res.Header().Set(subjectHeader, p.GetSubject())
			res.Header().Set(tenantHeader, p.GetTenantId())
			return res, nil
		}, icpt))
	mux.Handle(echoProcedure, connect.NewBidiStreamHandler(echoProcedure,
		func(ctx context.Context, stream *connect.BidiStream[commonv1.PageRequest, commonv1.PageResponse]) error {
			p, ok := identity.PrincipalFrom(ctx)
			if !ok {
				return errors.New("no principal in handler context")
			}
			stream.ResponseHeader().Set(subjectHeader, p.GetSubject())
			stream.ResponseHeader().Set(tenantHeader, p.GetTenantId())
			for {
				if _, err := stream.Receive(); errors.Is(err, io.EOF) {
					return nil
				} else if err != nil {
					return err
				}
				if err := stream.Send(&commonv1.PageResponse{NextPageToken: "next"}); err != nil {
					return err
				}
			}
		}, icpt))
	srv := httptest.NewUnstartedServer(mux)
	srv.EnableHTTP2 = true
	srv.StartTLS()
	t.Cleanup(srv.Close)
	c := srv.Client()
	return &server{
		url:    srv.URL,
		client: c,
		ai:     aiv1connect.NewAIGatewayServiceClient(c, srv.URL),
		aiGRPC: aiv1connect.NewAIGatewayServiceClient(c, srv.URL, connect.WithGRPC()),
		upload: connect.NewClient[commonv1.PageRequest, commonv1.PageResponse](c, srv.URL+uploadProcedure, connect.WithGRPCWeb()),
		echo:   connect.NewClient[commonv1.PageRequest, commonv1.PageResponse](c, srv.URL+echoProcedure),
	}
}

// transports names every way the harness calls the server.
var transports = []string{"http", "server-stream", "server-stream-grpc", "client-stream-grpcweb", "bidi-stream"}

// result is what one call saw: its error (nil on success) and the subject and tenant
// the handler reported.
type result struct {
	err     error
	subject string
	tenant  string
}

// call makes one call over transport with header set on the request.
func (s *server) call(ctx context.Context, transport string, header http.Header) result {
	set := func(h http.Header) {
		for k, vs := range header {
			for _, v := range vs {
				h.Add(k, v)
			}
		}
	}
	switch transport {
	case "http":
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.url+helloPath, nil)
		if err != nil {
			return result{err: err}
		}
		set(req.Header)
		resp, err := s.client.Do(req)
		if err != nil {
			return result{err: err}
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode == http.StatusOK {
			return result{subject: resp.Header.Get(subjectHeader), tenant: resp.Header.Get(tenantHeader)}
		}
		var wire struct{ Code, Message string }
		if err := json.Unmarshal(body, &wire); err != nil {
			return result{err: fmt.Errorf("status %d, body %q", resp.StatusCode, body)}
		}
		var code connect.Code
		if err := code.UnmarshalText([]byte(wire.Code)); err != nil {
			return result{err: err}
		}
		return result{err: connect.NewError(code, errors.New(wire.Message))}
	case "server-stream":
		req := connect.NewRequest(&aiv1.ChatRequest{Model: "m"})
		set(req.Header())
		stream, err := s.ai.Chat(ctx, req)
		if err != nil {
			return result{err: err}
		}
		defer stream.Close()
		for stream.Receive() {
		}
		return result{err: stream.Err(), subject: stream.ResponseHeader().Get(subjectHeader), tenant: stream.ResponseHeader().Get(tenantHeader)}
	case "server-stream-grpc":
		req := connect.NewRequest(&aiv1.ChatRequest{Model: "m"})
		set(req.Header())
		stream, err := s.aiGRPC.Chat(ctx, req)
		if err != nil {
			return result{err: err}
		}
		defer stream.Close()
		for stream.Receive() {
		}
		return result{err: stream.Err(), subject: stream.ResponseHeader().Get(subjectHeader), tenant: stream.ResponseHeader().Get(tenantHeader)}
	case "client-stream-grpcweb":
		stream := s.upload.CallClientStream(ctx)
		set(stream.RequestHeader())
		for range 3 {
			if err := stream.Send(&commonv1.PageRequest{PageSize: 1}); err != nil {
				break
			}
		}
		res, err := stream.CloseAndReceive()
		if err != nil {
			return result{err: err}
		}
		return result{subject: res.Header().Get(subjectHeader), tenant: res.Header().Get(tenantHeader)}
	case "bidi-stream":
		stream := s.echo.CallBidiStream(ctx)
		set(stream.RequestHeader())
		sendErr := stream.Send(&commonv1.PageRequest{PageSize: 1})
		_ = stream.CloseRequest()
		var recvErr error
		for {
			if _, err := stream.Receive(); err != nil {
				if !errors.Is(err, io.EOF) {
					recvErr = err
				}
				break
			}
		}
		_ = stream.CloseResponse()
		if recvErr == nil && sendErr != nil && !errors.Is(sendErr, io.EOF) {
			recvErr = sendErr
		}
		return result{err: recvErr, subject: stream.ResponseHeader().Get(subjectHeader), tenant: stream.ResponseHeader().Get(tenantHeader)}
	}
	panic("unknown transport " + transport)
}

func bearer(token string) http.Header {
	return http.Header{"Authorization": {"Bearer " + token}}
}
