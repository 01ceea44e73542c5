package main

import (
	"bytes"
	"context"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
	"time"
)

// TestLoadAcrossInstances builds adr-server and runs a short load over two
// instances sharing one database and Redis, as the documented
// "-instances 3" command does: every instance must start (each with its own
// ports, the admin listener's too), serve part of the load, and the report must
// say so per instance.
func TestLoadAcrossInstances(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the server binary") // make test-short only; make test runs it.
	}
	bin := filepath.Join(t.TempDir(), "adr-server")
	build := exec.Command("go", "build", "-o", bin, "../adr-server")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	var out bytes.Buffer
	o := options{server: bin, instances: 2, rate: 40, duration: time.Second, tenants: 2, seed: 2, getWeight: 4}
	if err := load(context.Background(), o, &out); err != nil {
		t.Fatalf("load: %v\n%s", err, out.String())
	}
	report := out.String()
	if m := regexp.MustCompile(`requests=(\d+) errors=0 `).FindStringSubmatch(report); m == nil {
		t.Fatalf("no error-free summary line:\n%s", report)
	} else if n, _ := strconv.Atoi(m[1]); n < 20 {
		t.Errorf("%d requests at 40/s for 1s, want at least 20:\n%s", n, report)
	}
	for _, i := range []string{"0", "1"} {
		m := regexp.MustCompile(`instance ` + i + `: served (\d+) requests`).FindStringSubmatch(report)
		if m == nil {
			t.Fatalf("no served count for instance %s:\n%s", i, report)
		}
		if n, _ := strconv.Atoi(m[1]); n == 0 {
			t.Errorf("instance %s served nothing:\n%s", i, report)
		}
	}
}

// TestServerThatDoesNotStartSaysWhy: a server that exits before it listens
// (here: a configuration it refuses) is reported with the end of what it wrote,
// not only its exit status.
func TestServerThatDoesNotStartSaysWhy(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the server binary")
	}
	bin := filepath.Join(t.TempDir(), "adr-server")
	build := exec.Command("go", "build", "-o", bin, "../adr-server")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	_, err := startServer(bin, []string{"ADDR=127.0.0.1:0", "ADMIN_ADDR=127.0.0.1:0", "LOG_FORMAT=text",
		"DATABASE_URL=", "PAGE_TOKEN_KEY=", "OIDC_ISSUER=", "OIDC_JWKS_URL="})
	if err == nil {
		t.Fatal("a server with no DATABASE_URL started")
	}
	if !regexp.MustCompile(`exited before listening: exit status \d+`).MatchString(err.Error()) ||
		!regexp.MustCompile(`DATABASE_URL`).MatchString(err.Error()) {
		t.Errorf("error %q does not give the exit status and the server's own words (DATABASE_URL)", err)
	}
}
