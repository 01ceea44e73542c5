package config_test

import (
	"strings"
	"testing"

	"github.com/footingdev/footing/gatewaycore/config"
)

// TestDescribeRedactsPasswordsInURLQueries: libpq and pgx take every connection
// parameter as a query parameter too ("postgres://app@db/app?password=…",
// "postgres:///app?host=/run/pg&password=…"), and signed or token URLs carry their
// credential there ("?access_token=…", "X-Amz-Signature=…"). Describe redacted only
// a URL's user-info password, so for a field not tagged secret start-up logs showed
// these whole. The values of secret query parameters are now redacted (by the keys
// observability's log redaction knows), the rest of the URL kept.
func TestDescribeRedactsPasswordsInURLQueries(t *testing.T) {
	t.Parallel()
	c := struct {
		DB     string   `env:"DATABASE_URL" default:"postgres://app@127.0.0.1/app?password=defaultpw"`
		Socket string   `env:"SOCKET_DSN"`
		Redis  string   `env:"REDIS_URL"`
		Hooks  []string `env:"HOOKS"`
		Plain  string   `env:"PLAIN"`
	}{
		DB:     "postgres://app@db.internal/app?sslmode=require&password=s3cret",
		Socket: "postgres:///app?host=/run/pg&sslpassword=keypw",
		Redis:  "redis://cache.internal:6379/0?password=hunter2",
		Hooks:  []string{"https://hooks.example/in?access_token=tok3n&x=1", "https://b.example/?page=2"},
		Plain:  "a=1&b=2",
	}
	var all strings.Builder
	for _, v := range config.Describe(&c) {
		all.WriteString(v.Name + "=" + v.Value + " default=" + v.Default + "\n")
	}
	got := all.String()
	for _, secret := range []string{"s3cret", "keypw", "hunter2", "tok3n", "defaultpw"} {
		if strings.Contains(got, secret) {
			t.Errorf("Describe shows %q:\n%s", secret, got)
		}
	}
	for _, kept := range []string{"postgres://app@db.internal/app?sslmode=require&password=", "host=/run/pg", "cache.internal:6379/0",
		"&x=1", "https://b.example/?page=2", "a=1&b=2", "postgres://app@127.0.0.1/app"} {
		if !strings.Contains(got, kept) {
			t.Errorf("Describe lost %q:\n%s", kept, got)
		}
	}
}
