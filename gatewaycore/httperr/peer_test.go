package httperr_test

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"connectrpc.com/connect"
	healthv1 "google.golang.org/grpc/health/grpc_health_v1"

	"github.com/footingdev/footing/contracts/errs"
	commonv1 "github.com/footingdev/footing/contracts/gen/go/footing/common/v1"
	healthv1connect "github.com/footingdev/footing/contracts/gen/go/grpc/health/v1/grpc_health_v1connect"
	"github.com/footingdev/footing/contracts/identity"
	"github.com/footingdev/footing/gatewaycore/httperr"
)

// peerHealth answers every Check with NotFound and a Set-Cookie header of its own.
type peerHealth struct {
	healthv1connect.UnimplementedHealthHandler
}

func (peerHealth) Check(context.Context, *connect.Request[healthv1.HealthCheckRequest]) (*connect.Response[healthv1.HealthCheckResponse], error) {
	e := errs.NotFound("PEER_THING", "the peer has no such thing", errs.WithRequestID("peer-request-id"))
	e.Meta().Set("Set-Cookie", "peer-session=secret")
	e.Meta().Set("X-Backend-Host", "10.1.2.3")
	return nil, e
}

// TestPlainHTTPAnswersLikeConnect: a plain HTTP handler's error goes through the
// same rules as a Connect handler's (errs.Normalize): a network failure's text, a
// peer's response headers and request id are not passed on, and a typed-nil
// *connect.Error does not panic.
func TestPlainHTTPAnswersLikeConnect(t *testing.T) {
	t.Parallel()
	wr := httperr.New()
	ctx := identity.WithRequestMetadata(context.Background(), &commonv1.RequestMetadata{RequestId: "our-request-id"})
	r := httptest.NewRequestWithContext(ctx, http.MethodGet, "/api/thing", nil)

	t.Run("network failure", func(t *testing.T) {
		dial := &net.OpError{Op: "dial", Net: "tcp", Addr: &net.TCPAddr{IP: net.IPv4(10, 9, 8, 7), Port: 5432}, Err: &net.DNSError{Err: "refused", Name: "db.internal"}}
		rec, we := serve(t, wr, r, connect.NewError(connect.CodeUnavailable, dial))
		if rec.Code != http.StatusServiceUnavailable || we.Code != "unavailable" {
			t.Fatalf("status %d code %q", rec.Code, we.Code)
		}
		if body := rec.Body.String(); strings.Contains(body, "10.9.8.7") || strings.Contains(body, "db.internal") {
			t.Fatalf("the peer's address reached the caller: %s", body)
		}
		var info commonv1.ErrorInfo
		if !we.detail(t, &info) || info.GetReason() != errs.ReasonUpstreamFailed {
			t.Fatalf("ErrorInfo %v, want reason %s", &info, errs.ReasonUpstreamFailed)
		}
	})

	t.Run("peer error", func(t *testing.T) {
		mux := http.NewServeMux()
		mux.Handle(healthv1connect.NewHealthHandler(peerHealth{}))
		peer := httptest.NewServer(mux)
		t.Cleanup(peer.Close)
		_, err := healthv1connect.NewHealthClient(peer.Client(), peer.URL).Check(ctx, connect.NewRequest(&healthv1.HealthCheckRequest{}))
		if connect.CodeOf(err) != connect.CodeNotFound {
			t.Fatalf("peer answered %v", err)
		}
		rec, we := serve(t, wr, r, err)
		if rec.Code != http.StatusNotFound || we.Code != "not_found" {
			t.Fatalf("status %d code %q", rec.Code, we.Code)
		}
		for _, h := range []string{"Set-Cookie", "X-Backend-Host"} {
			if v := rec.Header().Get(h); v != "" {
				t.Errorf("the peer's %s reached the caller: %q", h, v)
			}
		}
		var info commonv1.RequestInfo
		if !we.detail(t, &info) || info.GetRequestId() != "our-request-id" {
			t.Errorf("RequestInfo %v, want our request id", &info)
		}
	})

	t.Run("typed nil", func(t *testing.T) {
		var nilErr *connect.Error
		rec, we := serve(t, wr, r, error(nilErr))
		if rec.Code != http.StatusInternalServerError || we.Code != "internal" {
			t.Fatalf("status %d code %q", rec.Code, we.Code)
		}
	})
}
