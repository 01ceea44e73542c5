package config_test

import (
	"errors"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/footingdev/footing/gatewaycore/config"
	"github.com/footingdev/footing/gatewaycore/server"
)

type dbConfig struct {
	URL      string `env:"URL" required:"true"`
	Password string `env:"PASSWORD" secret:"true"`
	MaxConns int32  `env:"MAX_CONNS" default:"10"`
}

type appConfig struct {
	Name    string        `env:"NAME" default:"adrs"`
	Debug   bool          `env:"DEBUG"`
	Timeout time.Duration `env:"TIMEOUT" default:"5s"`
	Ratio   float64       `env:"RATIO" default:"0.5"`
	Origins []string      `env:"ORIGINS"`
	Bind    netip.Addr    `env:"BIND" default:"127.0.0.1"`
	Port    uint16        `env:"PORT" default:"8080"`
	APIKey  string        `env:"API_KEY" secret:"true" required:"true"`
	Ignored string        `env:"-"`
	DB      dbConfig      `prefix:"DB_"`
}

func env(m map[string]string) config.Option {
	return config.WithLookup(func(k string) (string, bool) { v, ok := m[k]; return v, ok })
}

func TestLoad(t *testing.T) {
	t.Parallel()
	var c appConfig
	err := config.Load(&c, config.WithPrefix("SVC_"), env(map[string]string{
		"SVC_DEBUG": "true", "SVC_ORIGINS": "https://a.test, https://b.test,", "SVC_API_KEY": "k",
		"SVC_DB_URL": "postgres://x", "SVC_DB_MAX_CONNS": "20", "SVC_PORT": "9090",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if c.Name != "adrs" || !c.Debug || c.Timeout != 5*time.Second || c.Ratio != 0.5 || c.Port != 9090 ||
		!slices.Equal(c.Origins, []string{"https://a.test", "https://b.test"}) || c.Bind.String() != "127.0.0.1" ||
		c.DB.URL != "postgres://x" || c.DB.MaxConns != 20 || c.APIKey != "k" {
		t.Fatalf("loaded %+v", c)
	}
}

func TestLoadReportsEveryProblemWithoutSecrets(t *testing.T) {
	t.Parallel()
	var c appConfig
	err := config.Load(&c, env(map[string]string{
		"TIMEOUT": "soon", "PORT": "70000", "DEBUG": "maybe", "BIND": "not-an-ip", "DB_PASSWORD": "x",
	}))
	var cerr *config.Error
	if !errors.As(err, &cerr) {
		t.Fatalf("want *config.Error, got %v", err)
	}
	var vars []string
	for _, p := range cerr.Problems {
		vars = append(vars, p.Var)
	}
	slices.Sort(vars)
	want := []string{"API_KEY", "BIND", "DB_URL", "DEBUG", "PORT", "TIMEOUT"}
	if !slices.Equal(vars, want) {
		t.Fatalf("problems for %v, want %v\n%v", vars, want, err)
	}

	type secretInt struct {
		Pin int `env:"PIN" secret:"true"`
	}
	err = config.Load(&secretInt{}, env(map[string]string{"PIN": "hunter2-is-not-a-number"}))
	if err == nil || strings.Contains(err.Error(), "hunter2") || !strings.Contains(err.Error(), "PIN") {
		t.Fatalf("secret error = %v; want the name and not the value", err)
	}
}

func TestFileUnderEnvironment(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), ".env")
	content := "# settings\nexport NAME=from-file\nAPI_KEY='s3cret # not a comment'\nDB_URL=\"postgres://file\\n\" # comment\nDB_MAX_CONNS=3 # inline\n"
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	var c appConfig
	if err := config.Load(&c, config.WithFile(path), env(map[string]string{"DB_MAX_CONNS": "7"})); err != nil {
		t.Fatal(err)
	}
	if c.Name != "from-file" || c.APIKey != "s3cret # not a comment" || c.DB.URL != "postgres://file\n" || c.DB.MaxConns != 7 {
		t.Fatalf("loaded %+v", c)
	}
	if err := config.Load(&c, config.WithFile(filepath.Join(t.TempDir(), "missing"))); err == nil {
		t.Fatal("missing required file accepted")
	}
	if err := config.Load(&c, config.WithOptionalFile(filepath.Join(t.TempDir(), "missing")), env(map[string]string{"API_KEY": "k", "DB_URL": "u"})); err != nil {
		t.Fatalf("missing optional file: %v", err)
	}
}

func TestParseFileErrors(t *testing.T) {
	t.Parallel()
	_, err := config.ParseFile(strings.NewReader("GOOD=1\nno equals sign\n1BAD=x\nQ=\"open secret-value\nE='x' trailing\n"))
	if err == nil {
		t.Fatal("want errors")
	}
	for _, want := range []string{"line 2", "line 3", "line 4", "line 5"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not report %s", err, want)
		}
	}
	if strings.Contains(err.Error(), "secret-value") {
		t.Fatalf("error echoes a value: %v", err)
	}
}

type validated struct {
	Min int `env:"MIN" default:"5"`
	Max int `env:"MAX" default:"1"`
}

func (v validated) Validate() error {
	var p []error
	if v.Min > v.Max {
		p = append(p, errors.New("MIN must not exceed MAX"))
	}
	if v.Max < 2 {
		p = append(p, errors.New("MAX must be at least 2"))
	}
	return errors.Join(p...)
}

func TestValidateIsCalled(t *testing.T) {
	t.Parallel()
	var cerr *config.Error
	if err := config.Load(&validated{}, env(nil)); !errors.As(err, &cerr) || len(cerr.Problems) != 2 {
		t.Fatalf("want both Validate problems, got %v", err)
	}
}

func TestServerConfig(t *testing.T) {
	t.Parallel()
	var c server.Config
	if err := config.Load(&c, config.WithPrefix("HTTP_"), env(map[string]string{"HTTP_DRAIN_DELAY": "2s"})); err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:8080" || c.DrainDelay != 2*time.Second || c.ShutdownTimeout != 30*time.Second {
		t.Fatalf("loaded %+v", c)
	}
}

func TestDescribeRedactsSecrets(t *testing.T) {
	t.Parallel()
	c := appConfig{APIKey: "top-secret", Name: "x"}
	c.DB.Password = "pw-secret"
	for _, v := range config.Describe(&c) {
		if strings.Contains(v.Value, "secret") {
			t.Fatalf("%s shows its secret value", v.Name)
		}
		if v.Name == "API_KEY" && (v.Value != config.Redacted || !v.Secret || !v.Required) {
			t.Fatalf("API_KEY described as %+v", v)
		}
	}
}
