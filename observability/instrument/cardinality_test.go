package instrument_test

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

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
