package config_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/footingdev/footing/gatewaycore/config"
)

type limits struct {
	Rate  int    `env:"RATE_LIMIT_PER_SECOND" default:"100"`
	Burst int    `env:"RATE_BURST" default:"10"`
	Key   string `env:"PAGE_TOKEN_KEY" secret:"true"`
}

func (l limits) Validate() error {
	var p []error
	if l.Rate <= 0 {
		p = append(p, errors.New("RATE_LIMIT_PER_SECOND: must be positive"))
	}
	if l.Burst < l.Rate/100 {
		p = append(p, errors.New("RATE_BURST must be at least RATE_LIMIT_PER_SECOND / 100"))
	}
	if len(l.Key) < 32 {
		p = append(p, errors.New("PAGE_TOKEN_KEY: must be at least 32 bytes"))
	}
	return errors.Join(p...)
}

// TestValidateRunsBesideParseProblems: issue 5 asks that every missing or invalid
// variable be reported at once. A service's own checks (its Validate) ran only when
// every variable had parsed, so RATE_LIMIT_PER_SECOND=abc hid a short PAGE_TOKEN_KEY
// until the next start. Validate now runs anyway; what it says about a variable that
// already has a problem (whose value is not what was given) is left out.
func TestValidateRunsBesideParseProblems(t *testing.T) {
	t.Parallel()
	var l limits
	err := config.Load(&l, env(map[string]string{"RATE_LIMIT_PER_SECOND": "abc", "PAGE_TOKEN_KEY": "short-secret"}))
	var cerr *config.Error
	if !errors.As(err, &cerr) {
		t.Fatalf("Load = %v, want a *config.Error", err)
	}
	text := err.Error()
	if !strings.Contains(text, "RATE_LIMIT_PER_SECOND: invalid") {
		t.Errorf("the parse problem is missing: %s", text)
	}
	if !strings.Contains(text, "PAGE_TOKEN_KEY: must be at least 32 bytes") {
		t.Errorf("Validate's problem with another variable is missing: %s", text)
	}
	if strings.Contains(text, "must be positive") || strings.Contains(text, "RATE_BURST must be") {
		t.Errorf("Validate's problems with the unparsed variable are reported: %s", text)
	}
	if len(cerr.Problems) != 2 || strings.Contains(text, "short-secret") {
		t.Errorf("want exactly two problems and no secret: %s", text)
	}
}

// With a prefix, a Validate that names its variables without it (server.Config says
// "ADDR") is matched by the unprefixed name too.
func TestValidateBesideParseProblemsUnderAPrefix(t *testing.T) {
	t.Parallel()
	var l limits
	err := config.Load(&l, config.WithPrefix("APP_"), env(map[string]string{"APP_RATE_LIMIT_PER_SECOND": "abc", "APP_PAGE_TOKEN_KEY": "x"}))
	text := err.Error()
	if !strings.Contains(text, "APP_RATE_LIMIT_PER_SECOND: invalid") || !strings.Contains(text, "PAGE_TOKEN_KEY: must be at least 32 bytes") ||
		strings.Contains(text, "must be positive") {
		t.Errorf("Load under a prefix: %s", text)
	}
}
