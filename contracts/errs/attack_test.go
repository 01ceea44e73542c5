package errs_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net"
	"os"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/footingdev/footing/contracts/errs"
	aiv1 "github.com/footingdev/footing/contracts/gen/go/footing/ai/v1"
	"github.com/footingdev/footing/contracts/gen/go/footing/ai/v1/aiv1connect"
	commonv1 "github.com/footingdev/footing/contracts/gen/go/footing/common/v1"
	"github.com/footingdev/footing/contracts/internal/connecttest"
)

// peerError is an error as a footing client receives it from a remote peer, with the
// given details.
func peerError(code connect.Code, msg string, details ...proto.Message) *connect.Error {
	err := connect.NewWireError(code, errors.New(msg))
	for _, m := range details {
		d, derr := connect.NewErrorDetail(m)
		if derr != nil {
			panic(derr)
		}
		err.AddDetail(d)
	}
	return err
}

// TestFromBoundsAPeersRetryInfo: a peer's RetryInfo cannot make a client sleep for
// centuries, spin on a negative delay, or pass an invalid duration as a delay.
func TestFromBoundsAPeersRetryInfo(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		delay *durationpb.Duration
		want  time.Duration
		has   bool
	}{
		{"ordinary", durationpb.New(3 * time.Second), 3 * time.Second, true},
		{"absent delay", nil, 0, true},
		{"negative", &durationpb.Duration{Seconds: -5}, 0, true},
		{"most negative", &durationpb.Duration{Seconds: -315576000000}, 0, true},
		{"years", &durationpb.Duration{Seconds: 10 * 365 * 24 * 3600}, errs.MaxRetryAfter, true},
		{"past int64 nanoseconds", &durationpb.Duration{Seconds: 315576000000, Nanos: 999999999}, errs.MaxRetryAfter, true},
		{"out of proto range", &durationpb.Duration{Seconds: math.MaxInt64}, 0, false},
		{"nanos out of range", &durationpb.Duration{Seconds: 1, Nanos: 2e9}, 0, false},
		{"mixed signs", &durationpb.Duration{Seconds: 1, Nanos: -1}, 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := peerError(connect.CodeUnavailable, "busy", &commonv1.RetryInfo{RetryDelay: tc.delay})
			got, has := errs.RetryAfter(err)
			if got != tc.want || has != tc.has {
				t.Fatalf("RetryAfter = %v, %v; want %v, %v", got, has, tc.want, tc.has)
			}
		})
	}
}

// TestFromIgnoresForeignAndBrokenDetails: details of other types, of unknown types,
// and bytes that do not parse as the type they claim are skipped, not trusted.
func TestFromIgnoresForeignAndBrokenDetails(t *testing.T) {
	t.Parallel()
	err := peerError(connect.CodeNotFound, "gone",
		wrapperspb.String("RETRY_FOREVER"),
		&commonv1.Principal{Subject: "admin", TenantId: "other"},
		&anypb.Any{TypeUrl: "type.googleapis.com/footing.common.v1.ErrorInfo", Value: []byte{0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f}},
		&anypb.Any{TypeUrl: "type.googleapis.com/footing.common.v1.RetryInfo", Value: []byte("\x0a\x02\x08")},
		&anypb.Any{TypeUrl: "type.googleapis.com/no.such.Type", Value: []byte("junk")},
		&anypb.Any{TypeUrl: "", Value: nil},
		&commonv1.ErrorInfo{Reason: "GONE", Metadata: map[string]string{"k": "v"}},
	)
	d := errs.From(err)
	if d.Code != connect.CodeNotFound || d.Reason != "GONE" || d.Metadata["k"] != "v" || d.HasRetryAfter {
		t.Fatalf("From = %+v", d)
	}
}

// TestInvalidUTF8NeverPanics: protobuf strings must be valid UTF-8, so a detail built
// from text that is not (a path segment, a header, a file name) cannot be marshalled.
// The constructors must neither panic nor lose the error: they send the text with
// the invalid bytes replaced.
func TestInvalidUTF8NeverPanics(t *testing.T) {
	t.Parallel()
	bad := "name-\xff\xfe-\xc3"
	err := errs.NotFound("REASON_"+bad, "no such thing "+bad,
		errs.WithDomain(bad), errs.WithMetadata("id", bad, bad, "v"),
		errs.WithFieldViolation("field."+bad, bad, bad),
		errs.WithFieldViolations(&commonv1.BadRequest_FieldViolation{Field: bad}),
		errs.WithRequestID(bad), errs.WithRetryAfter(time.Second))
	d := errs.From(err)
	if d.Code != connect.CodeNotFound || !d.HasRetryAfter || len(d.FieldViolations) != 2 || len(d.Metadata) != 2 {
		t.Fatalf("From = %+v", d)
	}
	for _, s := range []string{d.Message, d.Reason, d.Domain, d.RequestID, d.Metadata["id"],
		d.FieldViolations[0].GetField(), d.FieldViolations[0].GetDescription(), d.FieldViolations[1].GetField()} {
		if !utf8.ValidString(s) || !strings.Contains(s, "name-") {
			t.Fatalf("%q is not the sanitized text", s)
		}
	}
	_ = errs.Internal(errors.New(bad), errs.WithRequestID(bad), errs.WithMetadata(bad, bad))
	_ = errs.InvalidPageToken(bad)
}

// leakyService is a downstream peer whose errors carry response headers naming
// internals, and its own request id.
type leakyService struct {
	aiv1connect.UnimplementedAIGatewayServiceHandler
}

func (leakyService) Complete(_ context.Context, req *connect.Request[aiv1.CompleteRequest]) (*connect.Response[aiv1.CompleteResponse], error) {
	opts := []errs.Option{errs.WithMetadata("id", "a1")}
	switch req.Msg.GetChat().GetModel() {
	case "internal":
		return nil, connect.NewError(connect.CodeInternal, errors.New(secretCause))
	case "huge-details":
		violations := make([]*commonv1.BadRequest_FieldViolation, 20_000)
		for i := range violations {
			violations[i] = &commonv1.BadRequest_FieldViolation{Field: "items[0].name", Description: strings.Repeat("d", 40), Reason: "string.min_len"}
		}
		return nil, errs.InvalidArgument("INVALID_REQUEST", "bad", errs.WithFieldViolations(violations...),
			errs.WithDomain("down.footing.dev"))
	case "huge":
		return nil, errs.NotFound("ADR_NOT_FOUND", strings.Repeat("no such ADR — ", 900_000))
	case "with-request-id":
		opts = append(opts, errs.WithRequestID("req-downstream"))
	}
	err := errs.NotFound("ADR_NOT_FOUND", "no such ADR", opts...)
	err.Meta().Set("X-Backend-Host", "10.0.3.7:5432")
	err.Meta().Set("Set-Cookie", "session=downstream-secret")
	return nil, err
}

// proxyService is a footing service that calls a peer and returns its error as is.
type proxyService struct {
	aiv1connect.UnimplementedAIGatewayServiceHandler
	down aiv1connect.AIGatewayServiceClient
}

func (p proxyService) Complete(ctx context.Context, req *connect.Request[aiv1.CompleteRequest]) (*connect.Response[aiv1.CompleteResponse], error) {
	return p.down.Complete(ctx, connect.NewRequest(req.Msg))
}

// TestPeerErrorsLoseThePeersHeadersAndRequestID: a footing service that passes on an
// error it received from another service must not pass on that service's response
// headers (connect-go drops a wire error's headers, but a copy of the error made by
// the interceptor is no longer a wire error), nor answer with the peer's request id
// instead of its own.
func TestPeerErrorsLoseThePeersHeadersAndRequestID(t *testing.T) {
	t.Parallel()
	downPath, downHandler := aiv1connect.NewAIGatewayServiceHandler(leakyService{})
	downURL, downHTTP := connecttest.Serve(t, downPath, downHandler)
	for _, downProto := range connecttest.Protocols() {
		down := aiv1connect.NewAIGatewayServiceClient(downHTTP, downURL, downProto.Option)
		var withRequestID requestIDInterceptor
		path, handler := aiv1connect.NewAIGatewayServiceHandler(proxyService{down: down},
			connect.WithInterceptors(withRequestID, errs.NewInterceptor()))
		url, httpClient := connecttest.Serve(t, path, handler)
		for _, p := range connecttest.Protocols() {
			client := aiv1connect.NewAIGatewayServiceClient(httpClient, url, p.Option)
			for _, model := range []string{"without-request-id", "with-request-id"} {
				where := downProto.Name + "/" + p.Name + "/" + model
				_, err := client.Complete(context.Background(), connect.NewRequest(&aiv1.CompleteRequest{Chat: &aiv1.ChatRequest{Model: model}}))
				var cerr *connect.Error
				if !errors.As(err, &cerr) {
					t.Fatalf("%s: %v", where, err)
				}
				for _, h := range []string{"X-Backend-Host", "Set-Cookie"} {
					if v := cerr.Meta().Get(h); v != "" {
						t.Errorf("%s: the peer's %s reached the caller: %q", where, h, v)
					}
				}
				d := errs.From(err)
				if d.Code != connect.CodeNotFound || d.Reason != "ADR_NOT_FOUND" || d.Metadata["id"] != "a1" {
					t.Errorf("%s: details = %+v", where, d)
				}
				if d.RequestID != "req-7" {
					t.Errorf("%s: request id %q, want this service's req-7", where, d.RequestID)
				}
			}
		}
	}
}

// TestInterceptorSurvivesInvalidUTF8RequestID: a request id that is not valid UTF-8
// (a service without gatewaycore's edge, taking X-Request-Id as is) does not make
// the interceptor panic.
func TestInterceptorSurvivesInvalidUTF8RequestID(t *testing.T) {
	t.Parallel()
	var withRequestID badRequestIDInterceptor
	path, handler := aiv1connect.NewAIGatewayServiceHandler(errorService{},
		connect.WithInterceptors(withRequestID, errs.NewInterceptor()))
	url, httpClient := connecttest.Serve(t, path, handler)
	for _, p := range connecttest.Protocols() {
		client := aiv1connect.NewAIGatewayServiceClient(httpClient, url, p.Option)
		for _, name := range []string{"not-found", "plain", "deadline"} {
			unary, stream := callBoth(t, client, name)
			for _, err := range []error{unary, stream} {
				d := errs.From(err)
				if d.Code == connect.CodeUnknown || d.Code == connect.CodeUnavailable || !strings.HasPrefix(d.RequestID, "req-") {
					t.Fatalf("%s/%s: details = %+v (%v)", p.Name, name, d, err)
				}
			}
		}
	}
}

type badRequestIDInterceptor struct{ requestIDInterceptor }

func (badRequestIDInterceptor) WrapUnary(next connect.UnaryFunc) connect.UnaryFunc {
	return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
		return next(withRequestIDValue(ctx, "req-\xff\xfe"), req)
	}
}

func (badRequestIDInterceptor) WrapStreamingHandler(next connect.StreamingHandlerFunc) connect.StreamingHandlerFunc {
	return func(ctx context.Context, conn connect.StreamingHandlerConn) error {
		return next(withRequestIDValue(ctx, "req-\xff\xfe"), conn)
	}
}

// TestInvalidUTF8MessageKeepsItsCodeOnTheWire: over gRPC the message travels inside a
// google.rpc.Status next to the details; a message that is not UTF-8 must not turn a
// NotFound into an Internal "marshal protobuf status" error.
func TestInvalidUTF8MessageKeepsItsCodeOnTheWire(t *testing.T) {
	t.Parallel()
	newClient, _ := setup(t)
	for _, p := range connecttest.Protocols() {
		unary, stream := callBoth(t, newClient(p), "bad-utf8")
		for i, err := range []error{unary, stream} {
			d := errs.From(err)
			if d.Code != connect.CodeNotFound || d.Reason != "ADR_NOT_FOUND" || !strings.HasPrefix(d.Message, "no ADR named") {
				t.Fatalf("%s/%d: details = %+v", p.Name, i, d)
			}
		}
	}
}

// FuzzFrom: whatever details a peer sends, From neither panics nor reports a delay
// outside [0, MaxRetryAfter] or text that is not UTF-8.
func FuzzFrom(f *testing.F) {
	for _, m := range []proto.Message{
		&commonv1.ErrorInfo{Reason: "R", Domain: "d", Metadata: map[string]string{"k": "v"}},
		&commonv1.BadRequest{FieldViolations: []*commonv1.BadRequest_FieldViolation{{Field: "a[0]", Description: "d", Reason: "r"}}},
		&commonv1.RetryInfo{RetryDelay: &durationpb.Duration{Seconds: -1 << 62}},
		&commonv1.RequestInfo{RequestId: "r", ErrorId: "e"},
	} {
		b, err := proto.Marshal(m)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(m.ProtoReflect().Descriptor().Name()), b, "message")
	}
	f.Fuzz(func(t *testing.T, typeName string, value []byte, msg string) {
		err := peerError(connect.CodeUnavailable, msg,
			&anypb.Any{TypeUrl: "type.googleapis.com/footing.common.v1." + typeName, Value: value},
			&anypb.Any{TypeUrl: "type.googleapis.com/" + typeName, Value: value})
		d := errs.From(err)
		if d.RetryAfter < 0 || d.RetryAfter > errs.MaxRetryAfter || (!d.HasRetryAfter && d.RetryAfter != 0) {
			t.Fatalf("RetryAfter = %v, %v", d.RetryAfter, d.HasRetryAfter)
		}
		for k, v := range d.Metadata {
			if !utf8.ValidString(k) || !utf8.ValidString(v) {
				t.Fatalf("metadata %q=%q is not UTF-8", k, v)
			}
		}
		if !utf8.ValidString(d.Reason) || !utf8.ValidString(d.Domain) || !utf8.ValidString(d.RequestID) {
			t.Fatalf("details = %+v", d)
		}
	})
}

// FuzzNew: any text a handler puts in an error gives an error that keeps its code and
// whose details all marshal, never a panic.
func FuzzNew(f *testing.F) {
	f.Add("REASON", "message", "key", "value", "field[0]", "req-1")
	f.Add("\xff", "\xc3", "\xfe", "\x00", "\xed\xa0\x80", "\x80")
	f.Fuzz(func(t *testing.T, reason, message, key, value, field, requestID string) {
		err := errs.FailedPrecondition(reason, message, errs.WithDomain(value), errs.WithMetadata(key, value),
			errs.WithFieldViolation(field, value, reason), errs.WithRequestID(requestID), errs.WithCause(errors.New(message)))
		if err.Code() != connect.CodeFailedPrecondition || !utf8.ValidString(err.Message()) {
			t.Fatalf("error = %v", err)
		}
		for _, d := range err.Details() {
			v, verr := d.Value()
			if verr != nil {
				t.Fatal(verr)
			}
			if _, merr := proto.Marshal(v); merr != nil {
				t.Fatalf("detail %s does not marshal: %v", d.Type(), merr)
			}
		}
		if reason != "" && errs.Reason(err) == "" {
			t.Fatalf("reason %q lost", reason)
		}
		ie := errs.Internal(errors.New(message), errs.WithRequestID(requestID))
		if d := errs.From(ie); d.Message != errs.InternalMessage+" (error id "+d.ErrorID+")" || len(d.ErrorID) != 16 {
			t.Fatalf("internal = %+v", d)
		}
	})
}

// TestPeerFailuresDoNotRevealThePeer: when the service a handler calls fails in a way
// it did not choose to tell (a non-footing peer's Internal text; a dial error the
// client made up, naming the peer's address), the caller learns neither.
func TestPeerFailuresDoNotRevealThePeer(t *testing.T) {
	t.Parallel()
	downPath, downHandler := aiv1connect.NewAIGatewayServiceHandler(leakyService{})
	downURL, downHTTP := connecttest.Serve(t, downPath, downHandler)
	dead := aiv1connect.NewAIGatewayServiceClient(downHTTP, "http://127.0.0.1:1", connect.WithGRPC())
	for name, down := range map[string]aiv1connect.AIGatewayServiceClient{
		"internal": aiv1connect.NewAIGatewayServiceClient(downHTTP, downURL),
		"dead":     dead,
	} {
		var withRequestID requestIDInterceptor
		path, handler := aiv1connect.NewAIGatewayServiceHandler(proxyService{down: down},
			connect.WithInterceptors(withRequestID, errs.NewInterceptor()))
		url, httpClient := connecttest.Serve(t, path, handler)
		for _, p := range connecttest.Protocols() {
			client := aiv1connect.NewAIGatewayServiceClient(httpClient, url, p.Option)
			_, err := client.Complete(context.Background(), connect.NewRequest(&aiv1.CompleteRequest{Chat: &aiv1.ChatRequest{Model: name}}))
			d := errs.From(err)
			if strings.Contains(err.Error(), "hunter2") || strings.Contains(err.Error(), "127.0.0.1") || d.RequestID != "req-7" {
				t.Errorf("%s/%s: the caller learned about the peer: %v (%+v)", name, p.Name, err, d)
			}
		}
	}
}

// nilConnectError is the classic typed-nil mistake: a nil *connect.Error returned as
// a non-nil error.
func nilConnectError() error {
	var cerr *connect.Error
	return cerr
}

// TestTypedNilConnectError: From and the interceptor survive a nil *connect.Error in
// a non-nil error (whose Code and Error methods panic): From reads it as Unknown,
// the interceptor answers Internal and tells the hook.
func TestTypedNilConnectError(t *testing.T) {
	t.Parallel()
	if d := errs.From(nilConnectError()); d.Code != connect.CodeUnknown {
		t.Fatalf("From = %+v", d)
	}
	hooked := make(chan *errs.InternalError, 4)
	var withRequestID requestIDInterceptor
	path, handler := aiv1connect.NewAIGatewayServiceHandler(nilErrorService{}, connect.WithInterceptors(withRequestID,
		errs.NewInterceptor(errs.WithInternalErrorHook(func(_ context.Context, _ string, e *errs.InternalError) { hooked <- e }))))
	url, httpClient := connecttest.Serve(t, path, handler)
	for _, p := range connecttest.Protocols() {
		client := aiv1connect.NewAIGatewayServiceClient(httpClient, url, p.Option)
		_, err := client.Complete(context.Background(), connect.NewRequest(&aiv1.CompleteRequest{}))
		d := errs.From(err)
		if d.Code != connect.CodeInternal || len(d.ErrorID) != 16 || d.RequestID != "req-7" {
			t.Fatalf("%s: details = %+v (%v)", p.Name, d, err)
		}
		if e := <-hooked; e.ID != d.ErrorID || e.Cause == nil || e.Cause.Error() == "" {
			t.Fatalf("%s: hook got %+v", p.Name, e)
		}
	}
}

type nilErrorService struct {
	aiv1connect.UnimplementedAIGatewayServiceHandler
}

func (nilErrorService) Complete(context.Context, *connect.Request[aiv1.CompleteRequest]) (*connect.Response[aiv1.CompleteResponse], error) {
	return nil, nilConnectError()
}

// TestPeerMessagesAreBounded: a peer's error message (12 MiB here) passed on by a
// handler is cut to errs.MaxPeerMessageLen, so that it cannot exceed what a gRPC
// trailer may carry and turn the caller's NotFound into a broken stream.
func TestPeerMessagesAreBounded(t *testing.T) {
	t.Parallel()
	downPath, downHandler := aiv1connect.NewAIGatewayServiceHandler(leakyService{})
	downURL, downHTTP := connecttest.Serve(t, downPath, downHandler)
	down := aiv1connect.NewAIGatewayServiceClient(downHTTP, downURL)
	var withRequestID requestIDInterceptor
	path, handler := aiv1connect.NewAIGatewayServiceHandler(proxyService{down: down},
		connect.WithInterceptors(withRequestID, errs.NewInterceptor()))
	url, httpClient := connecttest.Serve(t, path, handler)
	for _, p := range connecttest.Protocols() {
		client := aiv1connect.NewAIGatewayServiceClient(httpClient, url, p.Option)
		_, err := client.Complete(context.Background(), connect.NewRequest(&aiv1.CompleteRequest{Chat: &aiv1.ChatRequest{Model: "huge"}}))
		d := errs.From(err)
		if d.Code != connect.CodeNotFound || d.Reason != "ADR_NOT_FOUND" || len(d.Message) > errs.MaxPeerMessageLen ||
			!strings.HasPrefix(d.Message, "no such ADR") || !utf8.ValidString(d.Message) {
			t.Errorf("%s: code %v, reason %q, message of %d bytes", p.Name, d.Code, d.Reason, len(d.Message))
		}
	}
}

// TestPeerDetailsAreBounded: a peer's details (here 20,000 field violations, 1.4 MB;
// from about 10 MB on, gRPC and gRPC-Web callers got a broken stream instead)
// passed on by a handler are kept only up to errs.MaxPeerDetailsLen bytes, so the
// caller gets the code and the smaller details on every protocol.
func TestPeerDetailsAreBounded(t *testing.T) {
	t.Parallel()
	downPath, downHandler := aiv1connect.NewAIGatewayServiceHandler(leakyService{})
	downURL, downHTTP := connecttest.Serve(t, downPath, downHandler)
	down := aiv1connect.NewAIGatewayServiceClient(downHTTP, downURL)
	var withRequestID requestIDInterceptor
	path, handler := aiv1connect.NewAIGatewayServiceHandler(proxyService{down: down},
		connect.WithInterceptors(withRequestID, errs.NewInterceptor()))
	url, httpClient := connecttest.Serve(t, path, handler)
	for _, p := range connecttest.Protocols() {
		client := aiv1connect.NewAIGatewayServiceClient(httpClient, url, p.Option)
		_, err := client.Complete(context.Background(), connect.NewRequest(&aiv1.CompleteRequest{Chat: &aiv1.ChatRequest{Model: "huge-details"}}))
		d := errs.From(err)
		if d.Code != connect.CodeInvalidArgument || d.Reason != "INVALID_REQUEST" || d.Domain != "down.footing.dev" ||
			len(d.FieldViolations) != 0 || d.RequestID != "req-7" {
			t.Errorf("%s: code %v, reason %q, %d violations, request id %q", p.Name, d.Code, d.Reason, len(d.FieldViolations), d.RequestID)
		}
	}
}

// TestChosenWordsOverANetworkCause: an error the handler built with errs, whose cause
// (kept with WithCause) is a network failure, reaches the caller with the handler's
// reason and message: only a network failure's own text is replaced.
func TestChosenWordsOverANetworkCause(t *testing.T) {
	t.Parallel()
	dial := &net.OpError{Op: "dial", Net: "tcp", Addr: &net.TCPAddr{IP: net.IPv4(10, 0, 3, 7), Port: 6379}, Err: errors.New("connection refused")}
	var withRequestID requestIDInterceptor
	path, handler := aiv1connect.NewAIGatewayServiceHandler(fixedErrorService{err: errs.Unavailable("STORE_UNAVAILABLE", "the store is unavailable", errs.WithCause(dial))},
		connect.WithInterceptors(withRequestID, errs.NewInterceptor()))
	url, httpClient := connecttest.Serve(t, path, handler)
	for _, p := range connecttest.Protocols() {
		client := aiv1connect.NewAIGatewayServiceClient(httpClient, url, p.Option)
		_, err := client.Complete(context.Background(), connect.NewRequest(&aiv1.CompleteRequest{}))
		d := errs.From(err)
		if d.Code != connect.CodeUnavailable || d.Reason != "STORE_UNAVAILABLE" || d.Message != "the store is unavailable" || d.RequestID != "req-7" {
			t.Fatalf("%s: details = %+v", p.Name, d)
		}
	}
}

type fixedErrorService struct {
	aiv1connect.UnimplementedAIGatewayServiceHandler
	err error
}

func (s fixedErrorService) Complete(context.Context, *connect.Request[aiv1.CompleteRequest]) (*connect.Response[aiv1.CompleteResponse], error) {
	return nil, s.err
}

// TestRanOutOfTimeIsNotAnUpstreamFailure: context.DeadlineExceeded satisfies
// net.Error (it is a timeout), so a handler's connect.NewError(DeadlineExceeded,
// ctx.Err()) was answered as a failure of "a service this call depends on"
// (UPSTREAM_FAILED). It is the call running out of time, however it was wrapped,
// and goes out as the handler built it, as any error of a code that does not
// hide its cause; a real network timeout is still an upstream failure.
func TestRanOutOfTimeIsNotAnUpstreamFailure(t *testing.T) {
	t.Parallel()
	netTimeout := &net.OpError{Op: "read", Net: "tcp", Addr: &net.TCPAddr{IP: net.IPv4(10, 0, 3, 7), Port: 5432}, Err: os.ErrDeadlineExceeded}
	for _, tc := range []struct {
		name         string
		err          error
		reason, code string
	}{
		{"ctx.Err()", connect.NewError(connect.CodeDeadlineExceeded, context.DeadlineExceeded), "", "deadline_exceeded"},
		{"wrapped ctx.Err()", connect.NewError(connect.CodeDeadlineExceeded, fmt.Errorf("query: %w", context.DeadlineExceeded)), "", "deadline_exceeded"},
		{"network timeout", connect.NewError(connect.CodeDeadlineExceeded, netTimeout), errs.ReasonUpstreamFailed, "deadline_exceeded"},
		{"network timeout with ctx.Err()", connect.NewError(connect.CodeUnavailable, errors.Join(netTimeout, context.DeadlineExceeded)), errs.ReasonUpstreamFailed, "unavailable"},
	} {
		var withRequestID requestIDInterceptor
		path, handler := aiv1connect.NewAIGatewayServiceHandler(fixedErrorService{err: tc.err},
			connect.WithInterceptors(withRequestID, errs.NewInterceptor()))
		url, httpClient := connecttest.Serve(t, path, handler)
		for _, p := range connecttest.Protocols() {
			client := aiv1connect.NewAIGatewayServiceClient(httpClient, url, p.Option)
			_, err := client.Complete(context.Background(), connect.NewRequest(&aiv1.CompleteRequest{}))
			d := errs.From(err)
			wantMessage := tc.err.(*connect.Error).Message() //nolint:errorlint // the test's own errors
			if tc.reason == errs.ReasonUpstreamFailed {
				wantMessage = "a service this call depends on failed"
			}
			if d.Code.String() != tc.code || d.Reason != tc.reason || d.RequestID != "req-7" || d.Message != wantMessage {
				t.Errorf("%s over %s: code %v, reason %q, message %q, request id %q; want %s, %s", tc.name, p.Name, d.Code, d.Reason, d.Message, d.RequestID, tc.code, tc.reason)
			}
		}
	}
}
