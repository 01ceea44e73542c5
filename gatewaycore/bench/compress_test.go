package bench_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"connectrpc.com/connect"
	healthv1 "google.golang.org/grpc/health/grpc_health_v1"

	"github.com/footingdev/footing/contracts/errs"
	healthv1connect "github.com/footingdev/footing/contracts/gen/go/grpc/health/v1/grpc_health_v1connect"
	"github.com/footingdev/footing/gatewaycore/edge"
)

// BenchmarkSmallResponseCompression serves the same small Connect unary response
// (Health/Check, 20 bytes of JSON) over loopback to a connect-go client, which
// accepts gzip as every connect-go and browser client does: once from a handler with
// connect-go's defaults, which gzip every message however small, and once from a
// handler with connect.WithCompressMinBytes(edge.DefaultCompressMinSize), as
// footing's handlers are built. Process CPU per call, both sides counted.
func BenchmarkSmallResponseCompression(b *testing.B) {
	serve := func(opts ...connect.HandlerOption) *httptest.Server {
		opts = append(opts, connect.WithInterceptors(errs.NewInterceptor()))
		mux := http.NewServeMux()
		mux.Handle(healthv1connect.NewHealthHandler(servingHealth{}, opts...))
		s := httptest.NewServer(mux)
		b.Cleanup(s.Close)
		return s
	}
	gzipAll := serve()
	minSize := serve(connect.WithCompressMinBytes(edge.DefaultCompressMinSize))
	ctx := context.Background()
	client := func(s *httptest.Server, wantEncoding string) healthv1connect.HealthClient {
		c := healthv1connect.NewHealthClient(s.Client(), s.URL)
		res, err := c.Check(ctx, connect.NewRequest(&healthv1.HealthCheckRequest{}))
		if err != nil {
			b.Fatal(err)
		}
		if got := res.Header().Get("Content-Encoding"); got != wantEncoding {
			b.Fatalf("Content-Encoding %q, want %q: the benchmark would not measure what it says", got, wantEncoding)
		}
		return c
	}
	clients := [2]healthv1connect.HealthClient{client(gzipAll, "gzip"), client(minSize, "")}
	var p pair
	b.ResetTimer()
	const block = 64
	for i := 0; i < b.N; i += block {
		n := min(block, b.N-i)
		for which, c := range clients {
			p.run(which, n, func() {
				if _, err := c.Check(ctx, connect.NewRequest(&healthv1.HealthCheckRequest{})); err != nil {
					b.Fatal(err)
				}
			})
		}
	}
	p.report(b, b.N, "gzip_every_message", "min_1KiB")
}
