package errs_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/types/known/anypb"

	"github.com/footingdev/footing/contracts/errs"
	aiv1 "github.com/footingdev/footing/contracts/gen/go/footing/ai/v1"
	"github.com/footingdev/footing/contracts/gen/go/footing/ai/v1/aiv1connect"
	"github.com/footingdev/footing/contracts/internal/connecttest"
)

const (
	peerStack   = "goroutine 7 [running]:\nbilling/db.(*Store).Charge(...)\n\t/srv/billing/db/store.go:214"
	peerServing = "pgbouncer-3.internal:6432 plan=seqscan"
)

// debuggingPeer is a downstream gRPC service (not footing's) that attaches the
// google.rpc details meant for its own developers: DebugInfo (a stack trace and the
// driver's error) and RequestInfo (its request id and serving data).
type debuggingPeer struct {
	aiv1connect.UnimplementedAIGatewayServiceHandler
}

func (debuggingPeer) Complete(context.Context, *connect.Request[aiv1.CompleteRequest]) (*connect.Response[aiv1.CompleteResponse], error) {
	err := errs.FailedPrecondition("CARD_DECLINED", "the card was declined")
	// google.rpc.DebugInfo: stack_entries = 1, detail = 2.
	var debug []byte
	debug = protowire.AppendTag(debug, 1, protowire.BytesType)
	debug = protowire.AppendString(debug, peerStack)
	debug = protowire.AppendTag(debug, 2, protowire.BytesType)
	debug = protowire.AppendString(debug, secretCause)
	// google.rpc.RequestInfo: request_id = 1, serving_data = 2.
	var info []byte
	info = protowire.AppendTag(info, 1, protowire.BytesType)
	info = protowire.AppendString(info, "billing-req-9")
	info = protowire.AppendTag(info, 2, protowire.BytesType)
	info = protowire.AppendString(info, peerServing)
	for _, a := range []*anypb.Any{
		{TypeUrl: "type.googleapis.com/google.rpc.DebugInfo", Value: debug},
		{TypeUrl: "type.googleapis.com/google.rpc.RequestInfo", Value: info},
	} {
		d, derr := connect.NewErrorDetail(a)
		if derr != nil {
			panic(derr)
		}
		err.AddDetail(d)
	}
	return nil, err
}

// TestPeerDebugDetailsStayInside: a handler that passes on the error of a service it
// called must not pass on that service's google.rpc.DebugInfo (a stack trace, the
// driver's error text) or google.rpc.RequestInfo (its request id and serving data,
// "for example an encrypted stack trace"), as it does not pass on a footing
// RequestInfo; the peer's own error model (code, message, ErrorInfo) still arrives.
func TestPeerDebugDetailsStayInside(t *testing.T) {
	t.Parallel()
	downPath, downHandler := aiv1connect.NewAIGatewayServiceHandler(debuggingPeer{})
	downURL, downHTTP := connecttest.Serve(t, downPath, downHandler)
	down := aiv1connect.NewAIGatewayServiceClient(downHTTP, downURL, connect.WithGRPC())
	var withRequestID requestIDInterceptor
	path, handler := aiv1connect.NewAIGatewayServiceHandler(proxyService{down: down},
		connect.WithInterceptors(withRequestID, errs.NewInterceptor()))
	url, httpClient := connecttest.Serve(t, path, handler)
	for _, p := range connecttest.Protocols() {
		client := aiv1connect.NewAIGatewayServiceClient(httpClient, url, p.Option)
		_, err := client.Complete(context.Background(), connect.NewRequest(&aiv1.CompleteRequest{}))
		var cerr *connect.Error
		if !errors.As(err, &cerr) {
			t.Fatalf("%s: %v", p.Name, err)
		}
		for _, d := range cerr.Details() {
			if strings.HasPrefix(d.Type(), "google.rpc.") {
				t.Errorf("%s: the peer's %s reached the caller", p.Name, d.Type())
			}
			for _, s := range []string{"store.go", "hunter2", "pgbouncer", "billing-req"} {
				if strings.Contains(string(d.Bytes()), s) {
					t.Errorf("%s: a %s detail carries the peer's %q", p.Name, d.Type(), s)
				}
			}
		}
		d := errs.From(err)
		if d.Code != connect.CodeFailedPrecondition || d.Reason != "CARD_DECLINED" || d.Message != "the card was declined" || d.RequestID != "req-7" {
			t.Errorf("%s: details = %+v", p.Name, d)
		}
	}
}
