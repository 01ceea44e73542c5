package instrument_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/footingdev/footing/observability/instrument"
	"github.com/footingdev/footing/observability/logging"
	"github.com/footingdev/footing/observability/tracing"
)

// Credentials of the shapes the URL tests place (none of them real).
const (
	urlJWT    = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1LTQyIiwic2NvcGUiOiJyZXNldCJ9.c2lnbmF0dXJlLW9mLXRoZS10b2tlbg"
	awsKeyID  = "AKIAIOSFODNN7EXAMPLE"
	urlSig    = "Zm9vYmFyc2lnbmF0dXJlMTIzNDU2"
	openAIKey = "sk-proj-Q1w2E3r4T5y6U7i8O9p0AsDfGhJkL"
	urlSecret = "s3cr3tVALUE9"
)

// urlSecrets are the credentials the URL tests place, each to be absent from
// every recorded attribute and line.
var urlSecrets = []string{urlJWT, awsKeyID, urlSig, openAIKey, urlSecret, ghToken, "hunter2pass"}

// telemetry is one test's pipeline with an in-memory span exporter.
type telemetry struct {
	spans  *tracetest.InMemoryExporter
	reader *sdkmetric.ManualReader
	opts   []instrument.Option
}

func newTelemetry(t *testing.T, logger *slog.Logger) *telemetry {
	t.Helper()
	tel := &telemetry{spans: tracetest.NewInMemoryExporter(), reader: sdkmetric.NewManualReader()}
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(tel.spans))
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(tel.reader))
	t.Cleanup(func() {
		_ = tp.Shutdown(context.Background())
		_ = mp.Shutdown(context.Background())
	})
	tel.opts = []instrument.Option{
		instrument.WithTracerProvider(tp), instrument.WithMeterProvider(mp),
		instrument.WithPropagator(tracing.Propagator()), instrument.WithLogger(logger),
	}
	return tel
}

// span returns the one span of kind, failing unless there is exactly one.
func (tel *telemetry) span(t *testing.T, kind trace.SpanKind) tracetest.SpanStub {
	t.Helper()
	var found []tracetest.SpanStub
	for _, s := range tel.spans.GetSpans() {
		if s.SpanKind == kind {
			found = append(found, s)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%d %v spans, want 1", len(found), kind)
	}
	return found[0]
}

// metricValues returns every attribute value of every metric recorded.
func (tel *telemetry) metricValues(t *testing.T) []string {
	t.Helper()
	var rm metricdata.ResourceMetrics
	if err := tel.reader.Collect(context.Background(), &rm); err != nil {
		t.Fatal(err)
	}
	var out []string
	add := func(set attribute.Set) {
		for _, kv := range set.ToSlice() {
			out = append(out, kv.Value.String())
		}
	}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			switch d := m.Data.(type) {
			case metricdata.Histogram[float64]:
				for _, p := range d.DataPoints {
					add(p.Attributes)
				}
			case metricdata.Histogram[int64]:
				for _, p := range d.DataPoints {
					add(p.Attributes)
				}
			case metricdata.Sum[int64]:
				for _, p := range d.DataPoints {
					add(p.Attributes)
				}
			}
		}
	}
	if len(out) == 0 {
		t.Fatal("no metric recorded")
	}
	return out
}

// noSecret fails when any of values holds one of urlSecrets.
func noSecret(t *testing.T, what string, values ...string) {
	t.Helper()
	for _, v := range values {
		for _, s := range urlSecrets {
			if strings.Contains(v, s) {
				t.Errorf("%s holds the secret %q: %q", what, s, v)
			}
		}
	}
}

func stubAttrs(s tracetest.SpanStub) map[string]string {
	return attrMap(attribute.NewSet(s.Attributes...))
}

// TestClientURLFullHidesCredentials: url.full keeps the request's URL — path
// and query — but for its credentials: user info is REDACTED:REDACTED, the
// values of the query parameters the semantic conventions name (AWSAccessKeyId,
// Signature, sig, X-Goog-Signature) and of those named like secrets (as
// logging's keys, plus key and code) are REDACTED, and so is a query value or a
// path segment that is a JWT, a bearer credential or a provider's key. The old
// code dropped the query (the rest of the URL was not intact) and let a
// credential of the path through as "[REDACTED]" in the middle of the URL.
func TestClientURLFullHidesCredentials(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	t.Cleanup(srv.Close)
	host := strings.TrimPrefix(srv.URL, "http://")
	tests := []struct {
		name, userinfo, target, want string
	}{
		{"user and password", "alice:hunter2pass", "/v1/items", "/v1/items"},
		{"token as the user name", ghToken, "/o/r.git", "/o/r.git"},
		{
			"AWS signed URL", "",
			"/bucket/o.txt?AWSAccessKeyId=" + awsKeyID + "&Expires=1700000000&Signature=" + urlSig,
			"/bucket/o.txt?AWSAccessKeyId=REDACTED&Expires=1700000000&Signature=REDACTED",
		},
		{
			"Azure SAS", "",
			"/c/b.bin?sv=2022-11-02&sr=b&sp=r&sig=" + urlSig,
			"/c/b.bin?sv=2022-11-02&sr=b&sp=r&sig=REDACTED",
		},
		{
			"GCS and S3 signed URLs", "",
			"/b/o?X-Goog-Date=20261208T000000Z&X-Goog-Signature=" + urlSig + "&X-Amz-Signature=" + urlSig + "&X-Amz-Security-Token=" + urlSecret,
			"/b/o?X-Goog-Date=20261208T000000Z&X-Goog-Signature=REDACTED&X-Amz-Signature=REDACTED&X-Amz-Security-Token=REDACTED",
		},
		{
			"names like secrets", "",
			"/api?token=" + urlSecret + "&page=2&access_token=" + urlSecret + "&api_key=" + urlSecret + "&key=" + urlSecret +
				"&password=" + urlSecret + "&client_secret=" + urlSecret + "&code=" + urlSecret + "&sort=name",
			"/api?token=REDACTED&page=2&access_token=REDACTED&api_key=REDACTED&key=REDACTED" +
				"&password=REDACTED&client_secret=REDACTED&code=REDACTED&sort=name",
		},
		{
			"names in other cases and encodings", "",
			"/api?Access-Token=" + urlSecret + "&access%5Ftoken=" + urlSecret + "&user%5Bpassword%5D=" + urlSecret + "&auth[token]=" + urlSecret + "&n=1",
			"/api?Access-Token=REDACTED&access%5Ftoken=REDACTED&user%5Bpassword%5D=REDACTED&auth[token]=REDACTED&n=1",
		},
		{
			"credentials under other names", "",
			"/search?state=" + urlJWT + "&lang=en&q=" + openAIKey + "&h=Bearer%20" + urlSecret + "&next=https%3A%2F%2Fu%3A" + urlSecret + "%40h%2F&k=" + awsKeyID,
			"/search?state=REDACTED&lang=en&q=REDACTED&h=REDACTED&next=REDACTED&k=REDACTED",
		},
		{"a bare credential in the query", "", "/x?" + urlJWT + "&a=1", "/x?REDACTED&a=1"},
		{"JWT path segment", "", "/reset/" + urlJWT + "/confirm?lang=en", "/reset/REDACTED/confirm?lang=en"},
		{"provider keys in the path", "", "/keys/" + openAIKey + "/users/" + awsKeyID, "/keys/REDACTED/users/REDACTED"},
		{"escaped credentials in the path", "", "/cb/access_token%3D" + urlSecret + "/t/Bearer%20" + urlSecret, "/cb/access_token=REDACTED/t/Bearer%20REDACTED"},
		{"fragment", "", "/cb?x=1#access_token=" + urlSecret, "/cb?x=1"},
		{"nothing to hide", "", "/v1/items/42?page=2&sort=-name&q=hello+world", "/v1/items/42?page=2&sort=-name&q=hello+world"},
		{
			"Connect GET", "", "/acme.v1.UserService/GetUser?encoding=proto&base64=1&connect=v1&message=CgNhbm4",
			"/acme.v1.UserService/GetUser?encoding=proto&base64=1&connect=v1&message=REDACTED",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tel := newTelemetry(t, slog.New(slog.DiscardHandler))
			client := &http.Client{Transport: instrument.Transport(srv.Client().Transport, tel.opts...)}
			target := "http://" + host + tc.target
			want := "http://" + host + tc.want
			if tc.userinfo != "" {
				target = "http://" + tc.userinfo + "@" + host + tc.target
				want = "http://REDACTED:REDACTED@" + host + tc.want
			}
			resp, err := client.Get(target)
			if err != nil {
				t.Fatal(err)
			}
			_ = resp.Body.Close()
			attrs := stubAttrs(tel.span(t, trace.SpanKindClient))
			if attrs["url.full"] != want {
				t.Errorf("url.full = %q,\nwant       %q", attrs["url.full"], want)
			}
			for k, v := range attrs {
				noSecret(t, "span attribute "+k, v)
			}
			noSecret(t, "metric attribute", tel.metricValues(t)...)
		})
	}
}

// TestServerURLHidesCredentials: the server span's url.path and url.query and
// the access line's path keep the request's URL but for its credentials, by
// the rules url.full follows, whatever the logger's handler. The old code
// recorded no url.query, put "[REDACTED]" in url.path, and wrote a JWT or a
// provider's key in the path to an access line whose handler is not
// footing's as it was.
func TestServerURLHidesCredentials(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, target              string
		wantPath, wantQuery, line string
	}{
		{"reset token", "/reset?token=" + urlSecret + "&lang=en", "/reset", "token=REDACTED&lang=en", "/reset"},
		{"OAuth callback", "/oauth/callback?code=" + urlSecret + "&state=xyz", "/oauth/callback", "code=REDACTED&state=xyz", "/oauth/callback"},
		{"JWT in the query", "/magic?t=" + urlJWT, "/magic", "t=REDACTED", "/magic"},
		{"signed URL", "/dl?X-Amz-Date=20261208&X-Amz-Signature=" + urlSig + "&AWSAccessKeyId=" + awsKeyID, "/dl", "X-Amz-Date=20261208&X-Amz-Signature=REDACTED&AWSAccessKeyId=REDACTED", "/dl"},
		{"JWT path segment", "/reset/" + urlJWT + "/confirm", "/reset/REDACTED/confirm", "", "/reset/[REDACTED]/confirm"},
		{"provider key in the path", "/keys/" + openAIKey, "/keys/REDACTED", "", "/keys/[REDACTED]"},
		{"escaped credential in the path", "/cb/access_token%3D" + urlSecret + "/x", "/cb/access_token=REDACTED/x", "", "/cb/access_token=[REDACTED]/x"},
		{"bearer credential in the path", "/t/Bearer%20" + urlSecret + "/x", "/t/Bearer REDACTED/x", "", "/t/Bearer [REDACTED]/x"},
		{"nothing to hide", "/items/42?page=2&q=hello+world", "/items/42", "page=2&q=hello+world", "/items/42"},
		{
			"Connect GET", "/acme.v1.UserService/GetUser?connect=v1&encoding=json&message=%7B%22email%22%3A%22ann%40example.com%22%7D",
			"/acme.v1.UserService/GetUser", "connect=v1&encoding=json&message=REDACTED", "/acme.v1.UserService/GetUser",
		},
	}
	handlers := []struct {
		name string
		h    func(*syncBuffer) slog.Handler
	}{
		{"logging.Handler", func(w *syncBuffer) slog.Handler { return logging.NewHandler(w, nil) }},
		{"slog.JSONHandler", func(w *syncBuffer) slog.Handler { return slog.NewJSONHandler(w, nil) }},
	}
	for _, tc := range tests {
		for _, hc := range handlers {
			t.Run(tc.name+"/"+hc.name, func(t *testing.T) {
				t.Parallel()
				var out syncBuffer
				tel := newTelemetry(t, slog.New(hc.h(&out)))
				srv := httptest.NewServer(instrument.Middleware(tel.opts...)(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})))
				resp, err := srv.Client().Get(srv.URL + tc.target)
				if err != nil {
					t.Fatal(err)
				}
				_ = resp.Body.Close()
				srv.Close() // the handler has returned: the line is written

				attrs := stubAttrs(tel.span(t, trace.SpanKindServer))
				if attrs["url.path"] != tc.wantPath {
					t.Errorf("url.path = %q, want %q", attrs["url.path"], tc.wantPath)
				}
				if q, ok := attrs["url.query"]; q != tc.wantQuery || ok != (tc.wantQuery != "") {
					t.Errorf("url.query = %q (set: %v), want %q", q, ok, tc.wantQuery)
				}
				for k, v := range attrs {
					noSecret(t, "span attribute "+k, v)
				}
				noSecret(t, "metric attribute", tel.metricValues(t)...)

				noSecret(t, "access line", out.String())
				var line map[string]any
				if err := json.Unmarshal([]byte(out.String()), &line); err != nil {
					t.Fatalf("access line %q: %v", out.String(), err)
				}
				if line["path"] != tc.line {
					t.Errorf("access line path = %v, want %q", line["path"], tc.line)
				}
			})
		}
	}
}

// TestClientErrorHidesQueryCredentials: a failed request's error text, which
// may name the URL with its query (a retrying or signing RoundTripper's
// does), reaches the client span's status and exception event with the query
// redacted as url.full is. The old code redacted it as a log line is, which
// let ?code= and ?key= through.
func TestClientErrorHidesQueryCredentials(t *testing.T) {
	t.Parallel()
	tel := newTelemetry(t, slog.New(slog.DiscardHandler))
	client := &http.Client{Transport: instrument.Transport(failingTransport{}, tel.opts...)}
	resp, err := client.Get("https://api.example.com/oauth/cb?code=" + urlSecret + "&state=xyz&key=" + urlSig)
	if err == nil {
		_ = resp.Body.Close()
		t.Fatal("want an error")
	}
	s := tel.span(t, trace.SpanKindClient)
	texts := []string{s.Status.Description}
	for _, ev := range s.Events {
		for _, kv := range ev.Attributes {
			texts = append(texts, kv.Value.String())
		}
	}
	noSecret(t, "the span's error", texts...)
	if !strings.Contains(s.Status.Description, "/oauth/cb?code=REDACTED&state=xyz&key=REDACTED") ||
		len(s.Events) != 1 || !strings.Contains(strings.Join(texts, " "), "*url.Error") {
		t.Fatalf("status %q, events %v: want the error recorded with its query redacted", s.Status.Description, s.Events)
	}
}
