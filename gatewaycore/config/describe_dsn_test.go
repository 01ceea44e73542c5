package config_test

import (
	"strings"
	"testing"

	"github.com/footingdev/footing/gatewaycore/config"
)

// TestDescribeRedactsKeywordPasswords: a libpq keyword/value connection string in a
// field not tagged secret keeps its password out of Describe, as a URL's does.
func TestDescribeRedactsKeywordPasswords(t *testing.T) {
	t.Parallel()
	c := struct {
		DSN     string   `env:"PG_DSN" default:"host=localhost password=defkv"`
		Quoted  string   `env:"PG_QUOTED"`
		Replica []string `env:"PG_REPLICAS"`
		Other   string   `env:"OTHER"`
	}{
		DSN:     "host=db.internal user=app password=s3cretkv dbname=app",
		Quoted:  `host=db.internal password = 'qu oted\'pw' sslmode=require`,
		Replica: []string{"host=r1 password=replicapw", "host=r2"},
		Other:   "user=password_admin passwords=many",
	}
	var all strings.Builder
	for _, v := range config.Describe(&c) {
		all.WriteString(v.Name + "=" + v.Value + " default=" + v.Default + "\n")
	}
	got := all.String()
	for _, secret := range []string{"s3cretkv", "qu oted", "oted", "replicapw", "defkv"} {
		if strings.Contains(got, secret) {
			t.Errorf("Describe shows %q:\n%s", secret, got)
		}
	}
	for _, kept := range []string{"host=db.internal user=app password=xxxxx dbname=app", "password = xxxxx sslmode=require",
		"host=r2", "host=localhost password=xxxxx", "user=password_admin passwords=many"} {
		if !strings.Contains(got, kept) {
			t.Errorf("Describe lost %q:\n%s", kept, got)
		}
	}
}
