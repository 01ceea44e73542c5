package bench_test

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"runtime"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	aiv1 "github.com/footingdev/footing/contracts/gen/go/footing/ai/v1"
	commonv1 "github.com/footingdev/footing/contracts/gen/go/footing/common/v1"
	"github.com/footingdev/footing/contracts/identity"

	"github.com/footingdev/footing/aigateway/gateway"
	"github.com/footingdev/footing/aigateway/openaicompat"
	"github.com/footingdev/footing/aigateway/provider/openai"
	"github.com/footingdev/footing/aigateway/providertest"
	"github.com/footingdev/footing/aigateway/quota"
	"github.com/footingdev/footing/aigateway/router"
)

const body = `{"model":"%s","stream":true,"stream_options":{"include_usage":true},"max_tokens":256,"messages":[{"role":"user","content":"Say hello in ten words."}]}`

// newGateway returns a gateway with everything on: routing over p, quotas and a
// budget, pricing, and telemetry recorded by the OpenTelemetry SDK.
func newGateway(tb testing.TB, p *openai.Provider) *gateway.Gateway {
	tb.Helper()
	r, err := router.New(router.Config{Routes: []router.Route{{Alias: "default-chat", Targets: []router.Target{{Provider: p, Model: "gpt-4o-mini"}}}}})
	if err != nil {
		tb.Fatal(err)
	}
	l, _ := quota.New(quota.NewMemoryStore(nil), quota.Config{
		Tenant: quota.Limits{RequestsPerMinute: 1 << 40, TokensPerMinute: 1 << 50, Budget: 1 << 60},
		User:   quota.Limits{RequestsPerMinute: 1 << 40},
	})
	tp := sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.AlwaysSample()))
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))
	tb.Cleanup(func() {
		tp.Shutdown(context.Background())
		mp.Shutdown(context.Background())
	})
	gw, err := gateway.New(gateway.Config{Router: r, Limiter: l}, gateway.WithTracerProvider(tp), gateway.WithMeterProvider(mp))
	if err != nil {
		tb.Fatal(err)
	}
	return gw
}

func withTenant(next http.Handler) http.Handler {
	p := &commonv1.Principal{TenantId: "acme", Subject: "bench"}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r.WithContext(identity.WithPrincipal(r.Context(), p)))
	})
}

// streamOnce posts one streamed chat and reads it to [DONE], returning the time
// to the first content event and the total time.
func streamOnce(tb testing.TB, c *http.Client, url, model string) (first, total time.Duration) {
	req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(strings.Replace(body, "%s", model, 1)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+providertest.APIKey)
	start := time.Now()
	resp, err := c.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		tb.Fatalf("status %d: %s", resp.StatusCode, b)
	}
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		line := sc.Bytes()
		if first == 0 && hasContent(line) {
			first = time.Since(start)
		}
		if bytes.Equal(line, []byte("data: [DONE]")) {
			total = time.Since(start)
			// Read to the end of the body (the chunked encoding's terminator) so that
			// the connection is reused, as a client that reads to EOF would.
			_, _ = io.Copy(io.Discard, resp.Body)
			return first, total
		}
	}
	tb.Fatalf("%s: stream ended without [DONE]: %v", url, sc.Err())
	return 0, 0
}

// hasContent reports whether an event line carries text: a "content" that is not
// empty. The upstream's first chunk (role "assistant", content "") is not the
// first chunk of the answer: the time to first chunk is the time to the first
// text, on every path.
func hasContent(line []byte) bool {
	_, after, ok := bytes.Cut(line, []byte(`"content":"`))
	return ok && len(after) > 0 && after[0] != '"'
}

func median(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2]
}

// bareProxy is the least any HTTP gateway does: a pass-through reverse proxy on
// loopback that forwards the request to upstream and copies the response back,
// flushing each write at once. Its cost over a direct call is the floor of a
// second HTTP hop on this machine.
func bareProxy(tb testing.TB, upstream string) *httptest.Server {
	tb.Helper()
	u, err := url.Parse(upstream)
	if err != nil {
		tb.Fatal(err)
	}
	tr := &http.Transport{MaxIdleConnsPerHost: 16}
	tb.Cleanup(tr.CloseIdleConnections)
	rp := &httputil.ReverseProxy{
		Rewrite:       func(r *httputil.ProxyRequest) { r.SetURL(u) },
		Transport:     tr,
		FlushInterval: -1,
	}
	// Forward the request body from memory, as the gateway does: net/http's server
	// closes the inbound body once response headers are written, and a transport
	// still checking the outbound body against its length then cuts the upstream
	// connection mid-answer (golang/go#40747) — seen here on a loaded machine.
	return serve(tb, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(b)), int64(len(b))
		rp.ServeHTTP(w, r)
	}))
}

// serve starts h on loopback and counts the connections it accepts in conns.
func serve(tb testing.TB, h http.Handler) *httptest.Server {
	tb.Helper()
	srv := httptest.NewUnstartedServer(h)
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	tb.Cleanup(srv.Close)
	return srv
}

// conns counts the connections the servers started by serve accepted.
var conns atomic.Int64

// BenchmarkAddedLatency streams the same chat from the fake upstream directly,
// through a bare pass-through reverse proxy (the floor of any HTTP gateway), and
// through the gateway's OpenAI-compatible endpoint (router, quota, budget,
// pricing, telemetry on), in turn in each iteration, and reports the median time
// to first chunk and total time the gateway adds over each.
func BenchmarkAddedLatency(b *testing.B) {
	fake := providertest.NewOpenAI(b)
	fake.SetDefault(providertest.Reply{Steps: []providertest.Step{{Text: "Hello"}, {Text: " from"}, {Text: " the"}, {Text: " fake"}, {Text: " upstream"}}})
	p, err := openai.New(openai.Config{BaseURL: fake.BaseURL(), APIKey: fake.APIKey})
	if err != nil {
		b.Fatal(err)
	}
	srv := serve(b, withTenant(openaicompat.New(newGateway(b, p))))
	proxy := bareProxy(b, fake.URL())
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 16}}
	defer client.CloseIdleConnections()
	direct, through := fake.BaseURL()+"/chat/completions", srv.URL+"/v1/chat/completions"
	proxied := proxy.URL + strings.TrimPrefix(direct, fake.URL())
	// Warm up connections and pools.
	for range 50 {
		streamOnce(b, client, direct, "gpt-4o-mini")
		streamOnce(b, client, proxied, "gpt-4o-mini")
		streamOnce(b, client, through, "default-chat")
	}
	var df, dt, pf, pt, gf, gt []time.Duration
	conns0, upConns0 := conns.Load(), fake.Conns()
	for b.Loop() {
		f, t := streamOnce(b, client, direct, "gpt-4o-mini")
		df, dt = append(df, f), append(dt, t)
		f, t = streamOnce(b, client, proxied, "gpt-4o-mini")
		pf, pt = append(pf, f), append(pt, t)
		f, t = streamOnce(b, client, through, "default-chat")
		gf, gt = append(gf, f), append(gt, t)
	}
	us := func(d time.Duration) float64 { return float64(d.Microseconds()) }
	b.ReportMetric(us(median(df)), "direct-ttfc-µs")
	b.ReportMetric(us(median(pf)), "proxy-ttfc-µs")
	b.ReportMetric(us(median(gf)), "gateway-ttfc-µs")
	b.ReportMetric(us(median(dt)), "direct-total-µs")
	b.ReportMetric(us(median(pt)), "proxy-total-µs")
	b.ReportMetric(us(median(gt)), "gateway-total-µs")
	b.ReportMetric(us(median(gf)-median(df)), "added-ttfc-µs")
	b.ReportMetric(us(median(gt)-median(dt)), "added-total-µs")
	b.ReportMetric(us(median(gf)-median(pf)), "over-proxy-ttfc-µs")
	b.ReportMetric(us(median(gt)-median(pt)), "over-proxy-total-µs")
	// Connections opened while measuring: 0 when every hop reuses its connections.
	b.ReportMetric(float64(conns.Load()-conns0+int64(fake.Conns()-upConns0)), "new-conns")
}

// BenchmarkOpenStreamMemory holds 1,000 streams open at once, first directly on
// the provider and then through the gateway (in process, both with the fake
// upstream in the same process), and reports the heap and stack each stream holds (client and
// fake server side together).
func BenchmarkOpenStreamMemory(b *testing.B) {
	const n = 1000
	fake := providertest.NewOpenAI(b)
	fake.SetDefault(providertest.Reply{Steps: []providertest.Step{{Text: "Hello"}}, Stall: true})
	p, err := openai.New(openai.Config{BaseURL: fake.BaseURL(), APIKey: fake.APIKey})
	if err != nil {
		b.Fatal(err)
	}
	gw := newGateway(b, p)
	req := &aiv1.ChatRequest{Model: "default-chat", MaxTokens: new(int32(256)), Messages: []*aiv1.Message{{Role: aiv1.Role_ROLE_USER, Content: []*aiv1.ContentPart{{Part: &aiv1.ContentPart_Text{Text: "hi"}}}}}}
	direct := func(ctx context.Context) (io.Closer, error) {
		r := &aiv1.ChatRequest{Model: "gpt-4o-mini", MaxTokens: req.MaxTokens, Messages: req.Messages}
		s, err := p.Chat(ctx, r)
		if err == nil {
			_, err = s.Next()
		}
		return s, err
	}
	through := func(ctx context.Context) (io.Closer, error) {
		s, err := gw.Chat(identity.WithPrincipal(ctx, &commonv1.Principal{TenantId: "acme"}), req)
		if err == nil {
			_, err = s.Next()
		}
		return s, err
	}
	heapPer := func(open func(context.Context) (io.Closer, error)) float64 {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		streams := make([]io.Closer, 0, n)
		for range n {
			s, err := open(ctx)
			if err != nil {
				b.Fatal(err)
			}
			streams = append(streams, s)
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		cancel()
		for _, s := range streams {
			s.Close()
		}
		return (float64(after.HeapInuse+after.StackInuse) - float64(before.HeapInuse+before.StackInuse)) / n
	}
	// Warm up: the first thousand streams of either kind grow the heap and the
	// fake's pools, which would be charged to whichever is measured first.
	heapPer(direct)
	heapPer(through)
	var d, g float64
	for b.Loop() {
		d = heapPer(direct)
		g = heapPer(through)
	}
	b.ReportMetric(d, "direct-B/stream")
	b.ReportMetric(g, "gateway-B/stream")
	b.ReportMetric(g-d, "added-B/stream")
}

// BenchmarkAddedInProcess measures the gateway's own path without the extra HTTP
// hop: the same streamed chat read to its end through provider.Chat directly and
// through gateway.Chat (quota reserve and settle, router, pricing, telemetry),
// alternating, both against the fake on loopback.
func BenchmarkAddedInProcess(b *testing.B) {
	fake := providertest.NewOpenAI(b)
	fake.SetDefault(providertest.Reply{Steps: []providertest.Step{{Text: "Hello"}, {Text: " from"}, {Text: " the"}, {Text: " fake"}, {Text: " upstream"}}})
	p, err := openai.New(openai.Config{BaseURL: fake.BaseURL(), APIKey: fake.APIKey})
	if err != nil {
		b.Fatal(err)
	}
	gw := newGateway(b, p)
	msgs := []*aiv1.Message{{Role: aiv1.Role_ROLE_USER, Content: []*aiv1.ContentPart{{Part: &aiv1.ContentPart_Text{Text: "Say hello in ten words."}}}}}
	ctx := identity.WithPrincipal(context.Background(), &commonv1.Principal{TenantId: "acme", Subject: "bench"})
	type stream interface {
		Next() (*aiv1.ChatChunk, error)
		Close() error
	}
	run := func(open func() (stream, error)) (first, total time.Duration) {
		start := time.Now()
		s, err := open()
		if err != nil {
			b.Fatal(err)
		}
		defer s.Close()
		for {
			c, err := s.Next()
			if err == io.EOF { //nolint:errorlint // both streams return io.EOF unwrapped
				return first, time.Since(start)
			}
			if err != nil {
				b.Fatal(err)
			}
			if first == 0 && c.GetDeltaText() != "" {
				first = time.Since(start)
			}
		}
	}
	direct := func() (stream, error) {
		return p.Chat(ctx, &aiv1.ChatRequest{Model: "gpt-4o-mini", MaxTokens: new(int32(256)), Messages: msgs})
	}
	through := func() (stream, error) {
		return gw.Chat(ctx, &aiv1.ChatRequest{Model: "default-chat", MaxTokens: new(int32(256)), Messages: msgs})
	}
	for range 50 {
		run(direct)
		run(through)
	}
	var df, dt, gf, gt []time.Duration
	for b.Loop() {
		f, t := run(direct)
		df, dt = append(df, f), append(dt, t)
		f, t = run(through)
		gf, gt = append(gf, f), append(gt, t)
	}
	b.ReportMetric(float64(median(df).Microseconds()), "direct-ttfc-µs")
	b.ReportMetric(float64((median(gf) - median(df)).Microseconds()), "added-ttfc-µs")
	b.ReportMetric(float64((median(gt) - median(dt)).Microseconds()), "added-total-µs")
	b.ReportMetric(float64(median(gt))/float64(median(dt)), "total-ratio")
}

func TestHasContent(t *testing.T) {
	for _, tc := range []struct {
		line string
		want bool
	}{
		{`data: {"choices":[{"index":0,"delta":{"role":"assistant","content":"","refusal":null}}]}`, false},
		{`data: {"choices":[{"index":0,"delta":{"content":"Hello"}}]}`, true},
		{`data: {"choices":[{"index":0,"delta":{"role":"assistant","content":"Hello"}}]}`, true},
		{`data: {"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}`, false},
		{`data: [DONE]`, false},
	} {
		if got := hasContent([]byte(tc.line)); got != tc.want {
			t.Errorf("hasContent(%s) = %v, want %v", tc.line, got, tc.want)
		}
	}
}
