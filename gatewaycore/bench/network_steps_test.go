package bench_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"connectrpc.com/connect"
	healthv1 "google.golang.org/grpc/health/grpc_health_v1"

	"github.com/footingdev/footing/contracts/errs"
	healthv1connect "github.com/footingdev/footing/contracts/gen/go/grpc/health/v1/grpc_health_v1connect"
	"github.com/footingdev/footing/gatewaycore/chain"
	"github.com/footingdev/footing/gatewaycore/edge"
	"github.com/footingdev/footing/gatewaycore/ratelimit"
)

// uncompressedHandler is bareHandler with the 1 KiB compression minimum footing's
// own handlers use: without it connect-go gzips the 20-byte answer, whose cost
// (tens of µs, and more after a GC empties its writer pool) would drown the
// differences these benchmarks look for.
func uncompressedHandler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle(healthv1connect.NewHealthHandler(servingHealth{},
		connect.WithInterceptors(errs.NewInterceptor()),
		connect.WithCompressMinBytes(edge.DefaultCompressMinSize)))
	return mux
}

// netVariant is one server on loopback and how its client calls it.
type netVariant struct {
	name   string
	client healthv1connect.HealthClient
	token  string
}

// serveVariants starts one loopback server per handler, each setting the browser
// Origin on the request (a connect-go client sends none) as BenchmarkChainVsBareNetwork
// does, and returns their clients; every variant sends the bearer token, so that the
// token's bytes cost the same everywhere and only what the server does differs.
func serveVariants(b *testing.B, token string, names []string, handlers []http.Handler) []netVariant {
	b.Helper()
	vs := make([]netVariant, len(handlers))
	for i, h := range handlers {
		next := h
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			r.Header.Set("Origin", origin)
			next.ServeHTTP(w, r)
		}))
		b.Cleanup(srv.Close)
		vs[i] = netVariant{name: names[i], client: healthv1connect.NewHealthClient(srv.Client(), srv.URL), token: token}
	}
	return vs
}

// runVariants calls every variant for a block of requests in turn, so all see the
// same machine load, and reports process CPU (both sides, GC included) per call.
func runVariants(b *testing.B, vs []netVariant) {
	b.Helper()
	ctx := context.Background()
	call := func(v netVariant) {
		req := connect.NewRequest(&healthv1.HealthCheckRequest{})
		req.Header().Set("Authorization", "Bearer "+v.token)
		if _, err := v.client.Check(ctx, req); err != nil {
			b.Fatalf("%s: %v", v.name, err)
		}
	}
	for _, v := range vs { // warm connections and caches
		call(v)
	}
	cpu := make([]time.Duration, len(vs))
	b.ResetTimer()
	const block = 64
	for done := 0; done < b.N; done += block {
		n := min(block, b.N-done)
		for i, v := range vs {
			c0 := processCPU()
			for range n {
				call(v)
			}
			cpu[i] += processCPU() - c0
		}
	}
	for i, v := range vs {
		b.ReportMetric(float64(cpu[i].Nanoseconds())/float64(b.N)/1000, v.name+"_cpu_µs/op")
	}
}

// BenchmarkChainLeaveOneOutNetwork says where the edge chain's cost over loopback
// goes: the bare handler, the full chain, and the full chain without one step at a
// time, all behind real servers on loopback and interleaved. A step's cost is
// "full" minus "full without it". Over loopback each step costs more than it does
// in process (BenchmarkChainStepsInterleaved): the response headers a step adds are
// written, sent and parsed (see BenchmarkResponseHeadersNetwork).
func BenchmarkChainLeaveOneOutNetwork(b *testing.B) {
	f := fullChain(b, ratelimit.Limit{Rate: 1 << 40, Period: time.Second}, io.Discard)
	full := f.chain
	without := func(drop func(c *chain.Chain)) http.Handler {
		c := full
		drop(&c)
		return c.Then(uncompressedHandler())
	}
	names := []string{"bare", "full", "-recover", "-metadata", "-trace", "-cors", "-bodylimit", "-auth", "-ratelimit", "-timeout"}
	handlers := []http.Handler{
		uncompressedHandler(),
		full.Then(uncompressedHandler()),
		without(func(c *chain.Chain) { c.Recover = nil }),
		without(func(c *chain.Chain) { c.Metadata = nil }),
		without(func(c *chain.Chain) { c.Trace = nil }),
		without(func(c *chain.Chain) { c.CORS = nil }),
		without(func(c *chain.Chain) { c.BodyLimit = nil }),
		without(func(c *chain.Chain) { c.Auth = nil }),
		without(func(c *chain.Chain) { c.RateLimit = nil }),
		without(func(c *chain.Chain) { c.Timeout = nil }),
	}
	runVariants(b, serveVariants(b, f.token, names, handlers))
}

// BenchmarkResponseHeadersNetwork prices a response header over loopback: the bare
// handler behind a middleware that adds 0, 4, 5, 6, 7 or 8 headers (the names the chain
// adds, each with a 23-byte value) before the handler runs, interleaved. The
// difference is the server writing them and the client parsing them into its
// Header map, and the garbage both make.
func BenchmarkResponseHeadersNetwork(b *testing.B) {
	keys := []string{"Vary", "Access-Control-Allow-Origin", "Access-Control-Allow-Credentials",
		"Access-Control-Expose-Headers", "X-Request-Id", "Ratelimit", "Ratelimit-Policy", "X-Extra"}
	value := []string{"https://app.example.com"}
	counts := []int{0, 4, 5, 6, 7, 8}
	names := make([]string, len(counts))
	handlers := make([]http.Handler, len(counts))
	for i, n := range counts {
		next := uncompressedHandler()
		names[i] = fmt.Sprintf("headers_%d", n)
		handlers[i] = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			hd := w.Header()
			for _, k := range keys[:n] {
				hd[k] = value
			}
			next.ServeHTTP(w, r)
		})
	}
	runVariants(b, serveVariants(b, "x", names, handlers))
}
