package cors_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"
	healthv1 "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/protobuf/types/known/durationpb"

	gatewayv1 "github.com/footingdev/footing/contracts/gen/go/footing/gateway/v1"
	healthv1connect "github.com/footingdev/footing/contracts/gen/go/grpc/health/v1/grpc_health_v1connect"
	"github.com/footingdev/footing/gatewaycore/cors"
)

const browserOrigin = "https://app.example.com"

type servingHealth struct {
	healthv1connect.UnimplementedHealthHandler
}

func (servingHealth) Check(context.Context, *connect.Request[healthv1.HealthCheckRequest]) (*connect.Response[healthv1.HealthCheckResponse], error) {
	return connect.NewResponse(&healthv1.HealthCheckResponse{Status: healthv1.HealthCheckResponse_SERVING}), nil
}

func newServer(t *testing.T, opts ...cors.Option) *httptest.Server {
	t.Helper()
	h, err := cors.New(opts...)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle(healthv1connect.NewHealthHandler(servingHealth{}))
	mux.HandleFunc("PUT /api/items/{id}", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") == "" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"id":"` + r.PathValue("id") + `"}`))
	})
	srv := httptest.NewServer(h.Wrap(mux))
	t.Cleanup(srv.Close)
	return srv
}

type preflightResult struct {
	StatusCode int
	Header     http.Header
}

func preflight(t *testing.T, url, origin, method, headers string) preflightResult {
	t.Helper()
	req, _ := http.NewRequest(http.MethodOptions, url, nil)
	req.Header.Set("Origin", origin)
	req.Header.Set("Access-Control-Request-Method", method)
	if headers != "" {
		req.Header.Set("Access-Control-Request-Headers", headers)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = res.Body.Close()
	return preflightResult{res.StatusCode, res.Header}
}

// originTransport adds the Origin header a browser would and records the last response.
type originTransport struct {
	origin string
	last   *http.Response
}

func (o *originTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Origin", o.origin)
	res, err := http.DefaultTransport.RoundTrip(r)
	o.last = res
	return res, err
}

func TestBrowserProtocols(t *testing.T) {
	t.Parallel()
	srv := newServer(t, cors.WithAllowedOrigins(browserOrigin), cors.WithCredentials(),
		cors.WithAllowedMethods("PUT"), cors.WithMaxAge(10*time.Minute))
	tests := []struct {
		name, method, path, reqHeaders string
		clientOpts                     []connect.ClientOption
	}{
		{"connect", http.MethodPost, healthv1connect.HealthCheckProcedure, "content-type,connect-protocol-version,connect-timeout-ms", nil},
		{"grpc-web", http.MethodPost, healthv1connect.HealthCheckProcedure, "content-type,x-grpc-web,x-user-agent,grpc-timeout", []connect.ClientOption{connect.WithGRPCWeb()}},
		{"json", http.MethodPut, "/api/items/7", "authorization,content-type,x-request-id", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			pf := preflight(t, srv.URL+tc.path, browserOrigin, tc.method, tc.reqHeaders)
			if pf.StatusCode != http.StatusNoContent ||
				pf.Header.Get("Access-Control-Allow-Origin") != browserOrigin ||
				pf.Header.Get("Access-Control-Allow-Credentials") != "true" ||
				pf.Header.Get("Access-Control-Max-Age") != "600" ||
				!strings.Contains(pf.Header.Get("Access-Control-Allow-Methods"), tc.method) {
				t.Fatalf("preflight: %d %v", pf.StatusCode, pf.Header)
			}
			for h := range strings.SplitSeq(tc.reqHeaders, ",") {
				if !strings.Contains(strings.ToLower(pf.Header.Get("Access-Control-Allow-Headers")), h) {
					t.Fatalf("preflight does not allow %s: %v", h, pf.Header.Get("Access-Control-Allow-Headers"))
				}
			}

			ot := &originTransport{origin: browserOrigin}
			if tc.name == "json" {
				req, _ := http.NewRequest(http.MethodPut, srv.URL+tc.path, strings.NewReader(`{}`))
				req.Header.Set("Authorization", "Bearer x")
				req.Header.Set("Content-Type", "application/json")
				res, err := (&http.Client{Transport: ot}).Do(req)
				if err != nil {
					t.Fatal(err)
				}
				_ = res.Body.Close()
				if res.StatusCode != http.StatusOK {
					t.Fatalf("actual: %d", res.StatusCode)
				}
			} else {
				c := healthv1connect.NewHealthClient(&http.Client{Transport: ot}, srv.URL, tc.clientOpts...)
				res, err := c.Check(context.Background(), connect.NewRequest(&healthv1.HealthCheckRequest{}))
				if err != nil || res.Msg.GetStatus() != healthv1.HealthCheckResponse_SERVING {
					t.Fatalf("actual: %v %v", res, err)
				}
			}
			h := ot.last.Header
			if h.Get("Access-Control-Allow-Origin") != browserOrigin || h.Get("Access-Control-Allow-Credentials") != "true" {
				t.Fatalf("actual response headers: %v", h)
			}
			for _, want := range []string{"Grpc-Status", "Grpc-Message", "X-Request-Id", "Retry-After", "RateLimit"} {
				if !strings.Contains(h.Get("Access-Control-Expose-Headers"), want) {
					t.Fatalf("%s not exposed: %q", want, h.Get("Access-Control-Expose-Headers"))
				}
			}
		})
	}
}

func TestRefusals(t *testing.T) {
	t.Parallel()
	srv := newServer(t, cors.WithAllowedOrigins(browserOrigin))
	if pf := preflight(t, srv.URL+"/api/items/1", "https://evil.example", http.MethodPost, "content-type"); pf.StatusCode != http.StatusForbidden || pf.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Fatalf("foreign origin preflight: %d %v", pf.StatusCode, pf.Header)
	}
	if pf := preflight(t, srv.URL+"/api/items/1", browserOrigin, http.MethodDelete, ""); pf.StatusCode != http.StatusForbidden {
		t.Fatalf("DELETE not allowed but preflight answered %d", pf.StatusCode)
	}
	if pf := preflight(t, srv.URL+"/api/items/1", browserOrigin, http.MethodPost, "content-type,x-secret-thing"); pf.StatusCode != http.StatusForbidden {
		t.Fatalf("unknown header allowed: %d", pf.StatusCode)
	}
	ot := &originTransport{origin: "https://evil.example"}
	c := healthv1connect.NewHealthClient(&http.Client{Transport: ot}, srv.URL)
	if _, err := c.Check(context.Background(), connect.NewRequest(&healthv1.HealthCheckRequest{})); err != nil {
		t.Fatal(err) // Servers do not refuse; browsers do, without the headers.
	}
	if ot.last.Header.Get("Access-Control-Allow-Origin") != "" || !strings.Contains(strings.Join(ot.last.Header.Values("Vary"), ","), "Origin") {
		t.Fatalf("foreign origin got CORS headers: %v", ot.last.Header)
	}
}

func TestOriginMatching(t *testing.T) {
	t.Parallel()
	h, err := cors.New(cors.WithAllowedOrigins("https://app.example.com", "https://*.example.org", "http://localhost:3000"))
	if err != nil {
		t.Fatal(err)
	}
	for origin, want := range map[string]bool{
		"https://app.example.com":   true,
		"HTTPS://APP.EXAMPLE.COM":   true,
		"https://app.example.com.x": false,
		"http://app.example.com":    false,
		"https://a.example.org":     true,
		"https://a.b.example.org":   true,
		"https://example.org":       false,
		"https://evilexample.org":   false,
		"http://a.example.org":      false,
		"http://localhost:3000":     true,
		"http://localhost:3001":     false,
		"null":                      false,
		"":                          false,
	} {
		if got := h.AllowsOrigin(origin); got != want {
			t.Errorf("AllowsOrigin(%q) = %v, want %v", origin, got, want)
		}
	}
}

func TestWildcard(t *testing.T) {
	t.Parallel()
	srv := newServer(t, cors.WithAllowedOrigins("*"))
	pf := preflight(t, srv.URL+healthv1connect.HealthCheckProcedure, "https://anyone.test", http.MethodPost, "content-type")
	if pf.StatusCode != http.StatusNoContent || pf.Header.Get("Access-Control-Allow-Origin") != "*" || pf.Header.Get("Access-Control-Allow-Credentials") != "" {
		t.Fatalf("wildcard preflight: %d %v", pf.StatusCode, pf.Header)
	}
}

func TestConfigErrors(t *testing.T) {
	t.Parallel()
	_, err := cors.New(cors.WithAllowedOrigins("*", "app.example.com", "https://x.test/path"), cors.WithCredentials())
	if err == nil {
		t.Fatal("want an error")
	}
	for _, want := range []string{"credentials", "app.example.com", "https://x.test/path"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %s", err, want)
		}
	}
	if _, err := cors.New(); err == nil {
		t.Error("no origins accepted")
	}
}

func TestFromPolicy(t *testing.T) {
	t.Parallel()
	h, err := cors.New(cors.FromPolicy(&gatewayv1.CorsPolicy{
		AllowedOrigins: []string{browserOrigin}, AllowCredentials: true,
		AllowedHeaders: []string{"X-Tenant"}, ExposedHeaders: []string{"X-Cost"}, MaxAge: durationpb.New(time.Minute),
	})...)
	if err != nil {
		t.Fatal(err)
	}
	r := httptest.NewRequest(http.MethodOptions, "/", nil)
	r.Header.Set("Origin", browserOrigin)
	r.Header.Set("Access-Control-Request-Method", "POST")
	r.Header.Set("Access-Control-Request-Headers", "x-tenant")
	rec := httptest.NewRecorder()
	h.Wrap(http.NotFoundHandler()).ServeHTTP(rec, r)
	if rec.Code != http.StatusNoContent || rec.Header().Get("Access-Control-Max-Age") != "60" || rec.Header().Get("Access-Control-Allow-Credentials") != "true" {
		t.Fatalf("preflight: %d %v", rec.Code, rec.Header())
	}
}

// TestSharedHeaderValues: the header values the handler shares between responses
// are never changed through one response's Header.Add, and an origin that differs
// from the configured one only in case is echoed as sent.
func TestSharedHeaderValues(t *testing.T) {
	t.Parallel()
	h, err := cors.New(cors.WithAllowedOrigins(browserOrigin), cors.WithCredentials())
	if err != nil {
		t.Fatal(err)
	}
	srv := h.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Add("Vary", "Accept-Encoding")
		w.Header().Add("Access-Control-Expose-Headers", "X-Extra")
		w.Header().Add("Access-Control-Allow-Credentials", "extra")
	}))
	for _, origin := range []string{browserOrigin, browserOrigin, "https://APP.example.com"} {
		r := httptest.NewRequest(http.MethodPost, "/", nil)
		r.Header.Set("Origin", origin)
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, r)
		hd := rec.Header()
		if got := hd.Values("Vary"); len(got) != 2 || got[0] != "Origin" || got[1] != "Accept-Encoding" {
			t.Fatalf("Vary = %q", got)
		}
		if got := hd.Values("Access-Control-Allow-Credentials"); len(got) != 2 || got[0] != "true" {
			t.Fatalf("Access-Control-Allow-Credentials = %q", got)
		}
		if got := hd.Values("Access-Control-Expose-Headers"); len(got) != 2 || got[1] != "X-Extra" {
			t.Fatalf("Access-Control-Expose-Headers = %q", got)
		}
		if got := hd.Get("Access-Control-Allow-Origin"); got != origin {
			t.Fatalf("Access-Control-Allow-Origin = %q, want %q", got, origin)
		}
	}
}
