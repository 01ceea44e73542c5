package providertest

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"sort"
	"time"

	"github.com/footingdev/footing/aigateway/provider"
	aiv1 "github.com/footingdev/footing/contracts/gen/go/footing/ai/v1"
)

// Render returns the bytes a fake of wire sends for r, as an answer to a request
// for model (OpenAI's with stream_options.include_usage). Delays, stalls and
// split writes do not apply; line endings do.
func Render(wire Wire, model string, r Reply) ([]byte, error) {
	f, err := newFake(wire)
	if err != nil {
		return nil, err
	}
	req := Request{Model: model, Body: []byte(`{"model":"` + model + `","stream":true,"stream_options":{"include_usage":true}}`)}
	var buf bytes.Buffer
	crlf := (r.CRLF || wire == Gemini) && !r.LFOnly
	for _, fr := range f.render.stream(&req, model, &r) {
		b := fr.b
		if crlf && !fr.raw {
			b = bytes.ReplaceAll(b, []byte("\n"), []byte("\r\n"))
		}
		buf.Write(b)
	}
	return buf.Bytes(), nil
}

// RoundTripper answers every request from memory with body, as a 200
// text/event-stream response: a transport for benchmarks that leave the network
// out. It is safe for concurrent use.
func RoundTripper(body []byte) http.RoundTripper {
	return memoryTransport(body)
}

type memoryTransport []byte

func (m memoryTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		_, _ = io.Copy(io.Discard, req.Body)
		_ = req.Body.Close()
	}
	return &http.Response{
		StatusCode: http.StatusOK, Status: "200 OK", Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header:  http.Header{"Content-Type": {"text/event-stream"}},
		Body:    io.NopCloser(bytes.NewReader(m)),
		Request: req, ContentLength: -1,
	}, nil
}

// A Timing is one measured stream.
type Timing struct {
	// FirstChunk is the time from the call to the first chunk.
	FirstChunk time.Duration
	// Total is the time from the call to the end of the stream.
	Total time.Duration
	// Chunks is how many chunks the stream yielded.
	Chunks int
}

// Time runs one chat on p, reads it to its end and measures it: the direct
// baseline that a path through the gateway is compared with.
func Time(ctx context.Context, p provider.Provider, req *aiv1.ChatRequest) (Timing, error) {
	start := time.Now()
	st, err := p.Chat(ctx, req)
	if err != nil {
		return Timing{}, err
	}
	defer func() { _ = st.Close() }()
	var t Timing
	for {
		_, err := st.Next()
		if errors.Is(err, io.EOF) {
			t.Total = time.Since(start)
			return t, nil
		}
		if err != nil {
			return t, err
		}
		if t.Chunks == 0 {
			t.FirstChunk = time.Since(start)
		}
		t.Chunks++
	}
}

// Median returns the median of ds (0 for none). It sorts ds.
func Median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	return ds[len(ds)/2]
}
