package app_test

import (
	"strings"
	"testing"

	"github.com/footingdev/footing/examples/app"
	"github.com/footingdev/footing/gatewaycore/config"
)

// TestConfigReportsServerProblemsWithTheRest: the listeners' and shutdown's
// variables (ADDR, ADMIN_ADDR, SHUTDOWN_TIMEOUT, TLS_*) are part of the service's
// configuration, so a bad one is reported by LoadConfig together with every other
// problem — not after the service has connected to Postgres and Redis and started
// its job workers, when server.New first looks at them.
func TestConfigReportsServerProblemsWithTheRest(t *testing.T) {
	t.Parallel()
	env := map[string]string{
		"DATABASE_URL":     "postgres://footing_app:pw@127.0.0.1:5432/adr",
		"ADDR":             "127.0.0.1:8080",
		"ADMIN_ADDR":       "127.0.0.1:8080",
		"SHUTDOWN_TIMEOUT": "-1s",
		"TLS_CERT_FILE":    "/etc/tls/cert.pem",
	}
	lookup := func(name string) (string, bool) { v, ok := env[name]; return v, ok }
	_, err := app.LoadConfig(false, config.WithLookup(lookup))
	if err == nil {
		t.Fatal("LoadConfig accepted ADMIN_ADDR = ADDR, a negative SHUTDOWN_TIMEOUT and a certificate without a key")
	}
	// One problem a line, each under the heading.
	for _, line := range strings.Split(err.Error(), "\n")[1:] {
		if !strings.HasPrefix(line, "  ") {
			t.Errorf("LoadConfig's error has a line outside its list of problems: %q", line)
		}
	}
	for _, want := range []string{"OIDC_ISSUER", "PAGE_TOKEN_KEY", "ADMIN_ADDR", "SHUTDOWN_TIMEOUT", "TLS_KEY_FILE"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("LoadConfig's error does not name %s:\n%v", want, err)
		}
	}
	if strings.Contains(err.Error(), "pw@") {
		t.Errorf("LoadConfig's error shows DATABASE_URL's password:\n%v", err)
	}

	// In dev mode too, whose defaults fill the rest.
	env = map[string]string{"DATABASE_URL": env["DATABASE_URL"], "DEV": "true", "ADDR": "no-port"}
	if _, err := app.LoadConfig(false, config.WithLookup(lookup)); err == nil || !strings.Contains(err.Error(), "ADDR") {
		t.Errorf("dev mode with ADDR=no-port: error %v, want one naming ADDR", err)
	}
}
