package instrument_test

import (
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/footingdev/footing/observability/instrument"
	"github.com/footingdev/footing/observability/logging"
)

// Tokens of the shapes Git hosts issue (not real ones), which they take as a
// URL's user name.
const (
	ghToken = "ghp_Z9yX8wV7uT6sR5qP4oN3mL2kJ1iH0gF9eD8c"
	glToken = "glpat-Zx9Yw8Vu7Ts6Rq5Po4Nm"
)

// TestClientURLUserInfoRedacted: url.full carries no user info, neither the
// request's own nor that of a URL in its path, user name alone included, and
// shows where there was some as the semantic conventions say.
func TestClientURLUserInfoRedacted(t *testing.T) {
	t.Parallel()
	b := setup(t, sdktrace.AlwaysSample())
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	t.Cleanup(srv.Close)
	client := &http.Client{Transport: instrument.Transport(srv.Client().Transport, b.opts()...)}
	host := strings.TrimPrefix(srv.URL, "http://")
	want := "http://REDACTED:REDACTED@" + host + "/mirror/https://REDACTED:REDACTED@gitlab.com/o/r"
	wants := map[string]string{
		"http://" + ghToken + "@" + host + "/mirror/https://" + glToken + "@gitlab.com/o/r?access_token=" + glToken + "#" + glToken: want + "?access_token=REDACTED",
		"http://x-access-token:" + ghToken + "@" + host + "/mirror/https://oauth2:" + glToken + "@gitlab.com/o/r":                   want,
	}
	for target := range wants {
		resp, err := client.Get(target)
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()
	}
	spans := b.spans.Ended()
	if len(spans) != 2 {
		t.Fatalf("%d spans, want 2", len(spans))
	}
	got := map[string]bool{}
	for _, s := range spans {
		attrs := spanAttrs(s)
		got[attrs["url.full"]] = true
		for k, v := range attrs {
			if strings.Contains(v, ghToken) || strings.Contains(v, glToken) {
				t.Errorf("span attribute %s holds a token: %q", k, v)
			}
		}
	}
	for _, w := range wants {
		if !got[w] {
			t.Errorf("no span with url.full %q; have %v", w, got)
		}
	}
}

// TestServerURLUserInfoRedacted: a URL with user info in a request's path (a
// mirror or proxy route) reaches neither the access line, on either of its
// paths, nor the server span's url.path.
func TestServerURLUserInfoRedacted(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		h    func(*syncBuffer) slog.Handler
	}{
		{"WriteRecord", func(w *syncBuffer) slog.Handler { return logging.NewHandler(w, nil) }},
		{"slog.Logger", func(w *syncBuffer) slog.Handler { return opaque{logging.NewHandler(w, nil)} }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t, sdktrace.AlwaysSample())
			var out syncBuffer
			opts := append(b.opts(), instrument.WithLogger(slog.New(tc.h(&out))))
			h := instrument.Middleware(opts...)(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
				instrument.Annotate(r.Context(), slog.String("upstream", "https://oauth2:"+glToken+"@gitlab.com/o/r"))
			}))
			h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/mirror/https://"+ghToken+"@github.com/o/r", nil))

			line := out.String()
			if strings.Contains(line, ghToken) || strings.Contains(line, glToken) {
				t.Fatalf("access line holds a token: %s", line)
			}
			for _, want := range []string{`"path":"/mirror/https://[REDACTED]@github.com/o/r"`, `"upstream":"https://[REDACTED]@gitlab.com/o/r"`} {
				if !strings.Contains(line, want) {
					t.Fatalf("access line lacks %s: %s", want, line)
				}
			}
			ss := findSpan(t, b.spans.Ended(), "GET", trace.SpanKindServer)
			if got, want := spanAttrs(ss)["url.path"], "/mirror/https://REDACTED:REDACTED@github.com/o/r"; got != want {
				t.Fatalf("url.path = %q, want %q", got, want)
			}
		})
	}
}

// failingTransport fails every request with an error naming its URL, query
// included, as a retrying or signing RoundTripper's error may.
type failingTransport struct{}

func (failingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	return nil, &url.Error{Op: "retry " + r.Method, URL: r.URL.String(), Err: errors.New("connection reset")}
}

// TestTransportErrorRedacted: a failed request's error text went to the client
// span as it was, in the status and the exception event, with the URL's
// ?api_key= and a token user name.
func TestTransportErrorRedacted(t *testing.T) {
	t.Parallel()
	b := setup(t, sdktrace.AlwaysSample())
	client := &http.Client{Transport: instrument.Transport(failingTransport{}, b.opts()...)}
	resp, err := client.Get("https://" + ghToken + "@api.example.com/v1/items?api_key=" + glToken)
	if err == nil {
		_ = resp.Body.Close()
		t.Fatal("want an error")
	}
	s := findSpan(t, b.spans.Ended(), "GET", trace.SpanKindClient)
	var all strings.Builder
	all.WriteString(s.Status().Description)
	for _, ev := range s.Events() {
		for _, kv := range ev.Attributes {
			all.WriteString(" " + kv.Value.String())
		}
	}
	if strings.Contains(all.String(), ghToken) || strings.Contains(all.String(), glToken) {
		t.Fatalf("the span holds a token: %s", all.String())
	}
	if s.Status().Code != codes.Error || !strings.Contains(s.Status().Description, "connection reset") ||
		len(s.Events()) != 1 || !strings.Contains(all.String(), "*url.Error") {
		t.Fatalf("status %v, events %v: want the redacted error recorded", s.Status(), s.Events())
	}
}

// TestSpanPathRedactedAsTheLineIs: a credential in a request's path (a Java
// session id as a path parameter, a token=… segment) was kept out of the
// access line but went to the server span's url.path and the client span's
// url.full as it was.
func TestSpanPathRedactedAsTheLineIs(t *testing.T) {
	t.Parallel()
	const s = "hunter2s3cr3t"
	b := setup(t, sdktrace.AlwaysSample())
	var out syncBuffer
	opts := append(b.opts(), instrument.WithLogger(slog.New(logging.NewHandler(&out, nil))))
	srv := httptest.NewServer(instrument.Middleware(opts...)(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})))
	t.Cleanup(srv.Close)
	client := &http.Client{Transport: instrument.Transport(srv.Client().Transport, b.opts()...)}
	for _, p := range []string{"/app/cart;jsessionid=" + s, "/oauth/cb/access_token=" + s + "/done"} {
		resp, err := client.Get(srv.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()
	}
	srv.Close()
	if strings.Contains(out.String(), s) {
		t.Fatalf("access line holds the secret: %s", out.String())
	}
	for _, sp := range b.spans.Ended() {
		for k, v := range spanAttrs(sp) {
			if strings.Contains(v, s) {
				t.Errorf("%v span attribute %s holds the secret: %q", sp.SpanKind(), k, v)
			}
		}
	}
}
