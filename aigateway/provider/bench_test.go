package provider_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/footingdev/footing/aigateway/provider"
	"github.com/footingdev/footing/aigateway/provider/anthropic"
	"github.com/footingdev/footing/aigateway/provider/gemini"
	"github.com/footingdev/footing/aigateway/provider/openai"
	"github.com/footingdev/footing/aigateway/providertest"
	aiv1 "github.com/footingdev/footing/contracts/gen/go/footing/ai/v1"
)

type benchWire struct {
	wire providertest.Wire
	new  func(baseURL, key string, c *http.Client) (provider.Provider, error)
}

var benchWires = []benchWire{
	{providertest.OpenAI, func(u, k string, c *http.Client) (provider.Provider, error) {
		return openai.New(openai.Config{BaseURL: u, APIKey: k, HTTPClient: c})
	}},
	{providertest.Anthropic, func(u, k string, c *http.Client) (provider.Provider, error) {
		return anthropic.New(anthropic.Config{BaseURL: u, APIKey: k, HTTPClient: c})
	}},
	{providertest.Gemini, func(u, k string, c *http.Client) (provider.Provider, error) {
		return gemini.New(gemini.Config{BaseURL: u, APIKey: k, HTTPClient: c})
	}},
}

func benchRequest(model string) *aiv1.ChatRequest {
	return &aiv1.ChatRequest{Model: model, Messages: []*aiv1.Message{{
		Role: aiv1.Role_ROLE_USER, Content: []*aiv1.ContentPart{{Part: &aiv1.ContentPart_Text{Text: "Write a story."}}},
	}}}
}

func textReply(n int) providertest.Reply {
	r := providertest.Reply{Usage: &aiv1.Usage{InputTokens: 50, OutputTokens: int64(n)}}
	for i := range n {
		r.Steps = append(r.Steps, providertest.Step{Text: "token" + strings.Repeat(" ", i%3)})
	}
	return r
}

func drain(b *testing.B, p provider.Provider, req *aiv1.ChatRequest) int {
	st, err := p.Chat(context.Background(), req)
	if err != nil {
		b.Fatal(err)
	}
	n := 0
	for {
		_, err := st.Next()
		if err == io.EOF { //nolint:errorlint // the Stream contract returns io.EOF itself
			break
		}
		if err != nil {
			b.Fatal(err)
		}
		n++
	}
	_ = st.Close()
	return n
}

// naive is the bare baseline for decoding: split lines, unmarshal every data line
// into a generic map, as a hand-written client would.
func naive(body []byte) int {
	sc := bufio.NewScanner(bytes.NewReader(body))
	n := 0
	for sc.Scan() {
		data, ok := bytes.CutPrefix(bytes.TrimRight(sc.Bytes(), "\r"), []byte("data: "))
		if !ok {
			continue
		}
		var v map[string]any
		if json.Unmarshal(data, &v) == nil {
			n++
		}
	}
	return n
}

func mallocs() uint64 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.Mallocs
}

// BenchmarkDecode measures each provider's stream decoding (request building
// included, network left out: the answer is served from memory) against the
// naive baseline over the same bytes, per forwarded chunk. The -escaped
// variants' text has a newline and quotes in every chunk, as real answers do.
func BenchmarkDecode(b *testing.B) {
	const chunks = 1000
	for _, w := range benchWires {
		b.Run(w.wire.String(), func(b *testing.B) { benchDecode(b, w, textReply(chunks), chunks) })
	}
	for _, w := range benchWires {
		b.Run(w.wire.String()+"-escaped", func(b *testing.B) { benchDecode(b, w, escapedReply(chunks), chunks) })
	}
}

// escapedReply is textReply with text that JSON escapes: a newline and quotes.
func escapedReply(n int) providertest.Reply {
	r := providertest.Reply{Usage: &aiv1.Usage{InputTokens: 50, OutputTokens: int64(n)}}
	for i := range n {
		r.Steps = append(r.Steps, providertest.Step{Text: "say \"token\"" + strings.Repeat(" ", i%3) + "\n"})
	}
	return r
}

func benchDecode(b *testing.B, w benchWire, reply providertest.Reply, chunks int) {
	body, err := providertest.Render(w.wire, "m", reply)
	if err != nil {
		b.Fatal(err)
	}
	p, err := w.new("http://memory.invalid/v1", "k", &http.Client{Transport: providertest.RoundTripper(body)})
	if err != nil {
		b.Fatal(err)
	}
	req := benchRequest("m")
	var ours, base time.Duration
	var oursAllocs, baseAllocs uint64
	var n int
	for b.Loop() {
		m0, t0 := mallocs(), time.Now()
		n = drain(b, p, req)
		m1, t1 := mallocs(), time.Now()
		naive(body)
		m2, t2 := mallocs(), time.Now()
		ours, base = ours+t1.Sub(t0), base+t2.Sub(t1)
		oursAllocs, baseAllocs = oursAllocs+m1-m0, baseAllocs+m2-m1
	}
	if n != chunks+1 {
		b.Fatalf("%d chunks, want %d", n, chunks+1)
	}
	per := float64(b.N * n)
	b.ReportMetric(float64(ours.Nanoseconds())/per, "ns/chunk")
	b.ReportMetric(float64(oursAllocs)/per, "allocs/chunk")
	b.ReportMetric(float64(base.Nanoseconds())/per, "naive-ns/chunk")
	b.ReportMetric(float64(baseAllocs)/per, "naive-allocs/chunk")
	b.ReportMetric(float64(ours)/float64(base), "ratio")
}

// BenchmarkDirect is the direct-provider baseline on loopback: a streamed chat of
// 20 chunks from the fake, through the provider, against a bare HTTP POST whose
// body is read to its end. It reports median time to first chunk (first byte for
// the bare call) and total time of each, and what the provider adds.
func BenchmarkDirect(b *testing.B) {
	for _, w := range benchWires {
		b.Run(w.wire.String(), func(b *testing.B) {
			fake := providertest.New(b, w.wire)
			fake.SetDefault(textReply(20))
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 16}}
			defer client.CloseIdleConnections()
			p, err := w.new(fake.BaseURL(), fake.APIKey, client)
			if err != nil {
				b.Fatal(err)
			}
			req := benchRequest(fake.Models[0])
			// The bare call sends the very body the provider sent.
			_ = drain(b, p, req)
			sent := fake.Requests()[0]
			url := fake.URL() + sent.Path
			if sent.RawQuery != "" {
				url += "?" + sent.RawQuery
			}
			var oursFirst, oursTotal, bareFirst, bareTotal []time.Duration
			for b.Loop() {
				t, err := providertest.Time(context.Background(), p, req)
				if err != nil {
					b.Fatal(err)
				}
				oursFirst, oursTotal = append(oursFirst, t.FirstChunk), append(oursTotal, t.Total)
				first, total := bare(b, client, url, sent)
				bareFirst, bareTotal = append(bareFirst, first), append(bareTotal, total)
			}
			of, ot := providertest.Median(oursFirst), providertest.Median(oursTotal)
			bf, bt := providertest.Median(bareFirst), providertest.Median(bareTotal)
			b.ReportMetric(float64(of.Microseconds()), "µs-first-chunk")
			b.ReportMetric(float64(ot.Microseconds()), "µs-total")
			b.ReportMetric(float64(bf.Microseconds()), "bare-µs-first-byte")
			b.ReportMetric(float64(bt.Microseconds()), "bare-µs-total")
			b.ReportMetric(float64(ot)/float64(bt), "ratio-total")
		})
	}
}

func bare(b *testing.B, client *http.Client, url string, sent providertest.Request) (first, total time.Duration) {
	start := time.Now()
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(sent.Body))
	if err != nil {
		b.Fatal(err)
	}
	req.Header = sent.Header.Clone()
	resp, err := client.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	buf := make([]byte, 32<<10)
	for {
		n, err := resp.Body.Read(buf)
		if n > 0 && first == 0 {
			first = time.Since(start)
		}
		if err != nil {
			break
		}
	}
	return first, time.Since(start)
}
