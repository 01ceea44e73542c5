package instrument_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"connectrpc.com/connect"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	healthv1 "google.golang.org/grpc/health/grpc_health_v1"

	healthv1connect "github.com/footingdev/footing/contracts/gen/go/grpc/health/v1/grpc_health_v1connect"
	"github.com/footingdev/footing/observability/instrument"
)

// TestRedirectPathIsNotARoute: for a CONNECT request to "/tenants/x" that only
// the subtree pattern "/tenants/{tenant}/" matches, http.ServeMux answers a
// redirect and reports the client's own path, "/tenants/x/", as the request's
// Pattern. It became http.route, the span name and the line's route: one new
// metric series (and attribute-set cache entry) per request, for any client.
func TestRedirectPathIsNotARoute(t *testing.T) {
	t.Parallel()
	for _, withRouter := range []bool{false, true} {
		t.Run(fmt.Sprintf("router=%v", withRouter), func(t *testing.T) {
			t.Parallel()
			b := setup(t, sdktrace.AlwaysSample())
			mux := http.NewServeMux()
			mux.HandleFunc("/tenants/{tenant}/", func(http.ResponseWriter, *http.Request) {})
			var h http.Handler = mux
			opts := b.opts()
			if withRouter {
				// A layer that passes on a copy hides the Pattern: the
				// middleware asks the mux itself.
				h = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { mux.ServeHTTP(w, r.WithContext(r.Context())) })
				opts = append(opts, instrument.WithRouter(mux))
			}
			srv := httptest.NewServer(instrument.Middleware(opts...)(h))
			t.Cleanup(srv.Close)
			for i := range 5 {
				c, err := net.Dial("tcp", srv.Listener.Addr().String())
				if err != nil {
					t.Fatal(err)
				}
				_, _ = fmt.Fprintf(c, "CONNECT /tenants/attacker-%d HTTP/1.1\r\nHost: x\r\n\r\n", i)
				resp, err := http.ReadResponse(bufio.NewReader(c), nil)
				if err != nil {
					t.Fatal(err)
				}
				_ = resp.Body.Close()
				_ = c.Close()
				if resp.StatusCode != http.StatusTemporaryRedirect {
					t.Fatalf("status %d, want the mux's redirect", resp.StatusCode)
				}
			}
			srv.Close() // every line written

			points := b.metric(t, "http.server.request.duration").Data.(metricdata.Histogram[float64]).DataPoints
			if len(points) != 1 {
				var got []map[string]string
				for _, p := range points {
					got = append(got, attrMap(p.Attributes))
				}
				t.Fatalf("%d series, want 1 for all the redirects: %v", len(points), got)
			}
			if route, ok := attrMap(points[0].Attributes)["http.route"]; ok {
				t.Fatalf("http.route = %q on a redirect", route)
			}
			for _, s := range b.spans.Ended() {
				if strings.Contains(s.Name(), "attacker") {
					t.Fatalf("span named after the client's path: %q", s.Name())
				}
			}
			for _, l := range b.lines(t) {
				if r, _ := l["route"].(string); r != "" {
					t.Fatalf("access line route %q on a redirect", r)
				}
			}
		})
	}
}

// TestClientSchemeLabelIsBounded: Transport labelled http.client.request.duration
// with the request URL's scheme as it was. A service that fetches URLs its
// users give (webhooks, link previews, an AI tool's fetch) let them mint a
// series per request with schemes of their own ("x1://", "x2://", …), which
// the transport refuses but the metric kept.
func TestClientSchemeLabelIsBounded(t *testing.T) {
	t.Parallel()
	b := setup(t, sdktrace.AlwaysSample())
	client := &http.Client{Transport: instrument.Transport(nil, b.opts()...)}
	for i := range 5 {
		resp, err := client.Get(fmt.Sprintf("x%d://example.com/", i))
		if err == nil {
			_ = resp.Body.Close()
			t.Fatal("want the transport to refuse the scheme")
		}
	}
	points := b.metric(t, "http.client.request.duration").Data.(metricdata.Histogram[float64]).DataPoints
	if len(points) != 1 {
		var got []map[string]string
		for _, p := range points {
			got = append(got, attrMap(p.Attributes))
		}
		t.Fatalf("%d series, want 1 for all the unknown schemes: %v", len(points), got)
	}
	if got := attrMap(points[0].Attributes)["url.scheme"]; got != "_OTHER" {
		t.Fatalf("url.scheme = %q, want _OTHER", got)
	}
}

// codeHealth fails Check with the code its service names ("code_1000"), as a
// handler that returns a downstream call's error as it got it would.
type codeHealth struct {
	healthv1connect.UnimplementedHealthHandler
}

func (codeHealth) Check(_ context.Context, req *connect.Request[healthv1.HealthCheckRequest]) (*connect.Response[healthv1.HealthCheckResponse], error) {
	var code connect.Code
	if err := code.UnmarshalText([]byte(req.Msg.GetService())); err != nil {
		return nil, err
	}
	return nil, connect.NewError(code, errors.New("from upstream"))
}

// TestUnknownConnectCodesAreBounded: gRPC and gRPC-Web carry a code as any
// number (grpc-status: 1000), and a connect-go client keeps it, as a handler
// that returns a downstream call's error does: rpc.client.duration and
// rpc.server.duration were labelled with the code's name ("code_1000"), so a
// server a service calls minted a series, and an attribute-set cache entry
// copied with every new one, per code it made up, out of 2^32. A code
// outside Connect's set is "unknown", as its cause is (connect-go's own
// client reads it so from the Connect protocol).
func TestUnknownConnectCodesAreBounded(t *testing.T) {
	t.Parallel()
	b := setup(t, sdktrace.AlwaysSample())
	icpt := instrument.NewInterceptor(b.opts()...)
	mux := http.NewServeMux()
	mux.Handle(healthv1connect.NewHealthHandler(codeHealth{}, connect.WithInterceptors(icpt)))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	for _, opt := range []connect.ClientOption{connect.WithGRPC(), connect.WithGRPCWeb()} {
		client := healthv1connect.NewHealthClient(srv.Client(), srv.URL, connect.WithInterceptors(icpt), opt)
		for i := range 5 {
			_, err := client.Check(context.Background(), connect.NewRequest(&healthv1.HealthCheckRequest{Service: fmt.Sprintf("code_%d", 1000+i)}))
			if got := connect.CodeOf(err); got != connect.Code(1000+i) {
				t.Fatalf("client got code %v (%v), want code_%d from the wire", got, err, 1000+i)
			}
		}
	}
	srv.Close()
	for _, name := range []string{"rpc.client.duration", "rpc.server.duration"} {
		points := b.metric(t, name).Data.(metricdata.Histogram[float64]).DataPoints
		var got []string
		for _, p := range points {
			got = append(got, attrMap(p.Attributes)["rpc.connect_rpc.error_code"])
		}
		if len(points) != 1 || got[0] != "unknown" {
			t.Fatalf("%s: codes %v, want one series, unknown, for all the codes outside Connect's", name, got)
		}
	}
	for _, s := range b.spans.Ended() {
		if c := spanAttrs(s)["rpc.connect_rpc.error_code"]; c != "unknown" {
			t.Fatalf("%v span rpc.connect_rpc.error_code %q, want unknown", s.SpanKind(), c)
		}
	}
}
