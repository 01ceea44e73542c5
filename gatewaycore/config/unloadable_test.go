package config_test

import (
	"errors"
	"log/slog"
	"strings"
	"testing"

	"github.com/footingdev/footing/gatewaycore/config"
)

type cacheConfig struct {
	URL string `env:"URL" required:"true" secret:"true"`
}

// TestFieldsLoadCannotFillAreReported: Load skipped, without a word, what it cannot
// fill. A nested config behind a pointer (Cache *cacheConfig `prefix:"CACHE_"`) was
// never loaded — its required variable never asked for, so the service started
// without it and met a nil pointer later; a field of a type Load cannot parse
// (a map, a list of numbers) was accepted until the day its variable was set, and
// then the service would not start. Both are now problems on every Load, named by
// field; a pointer to a struct without env tags (a logger) is still left alone.
func TestFieldsLoadCannotFillAreReported(t *testing.T) {
	t.Parallel()
	var c struct {
		Name   string            `env:"NAME" default:"x"`
		Cache  *cacheConfig      `prefix:"CACHE_"`
		Ports  []int             `env:"PORTS"`
		Labels map[string]string `env:"LABELS"`
		Log    *slog.Logger      // no env tags inside: not configuration
	}
	err := config.Load(&c, env(map[string]string{"CACHE_URL": "redis://:s3cret@cache"}))
	var cerr *config.Error
	if !errors.As(err, &cerr) {
		t.Fatalf("Load = %v; want a *config.Error naming the fields it cannot fill", err)
	}
	msg := err.Error()
	for _, want := range []string{"Cache", "PORTS", "LABELS"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error does not name %s:\n%s", want, msg)
		}
	}
	for _, unwanted := range []string{"Log", "s3cret"} {
		if strings.Contains(msg, unwanted) {
			t.Errorf("error names %q:\n%s", unwanted, msg)
		}
	}
	if len(cerr.Problems) != 3 {
		t.Errorf("%d problems, want 3:\n%s", len(cerr.Problems), msg)
	}
}
