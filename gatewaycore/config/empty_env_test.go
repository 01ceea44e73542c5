package config_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/footingdev/footing/gatewaycore/config"
)

// TestEmptyEnvironmentDoesNotHideTheFile: an empty variable counts as not set
// (the default applies), so it must not hide the env file's value either —
// compose files that pass `TIMEOUT: ${TIMEOUT}` set it empty whenever the host
// lacks it, and the file's 30s silently became the 5s default.
func TestEmptyEnvironmentDoesNotHideTheFile(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), ".env")
	if err := os.WriteFile(path, []byte("TIMEOUT=30s\nNAME=from-file\nKEY=file-secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var c struct {
		Timeout time.Duration `env:"TIMEOUT" default:"5s"`
		Name    string        `env:"NAME" default:"default"`
		Key     string        `env:"KEY" required:"true" secret:"true"`
	}
	err := config.Load(&c, config.WithFile(path), env(map[string]string{"TIMEOUT": "", "NAME": "", "KEY": ""}))
	if err != nil || c.Timeout != 30*time.Second || c.Name != "from-file" || c.Key != "file-secret" {
		t.Fatalf("loaded %+v, %v; want the file's values", c, err)
	}
}
