package providertest

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	aiv1 "github.com/footingdev/footing/contracts/gen/go/footing/ai/v1"
)

type endpoint int

const (
	epUnknown endpoint = iota
	epChat
	epModels
	epEmbed
)

// A renderer is one wire format: routes, auth, error bodies and streams.
type renderer interface {
	basePath() string
	// route names the endpoint of a request and, for Gemini, the model in its path.
	route(method, path string) (endpoint, string)
	authorized(h httpHeader, key string) bool
	failure(f *Failure, model string) (status int, h http.Header, body []byte)
	stream(req *Request, model string, r *Reply) []frame
	models(ids []string) []byte
	embed(body []byte, path string) ([]byte, *Failure)
	// carried is the part of u the wire can express.
	carried(u *aiv1.Usage) *aiv1.Usage
}

type httpHeader interface{ Get(string) string }

func modelOf(body []byte) string {
	var v struct {
		Model string `json:"model"`
	}
	_ = json.Unmarshal(body, &v)
	return v.Model
}

// mustJSON marshals v compactly without escaping HTML, as the providers do.
func mustJSON(v any) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic("providertest: " + err.Error())
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

// event renders one SSE event: an optional event line, then data, then a blank line.
func event(name string, data []byte) frame {
	var b bytes.Buffer
	if name != "" {
		b.WriteString("event: ")
		b.WriteString(name)
		b.WriteByte('\n')
	}
	b.WriteString("data: ")
	b.Write(data)
	b.WriteString("\n\n")
	return frame{b: b.Bytes()}
}

func comment(text string) frame {
	return frame{b: []byte(":" + prefixSpace(text) + "\n\n")}
}

func prefixSpace(s string) string {
	if s == "" || strings.HasPrefix(s, " ") {
		return s
	}
	return " " + s
}

// stepFrames renders the steps common to every wire (raw bytes, comments) and
// reports whether it did.
func commonStep(s Step) (frame, bool) {
	switch {
	case s.Raw != "":
		return frame{b: []byte(s.Raw), raw: true, delay: s.Delay}, true
	case s.Comment != "":
		fr := comment(s.Comment)
		fr.delay = s.Delay
		return fr, true
	}
	return frame{}, false
}

// vector is the fake embedding of the i-th input.
func vector(i int, text string, dims int) []float32 {
	if dims <= 0 {
		dims = 4
	}
	v := make([]float32, dims)
	for j := range v {
		v[j] = float32(len(text)+j) / float32(i+1+j)
	}
	return v
}

func words(texts []string) int64 {
	var n int64
	for _, t := range texts {
		n += int64(len(strings.Fields(t)))
	}
	return n
}

// retryHeaders renders a failure's retry hint as retry-after or retry-after-ms.
func retryHeaders(f *Failure) http.Header {
	h := http.Header{}
	if f.RetryAfter > 0 {
		if f.RetryAfterMs {
			h.Set("Retry-After-Ms", strconv.FormatInt(f.RetryAfter.Milliseconds(), 10))
		} else {
			h.Set("Retry-After", strconv.FormatInt(int64((f.RetryAfter+time.Second-1)/time.Second), 10))
		}
	}
	return h
}
