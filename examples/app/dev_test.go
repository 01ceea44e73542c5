package app_test

import (
	"strings"
	"testing"

	"github.com/footingdev/footing/examples/app"
)

func TestDevURLs(t *testing.T) {
	t.Parallel()
	owner, appURL, err := app.DevURLs("postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable")
	if err != nil {
		t.Fatal(err)
	}
	if owner != "postgres://postgres@127.0.0.1:5432/footing_adr_dev?sslmode=disable" {
		t.Fatalf("owner = %s", owner)
	}
	if appURL != "postgres://footing_app:footing_app@127.0.0.1:5432/footing_adr_dev?sslmode=disable" {
		t.Fatalf("app = %s", appURL)
	}
	for _, bad := range []string{"", "mysql://x", "host=127.0.0.1 user=postgres"} {
		if _, _, err := app.DevURLs(bad); err == nil {
			t.Errorf("DevURLs(%q) accepted a non-URL", bad)
		}
	}
}

func TestDevBannerHasACopyableCurl(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	app.PrintDevBanner(&b, "http://127.0.0.1:8080", "http://127.0.0.1:9090", "tok.en.value")
	out := b.String()
	if strings.Contains(out, "8080/metrics") {
		t.Errorf("banner sends metrics to the API port:\n%s", out)
	}
	for _, want := range []string{
		"http://127.0.0.1:9090/metrics",
		"export TOKEN=tok.en.value",
		"curl -s -X POST http://127.0.0.1:8080/footing.examples.adr.v1.ADRService/CreateADR",
		`-H "Authorization: Bearer $TOKEN"`,
		app.DevTenant,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("banner lacks %q:\n%s", want, out)
		}
	}
}

func TestLoadConfigReportsEveryProblem(t *testing.T) {
	t.Setenv("DATABASE_URL", "")
	t.Setenv("OIDC_ISSUER", "")
	t.Setenv("PAGE_TOKEN_KEY", "c2hvcnQ=") // "short": too few bytes
	t.Setenv("RATE_LIMIT_PER_SECOND", "lots")
	_, err := app.LoadConfig(false)
	if err == nil {
		t.Fatal("LoadConfig accepted a broken environment")
	}
	msg := err.Error()
	for _, want := range []string{"DATABASE_URL", "RATE_LIMIT_PER_SECOND"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error does not name %s: %v", want, msg)
		}
	}
	if strings.Contains(msg, "c2hvcnQ=") {
		t.Fatalf("error shows the secret value: %v", msg)
	}
}

// TestDevModeRefusesADeploymentsIssuer: dev mode replaces the issuer with an in-process
// one and prints a 12-hour token for it. A deployment's environment that also sets DEV
// (left over from docker-compose.yml, or a platform's generic DEV=true) must not start
// with its OIDC_ISSUER silently swapped for the printed token's: it is refused, naming
// DEV. Dev mode with no issuer configured still loads.
func TestDevModeRefusesADeploymentsIssuer(t *testing.T) {
	t.Setenv("DATABASE_URL", "postgres://app@db.internal/adr")
	t.Setenv("PAGE_TOKEN_KEY", "")
	t.Setenv("OIDC_JWKS_URL", "")
	t.Setenv("DEV", "true")
	t.Setenv("OIDC_ISSUER", "https://idp.example.com")
	if _, err := app.LoadConfig(false); err == nil || !strings.Contains(err.Error(), "DEV") {
		t.Fatalf("DEV=true with OIDC_ISSUER loaded: %v", err)
	}
	if _, err := app.LoadConfig(true); err == nil || !strings.Contains(err.Error(), "DEV") {
		t.Fatalf("serve --dev with OIDC_ISSUER loaded: %v", err)
	}
	t.Setenv("OIDC_ISSUER", "")
	t.Setenv("OIDC_JWKS_URL", "https://idp.example.com/jwks")
	if _, err := app.LoadConfig(false); err == nil || !strings.Contains(err.Error(), "DEV") {
		t.Fatalf("DEV=true with OIDC_JWKS_URL loaded: %v", err)
	}
	t.Setenv("OIDC_JWKS_URL", "")
	cfg, err := app.LoadConfig(false)
	if err != nil || !cfg.Dev {
		t.Fatalf("dev mode without an issuer: %+v, %v", cfg.Dev, err)
	}
}

// TestDevModeStaysOnThisMachine: `migrate --dev` runs ALTER ROLE footing_app LOGIN
// PASSWORD 'footing_app' — roles are cluster-wide, so against a shared or production
// server (a DATABASE_URL left in the shell) it would open every database of the cluster
// to a published password, as a role that reads any tenant by setting app.tenant_id.
// Dev mode accepts only a server on this machine: loopback or a Unix socket.
func TestDevModeStaysOnThisMachine(t *testing.T) {
	t.Parallel()
	for _, ok := range []string{
		"postgres://postgres@127.0.0.1:5432/postgres",
		"postgres://postgres@localhost/postgres",
		"postgresql://postgres@[::1]:5433/postgres",
		"postgres://postgres@127.1.2.3/postgres",
		"postgres:///postgres?host=/var/run/postgresql",
	} {
		if _, _, err := app.DevURLs(ok); err != nil {
			t.Errorf("DevURLs(%q): %v", ok, err)
		}
	}
	for _, bad := range []string{
		"postgres://admin:secret@db.prod.example.com:5432/postgres",
		"postgres://admin@10.0.0.5/postgres",
		"postgres://admin@postgres:5432/postgres",
		"postgres://admin@localhost.evil.example/postgres",
		"postgres://admin@127.0.0.1/postgres?host=db.prod.example.com",
		"postgres://admin@127.0.0.1,db.prod.example.com/postgres",
	} {
		_, _, err := app.DevURLs(bad)
		if err == nil {
			t.Errorf("DevURLs(%q) accepted a server that is not on this machine", bad)
		} else if strings.Contains(err.Error(), "secret") {
			t.Errorf("DevURLs(%q) shows the password: %v", bad, err)
		}
	}
}
