package app_test

import (
	"context"
	"encoding/base64"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/footingdev/footing/examples/adr"
	"github.com/footingdev/footing/examples/app"
	"github.com/footingdev/footing/gatewaycore/auth/authtest"
	"github.com/footingdev/footing/storage/pgtest"
	"github.com/footingdev/footing/storage/rls"
)

// TestMetricsOnlyOnTheAdminListener: /metrics shows internals (the Redis address, the
// route inventory), and was served on the public API listener to anyone. Now the
// public listener refuses it (it is not in the policy table: 403, as any undeclared
// route) and the admin listener (ADMIN_ADDR) serves it, with /healthz and /readyz on
// both; both stop at shutdown.
func TestMetricsOnlyOnTheAdminListener(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t, pgtest.WithMigrations(adr.Migrations()))
	issuer := authtest.NewIssuer()
	defer issuer.Close()
	cfg := app.Config{
		DatabaseURL: db.URL(rls.AppRole), RedisURL: redisURL(),
		Issuer: issuer.URL(), JWKSURL: issuer.JWKSURL(), Audience: authtest.DefaultAudience,
		PageTokenKey: base64.StdEncoding.EncodeToString([]byte(uuid.NewString() + uuid.NewString())),
		RateLimit:    1000, RateBurst: 1000, Workers: 1,
	}
	cfg.Server.Addr, cfg.Server.AdminAddr = "127.0.0.1:0", "127.0.0.1:0"
	cfg.Server.DrainDelay = -1
	a, err := app.New(context.Background(), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	ln, admin, err := app.Listen(cfg.Server)
	if err != nil {
		t.Fatal(err)
	}
	ctx, shutdown := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- a.ServeWithAdmin(ctx, ln, admin) }()

	client := &http.Client{Transport: &http.Transport{}, Timeout: 30 * time.Second}
	defer client.CloseIdleConnections()
	get := func(url string) (int, string) {
		t.Helper()
		res, err := client.Get(url) //nolint:noctx // test
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	public, adminURL := "http://"+ln.Addr().String(), "http://"+admin.Addr().String()
	if code, _ := get(public + "/healthz"); code != http.StatusOK {
		t.Errorf("public /healthz: %d", code)
	}
	// Not in the policy table, so the edge refuses it before the mux would say 404.
	if code, body := get(public + "/metrics"); (code != http.StatusForbidden && code != http.StatusNotFound) || strings.Contains(body, "http_server") {
		t.Errorf("public /metrics: %d %.200q; want it refused (403 or 404) without metrics", code, body)
	}
	if code, body := get(adminURL + "/metrics"); code != http.StatusOK || !strings.Contains(body, "http_server_request_duration_seconds") {
		t.Errorf("admin /metrics: %d %.200q; want 200 with the request metrics", code, body)
	}
	for _, path := range []string{"/healthz", "/readyz"} {
		if code, body := get(adminURL + path); code != http.StatusOK {
			t.Errorf("admin %s: %d %.200q", path, code, body)
		}
	}
	// The admin listener serves nothing else: not the API.
	if code, _ := get(adminURL + "/footing.examples.adr.v1.ADRService/ListADRs"); code != http.StatusNotFound && code != http.StatusMethodNotAllowed {
		t.Errorf("admin listener serves the API: %d", code)
	}

	client.CloseIdleConnections()
	shutdown()
	select {
	case err := <-served:
		if err != nil {
			t.Fatalf("ServeWithAdmin: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("ServeWithAdmin did not return")
	}
	for _, addr := range []string{ln.Addr().String(), admin.Addr().String()} {
		if conn, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			_ = conn.Close()
			t.Errorf("%s accepts connections after shutdown", addr)
		}
	}
}

// TestAdminAddrDefaultsToLoopback: LoadConfig puts the admin listener on loopback
// unless ADMIN_ADDR says otherwise, and ADMIN_ADDR=off serves none.
func TestAdminAddrDefaultsToLoopback(t *testing.T) {
	t.Setenv("DATABASE_URL", "postgres://app@db.internal/adr")
	t.Setenv("OIDC_ISSUER", "")
	t.Setenv("OIDC_JWKS_URL", "")
	t.Setenv("PAGE_TOKEN_KEY", "")
	for env, want := range map[string]string{"": app.DefaultAdminAddr, "10.1.2.3:9100": "10.1.2.3:9100", "off": ""} {
		t.Setenv("ADMIN_ADDR", env)
		cfg, err := app.LoadConfig(true)
		if err != nil {
			t.Fatal(err)
		}
		if cfg.Server.AdminAddr != want {
			t.Errorf("ADMIN_ADDR=%q: AdminAddr %q, want %q", env, cfg.Server.AdminAddr, want)
		}
	}
	if app.DefaultAdminAddr != "127.0.0.1:9090" {
		t.Errorf("DefaultAdminAddr %q: want loopback 127.0.0.1:9090", app.DefaultAdminAddr)
	}
}
