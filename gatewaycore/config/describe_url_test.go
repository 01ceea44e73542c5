package config_test

import (
	"strings"
	"testing"

	"github.com/footingdev/footing/gatewaycore/config"
)

// TestDescribeRedactsURLPasswords: Describe is for start-up logs, and a connection
// URL carries its password (redis://:pw@host, postgres://user:pw@host/db). A field
// not tagged secret — as the README's own `Redis string env:"REDIS_URL"` is not —
// printed the password whole; the password part of any URL is now redacted, the
// rest (user, host, database) kept.
func TestDescribeRedactsURLPasswords(t *testing.T) {
	t.Parallel()
	c := struct {
		Redis   string   `env:"REDIS_URL" default:"redis://:defaultpw@127.0.0.1:6379/0"`
		DB      string   `env:"DATABASE_URL"`
		Peers   []string `env:"PEERS"`
		Plain   string   `env:"PLAIN"`
		Raw     string   `env:"RAW"`
		NoCreds string   `env:"NO_CREDS"`
	}{
		Redis: "redis://:hunter2@cache.internal:6379/0", DB: "postgres://app:s3cret@db.internal:5432/app?sslmode=require",
		Peers: []string{"https://u:peerpw@a.example", "https://b.example"}, Plain: "not a url: p@ss", Raw: "postgres://app:pa@ssw0rd@db.internal/app", NoCreds: "https://user@host/x",
	}
	var all strings.Builder
	for _, v := range config.Describe(&c) {
		all.WriteString(v.Name + "=" + v.Value + " default=" + v.Default + "\n")
	}
	got := all.String()
	for _, secret := range []string{"hunter2", "s3cret", "peerpw", "defaultpw", "ssw0rd"} {
		if strings.Contains(got, secret) {
			t.Errorf("Describe shows %q:\n%s", secret, got)
		}
	}
	for _, kept := range []string{"cache.internal:6379", "app:", "db.internal", "b.example", "not a url: p@ss", "https://user@host/x"} {
		if !strings.Contains(got, kept) {
			t.Errorf("Describe lost %q:\n%s", kept, got)
		}
	}
}
