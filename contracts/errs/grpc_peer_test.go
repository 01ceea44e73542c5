package errs_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/footingdev/footing/contracts/errs"
	aiv1 "github.com/footingdev/footing/contracts/gen/go/footing/ai/v1"
	"github.com/footingdev/footing/contracts/gen/go/footing/ai/v1/aiv1connect"
	commonv1 "github.com/footingdev/footing/contracts/gen/go/footing/common/v1"
	"github.com/footingdev/footing/contracts/internal/connecttest"
)

// A peerAnswer is one error a downstream service answers with, the same for a gRPC
// peer (grpc-go, a google.rpc.Status) and for a Connect peer (a *connect.Error).
type peerAnswer struct {
	code    connect.Code
	message string
	details []*anypb.Any
}

// wrappingWords are the words a handler wraps a peer's error in: they name a tenant
// and a key, and must never reach the caller.
const wrappingWords = "charging tenant t-1 with key sk-live-4242"

func mustAny(m proto.Message) *anypb.Any {
	a, err := anypb.New(m)
	if err != nil {
		panic(err)
	}
	return a
}

// googleDebugInfo and googleRequestInfo are the google.rpc details a (non-footing)
// peer keeps for its own developers, encoded by hand: this module does not link
// their Go types.
func googleDebugInfo() *anypb.Any {
	var b []byte
	b = protowire.AppendTag(b, 1, protowire.BytesType) // stack_entries
	b = protowire.AppendString(b, peerStack)
	b = protowire.AppendTag(b, 2, protowire.BytesType) // detail
	b = protowire.AppendString(b, secretCause)
	return &anypb.Any{TypeUrl: "type.googleapis.com/google.rpc.DebugInfo", Value: b}
}

func googleRequestInfo() *anypb.Any {
	var b []byte
	b = protowire.AppendTag(b, 1, protowire.BytesType) // request_id
	b = protowire.AppendString(b, "billing-req-9")
	b = protowire.AppendTag(b, 2, protowire.BytesType) // serving_data
	b = protowire.AppendString(b, peerServing)
	return &anypb.Any{TypeUrl: "type.googleapis.com/google.rpc.RequestInfo", Value: b}
}

// peerAnswers are the errors both kinds of peer answer, by the request's model.
var peerAnswers = map[string]peerAnswer{
	"not-found": {connect.CodeNotFound, "no such ADR", []*anypb.Any{
		mustAny(&commonv1.ErrorInfo{Reason: "ADR_NOT_FOUND", Domain: "adr.footing.dev", Metadata: map[string]string{"id": "a1"}}),
		googleDebugInfo(),
	}},
	"exhausted": {connect.CodeResourceExhausted, "the quota is used up", []*anypb.Any{
		mustAny(&commonv1.ErrorInfo{Reason: "QUOTA_EXCEEDED", Domain: "ai.footing.dev"}),
		mustAny(&commonv1.RetryInfo{RetryDelay: durationpb.New(3 * time.Second)}),
		// The peer's own request id, footing's and google.rpc's: neither is this request's.
		mustAny(&commonv1.RequestInfo{RequestId: "down-req-1"}),
		googleRequestInfo(),
	}},
	"invalid": {connect.CodeInvalidArgument, "the request is invalid", []*anypb.Any{
		mustAny(&commonv1.BadRequest{FieldViolations: []*commonv1.BadRequest_FieldViolation{{Field: "chat.model", Description: "unknown model", Reason: "string.in"}}}),
		// A detail of a type no one here knows, which still passes on.
		{TypeUrl: "type.googleapis.com/acme.billing.v1.Invoice", Value: []byte{0x0a, 0x02, 'i', '1'}},
	}},
	"unavailable-with-reason": {connect.CodeUnavailable, "the store is unavailable", []*anypb.Any{
		mustAny(&commonv1.ErrorInfo{Reason: "STORE_UNAVAILABLE"}),
		mustAny(&commonv1.RetryInfo{RetryDelay: durationpb.New(time.Second)}),
	}},
	"internal": {connect.CodeInternal, secretCause, []*anypb.Any{googleDebugInfo()}},
	"unknown":  {connect.CodeUnknown, secretCause, nil},
	"data-loss": {connect.CodeDataLoss, secretCause, []*anypb.Any{
		mustAny(&commonv1.ErrorInfo{Reason: "ROW_LOST"}),
	}},
}

func (a peerAnswer) grpcError() error {
	p := status.New(codes.Code(a.code), a.message).Proto()
	p.Details = a.details
	return status.FromProto(p).Err()
}

func (a peerAnswer) connectError() error {
	err := connect.NewError(a.code, errors.New(a.message))
	for _, detail := range a.details {
		d, derr := connect.NewErrorDetail(detail)
		if derr != nil {
			panic(derr)
		}
		err.AddDetail(d)
	}
	return err
}

// serveGRPCPeer serves, with grpc-go on a loopback listener, an AIGatewayService
// whose Complete answers peerAnswers[model], and returns a grpc-go client of it.
func serveGRPCPeer(t *testing.T) *grpc.ClientConn {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := grpc.NewServer()
	srv.RegisterService(&grpc.ServiceDesc{
		ServiceName: aiv1connect.AIGatewayServiceName,
		HandlerType: (*any)(nil),
		Methods: []grpc.MethodDesc{{
			MethodName: "Complete",
			Handler: func(_ any, _ context.Context, dec func(any) error, _ grpc.UnaryServerInterceptor) (any, error) {
				var req aiv1.CompleteRequest
				if err := dec(&req); err != nil {
					return nil, err
				}
				return nil, peerAnswers[req.GetChat().GetModel()].grpcError()
			},
		}},
	}, struct{}{})
	go func() { _ = srv.Serve(lis) }()
	t.Cleanup(srv.Stop)
	return dialGRPC(t, lis.Addr().String())
}

func dialGRPC(t *testing.T, addr string) *grpc.ClientConn {
	t.Helper()
	conn, err := grpc.NewClient("passthrough:///"+addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	return conn
}

type connectPeer struct {
	aiv1connect.UnimplementedAIGatewayServiceHandler
}

func (connectPeer) Complete(_ context.Context, req *connect.Request[aiv1.CompleteRequest]) (*connect.Response[aiv1.CompleteResponse], error) {
	return nil, peerAnswers[req.Msg.GetChat().GetModel()].connectError()
}

// callingService is a footing service whose Complete calls a peer and returns the
// peer's error as is or, for a model starting "wrapped/", wrapped in the handler's
// words with %w.
type callingService struct {
	aiv1connect.UnimplementedAIGatewayServiceHandler
	call func(ctx context.Context, req *aiv1.CompleteRequest) error
}

func (s callingService) Complete(ctx context.Context, req *connect.Request[aiv1.CompleteRequest]) (*connect.Response[aiv1.CompleteResponse], error) {
	down := proto.CloneOf(req.Msg)
	model, wrapped := strings.CutPrefix(down.GetChat().GetModel(), "wrapped/")
	if down.GetChat() != nil {
		down.Chat.Model = model
	}
	err := s.call(ctx, down)
	if err != nil && wrapped {
		return nil, fmt.Errorf("%s: %w", wrappingWords, err)
	}
	return nil, err
}

func viaGRPC(conn *grpc.ClientConn) func(context.Context, *aiv1.CompleteRequest) error {
	return func(ctx context.Context, req *aiv1.CompleteRequest) error {
		return conn.Invoke(ctx, aiv1connect.AIGatewayServiceCompleteProcedure, req, &aiv1.CompleteResponse{})
	}
}

func viaConnect(client aiv1connect.AIGatewayServiceClient) func(context.Context, *aiv1.CompleteRequest) error {
	return func(ctx context.Context, req *aiv1.CompleteRequest) error {
		_, err := client.Complete(ctx, connect.NewRequest(req))
		return err
	}
}

// serveCalling serves a callingService behind the errs interceptor (first) and
// returns its URL, an HTTP client for it, and the internal errors its hook is told.
func serveCalling(t *testing.T, call func(context.Context, *aiv1.CompleteRequest) error) (string, *http.Client, chan *errs.InternalError) {
	t.Helper()
	hooked := make(chan *errs.InternalError, 64)
	var withRequestID requestIDInterceptor
	path, handler := aiv1connect.NewAIGatewayServiceHandler(callingService{call: call},
		connect.WithInterceptors(withRequestID, errs.NewInterceptor(errs.WithInternalErrorHook(
			func(_ context.Context, _ string, e *errs.InternalError) { hooked <- e }))))
	url, httpClient := connecttest.Serve(t, path, handler)
	return url, httpClient, hooked
}

// An answer is what a caller learned from one call.
type answer struct {
	details errs.Details
	types   []string // the detail types, in order
	text    string   // everything the caller received, to look for leaks
}

func callAnswer(t *testing.T, client aiv1connect.AIGatewayServiceClient, model string) answer {
	t.Helper()
	_, err := client.Complete(context.Background(), connect.NewRequest(&aiv1.CompleteRequest{Chat: &aiv1.ChatRequest{Model: model}}))
	var cerr *connect.Error
	if !errors.As(err, &cerr) {
		t.Fatalf("%s: %v", model, err)
	}
	a := answer{details: errs.From(err), text: err.Error()}
	for _, d := range cerr.Details() {
		a.types = append(a.types, d.Type())
		a.text += "\n" + d.Type() + "\n" + string(d.Bytes())
	}
	return a
}

// leaks are the texts of the peer, and of the handler's wrapping, that must never
// reach the caller.
var leaks = []string{"hunter2", "store.go", "pgbouncer", "billing-req", "down-req", "sk-live", "tenant t-1", "127.0.0.1", "dial tcp"}

// TestGRPCPeerErrorsAreConnectPeerErrors: a handler that returns the error of a
// grpc-go client — a google.rpc.Status from a real gRPC server — is answered exactly
// as if the same answer had come from a Connect peer (checked side by side, on
// every protocol, bare and wrapped with %w): code, message and footing's details
// kept; the peer's DebugInfo and RequestInfo (google.rpc's and footing's) dropped,
// this request's id added; Unknown, Internal and DataLoss hidden behind an error id
// the hook is told of. The old code answered every one of them Internal.
func TestGRPCPeerErrorsAreConnectPeerErrors(t *testing.T) {
	t.Parallel()
	grpcURL, grpcHTTP, grpcHooked := serveCalling(t, viaGRPC(serveGRPCPeer(t)))
	downPath, downHandler := aiv1connect.NewAIGatewayServiceHandler(connectPeer{})
	downURL, downHTTP := connecttest.Serve(t, downPath, downHandler)
	connectURL, connectHTTP, connectHooked := serveCalling(t,
		viaConnect(aiv1connect.NewAIGatewayServiceClient(downHTTP, downURL, connect.WithGRPC())))

	want := map[string]struct {
		code    connect.Code
		reason  string
		message string
		types   []string
	}{
		"not-found":               {connect.CodeNotFound, "ADR_NOT_FOUND", "no such ADR", []string{"footing.common.v1.ErrorInfo", "footing.common.v1.RequestInfo"}},
		"exhausted":               {connect.CodeResourceExhausted, "QUOTA_EXCEEDED", "the quota is used up", []string{"footing.common.v1.ErrorInfo", "footing.common.v1.RetryInfo", "footing.common.v1.RequestInfo"}},
		"invalid":                 {connect.CodeInvalidArgument, "", "the request is invalid", []string{"footing.common.v1.BadRequest", "acme.billing.v1.Invoice", "footing.common.v1.RequestInfo"}},
		"unavailable-with-reason": {connect.CodeUnavailable, "STORE_UNAVAILABLE", "the store is unavailable", []string{"footing.common.v1.ErrorInfo", "footing.common.v1.RetryInfo", "footing.common.v1.RequestInfo"}},
		"internal":                {connect.CodeInternal, "INTERNAL", "", []string{"footing.common.v1.ErrorInfo", "footing.common.v1.RequestInfo"}},
		"unknown":                 {connect.CodeInternal, "INTERNAL", "", []string{"footing.common.v1.ErrorInfo", "footing.common.v1.RequestInfo"}},
		"data-loss":               {connect.CodeInternal, "INTERNAL", "", []string{"footing.common.v1.ErrorInfo", "footing.common.v1.RequestInfo"}},
	}
	for _, p := range connecttest.Protocols() {
		grpcClient := aiv1connect.NewAIGatewayServiceClient(grpcHTTP, grpcURL, p.Option)
		connectClient := aiv1connect.NewAIGatewayServiceClient(connectHTTP, connectURL, p.Option)
		for model, w := range want {
			for _, m := range []string{model, "wrapped/" + model} {
				where := p.Name + "/" + m
				got := callAnswer(t, grpcClient, m)
				peer := callAnswer(t, connectClient, m)
				d := got.details
				if d.Code != w.code || d.Reason != w.reason || !slices.Equal(got.types, w.types) || d.RequestID != "req-7" {
					t.Errorf("%s: from the gRPC peer: %+v, detail types %q", where, d, got.types)
				}
				if w.code == connect.CodeInternal {
					w.message = errs.InternalMessage + " (error id " + d.ErrorID + ")"
					if len(d.ErrorID) != 16 {
						t.Errorf("%s: error id %q", where, d.ErrorID)
					}
					for name, hooked := range map[string]chan *errs.InternalError{"gRPC": grpcHooked, "Connect": connectHooked} {
						if e := <-hooked; !strings.Contains(fmt.Sprint(e.Cause), "hunter2") {
							t.Errorf("%s: the hook was told of the %s peer's %v", where, name, e.Cause)
						}
					}
					peer.details.ErrorID, d.ErrorID = "", ""
					peer.details.Message, d.Message = "", ""
				}
				if d.Message != w.message && w.code != connect.CodeInternal {
					t.Errorf("%s: message %q, want %q", where, d.Message, w.message)
				}
				if g, c := fmt.Sprintf("%+v %q", d, got.types), fmt.Sprintf("%+v %q", peer.details, peer.types); g != c {
					t.Errorf("%s: the gRPC peer's error was answered\n%s\nthe Connect peer's\n%s", where, g, c)
				}
				for _, leak := range leaks {
					if strings.Contains(got.text, leak) {
						t.Errorf("%s: the caller got %q from the gRPC peer's error: %s", where, leak, got.text)
					}
				}
			}
		}
	}
	select {
	case e := <-grpcHooked:
		t.Errorf("the hook was told of an error that was not answered Internal: %v", e.Cause)
	default:
	}
}

// failingCredentials are per-RPC credentials whose token fetch fails with an error
// naming the identity provider, as an OAuth token source's does.
type failingCredentials struct{}

func (failingCredentials) GetRequestMetadata(context.Context, ...string) (map[string]string, error) {
	return nil, errors.New(`oauth2: cannot fetch token: Post "https://idp.corp.internal/token": 401 client_secret=s3cr3t`)
}

func (failingCredentials) RequireTransportSecurity() bool { return false }

// TestGRPCClientFailuresDoNotRevealThePeer: what a grpc-go client makes up itself —
// a dial error naming the peer's address (Unavailable, or DeadlineExceeded when the
// call waited for a connection), a credential's failure (Unauthenticated) — keeps
// its code but not its text, as a Connect client's network failure does
// (UPSTREAM_FAILED, the same answer side by side with a Connect client of a dead
// peer); the hook is told of nothing, as no answer is Internal.
func TestGRPCClientFailuresDoNotRevealThePeer(t *testing.T) {
	t.Parallel()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	deadAddr := lis.Addr().String()
	_ = lis.Close() // Nothing listens there any more: every dial is refused.
	dead := dialGRPC(t, deadAddr)
	live := serveGRPCPeer(t)
	noCreds, err := grpc.NewClient("passthrough:///"+live.Target()[len("passthrough:///"):],
		grpc.WithTransportCredentials(insecure.NewCredentials()), grpc.WithPerRPCCredentials(failingCredentials{}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = noCreds.Close() })
	_, downHTTP := connecttest.Serve(t, "/", http.NotFoundHandler())
	deadConnect := aiv1connect.NewAIGatewayServiceClient(downHTTP, "http://"+deadAddr, connect.WithGRPC())
	connectURL, connectHTTP, _ := serveCalling(t, viaConnect(deadConnect))

	for _, tc := range []struct {
		name    string
		call    func(context.Context, *aiv1.CompleteRequest) error
		code    connect.Code
		reason  string
		message string
	}{
		{"dead", viaGRPC(dead), connect.CodeUnavailable, errs.ReasonUpstreamFailed, "a service this call depends on failed"},
		{"dead, waiting for it", func(ctx context.Context, req *aiv1.CompleteRequest) error {
			ctx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
			defer cancel()
			return dead.Invoke(ctx, aiv1connect.AIGatewayServiceCompleteProcedure, req, &aiv1.CompleteResponse{}, grpc.WaitForReady(true))
		}, connect.CodeDeadlineExceeded, "", "context deadline exceeded"},
		{"credentials", viaGRPC(noCreds), connect.CodeUnauthenticated, errs.ReasonUpstreamFailed, "a service this call depends on failed"},
	} {
		url, httpClient, hooked := serveCalling(t, tc.call)
		for _, p := range connecttest.Protocols() {
			client := aiv1connect.NewAIGatewayServiceClient(httpClient, url, p.Option)
			for _, m := range []string{"not-found", "wrapped/not-found"} {
				where := tc.name + "/" + p.Name + "/" + m
				got := callAnswer(t, client, m)
				if d := got.details; d.Code != tc.code || d.Reason != tc.reason || d.Message != tc.message || d.RequestID != "req-7" {
					t.Errorf("%s: %+v", where, d)
				}
				for _, leak := range append(leaks, "idp.corp", "s3cr3t", "oauth2", "connection refused", "balancer") {
					if strings.Contains(got.text, leak) {
						t.Errorf("%s: the caller got %q: %s", where, leak, got.text)
					}
				}
				if tc.name == "dead" {
					connectClient := aiv1connect.NewAIGatewayServiceClient(connectHTTP, connectURL, p.Option)
					peer := callAnswer(t, connectClient, m)
					if g, c := fmt.Sprintf("%+v %q", got.details, got.types), fmt.Sprintf("%+v %q", peer.details, peer.types); g != c {
						t.Errorf("%s: the gRPC client's failure was answered\n%s\nthe Connect client's\n%s", where, g, c)
					}
				}
			}
		}
		select {
		case e := <-hooked:
			t.Errorf("%s: the hook was told of %v", tc.name, e.Cause)
		default:
		}
	}
}

// TestGRPCStatusOK: a non-nil error whose gRPC status is OK — or nil, or a code no
// one defined — is a bug of whoever made it: it is no answer of a peer, and is
// answered as any error without a code is, Internal with an error id, its text
// (here naming a secret) staying on the server with the hook. So is a nil grpc-go
// status error returned as a non-nil error, whose methods panic.
func TestGRPCStatusOK(t *testing.T) {
	t.Parallel()
	for name, handlerErr := range map[string]error{
		"ok":           okStatusError{status.New(codes.OK, "fine")},
		"ok, wrapped":  fmt.Errorf("%s: %w", wrappingWords, okStatusError{status.New(codes.OK, "fine")}),
		"nil status":   okStatusError{},
		"out of range": okStatusError{status.New(codes.Code(42), "forty-two (secret=hunter2)")},
		"typed nil":    nilGRPCStatusError(),
	} {
		hooked := make(chan *errs.InternalError, 8)
		var withRequestID requestIDInterceptor
		path, handler := aiv1connect.NewAIGatewayServiceHandler(fixedErrorService{err: handlerErr},
			connect.WithInterceptors(withRequestID, errs.NewInterceptor(errs.WithInternalErrorHook(
				func(_ context.Context, _ string, e *errs.InternalError) { hooked <- e }))))
		url, httpClient := connecttest.Serve(t, path, handler)
		for _, p := range connecttest.Protocols() {
			client := aiv1connect.NewAIGatewayServiceClient(httpClient, url, p.Option)
			got := callAnswer(t, client, "")
			d := got.details
			if d.Code != connect.CodeInternal || len(d.ErrorID) != 16 || d.Message != errs.InternalMessage+" (error id "+d.ErrorID+")" || d.RequestID != "req-7" {
				t.Errorf("%s over %s: %+v", name, p.Name, d)
			}
			for _, leak := range leaks {
				if strings.Contains(got.text, leak) {
					t.Errorf("%s over %s: the caller got %q: %s", name, p.Name, leak, got.text)
				}
			}
			if e := <-hooked; e.ID != d.ErrorID || e.Cause == nil {
				t.Errorf("%s over %s: the hook was told of %+v", name, p.Name, e)
			}
		}
	}
}

var requestInfoValue = regexp.MustCompile(`("type":"footing\.common\.v1\.RequestInfo","value":")[^"]*`)

// TestGRPCStatusOverPlainHTTP: a plain HTTP handler's error, normalized and written
// as gatewaycore/httperr does (Normalize, then connect-go's ErrorWriter), gets the
// same HTTP status and JSON body for a gRPC peer's error as for the same answer from
// a Connect peer, the status HTTPStatus gives for its code.
func TestGRPCStatusOverPlainHTTP(t *testing.T) {
	t.Parallel()
	ew := connect.NewErrorWriter()
	ctx := withRequestIDValue(context.Background(), "req-7")
	write := func(err error) (int, string) {
		out := errs.Normalize(ctx, err, nil)
		id := errs.From(out).ErrorID
		req := httptest.NewRequest(http.MethodGet, "/adrs/a1", nil)
		rec := httptest.NewRecorder()
		if werr := ew.Write(rec, req, out); werr != nil {
			t.Fatal(werr)
		}
		body := rec.Body.String()
		if id != "" {
			// A fresh error id each time, in the debug JSON and in the encoded value.
			body = strings.ReplaceAll(body, id, "ERROR-ID")
			body = requestInfoValue.ReplaceAllString(body, "${1}VALUE")
		}
		return rec.Code, body
	}
	for model, a := range peerAnswers {
		wire := connect.NewWireError(a.code, errors.New(a.message))
		for _, detail := range a.details {
			d, derr := connect.NewErrorDetail(detail)
			if derr != nil {
				t.Fatal(derr)
			}
			wire.AddDetail(d)
		}
		for _, wrap := range []bool{false, true} {
			grpcErr, connectErr := a.grpcError(), error(wire)
			if wrap {
				grpcErr, connectErr = fmt.Errorf("%s: %w", wrappingWords, grpcErr), fmt.Errorf("%s: %w", wrappingWords, connectErr)
			}
			gStatus, gBody := write(grpcErr)
			cStatus, cBody := write(connectErr)
			want := errs.HTTPStatus(a.code)
			if a.code == connect.CodeUnknown || a.code == connect.CodeDataLoss {
				want = errs.HTTPStatus(connect.CodeInternal)
			}
			if gStatus != cStatus || gStatus != want || gBody != cBody {
				t.Errorf("%s (wrapped %v): the gRPC peer's error is %d %s\nthe Connect peer's %d %s\nwant status %d", model, wrap, gStatus, gBody, cStatus, cBody, want)
			}
			for _, leak := range leaks {
				if strings.Contains(gBody, leak) {
					t.Errorf("%s (wrapped %v): the body has %q: %s", model, wrap, leak, gBody)
				}
			}
		}
	}
}
