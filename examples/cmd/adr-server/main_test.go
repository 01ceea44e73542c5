package main

import (
	"bufio"
	"context"
	"encoding/base64"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/google/uuid"

	"github.com/footingdev/footing/contracts/errs"
	"github.com/footingdev/footing/examples/adr"
	adrv1 "github.com/footingdev/footing/examples/gen/go/footing/examples/adr/v1"
	"github.com/footingdev/footing/examples/gen/go/footing/examples/adr/v1/adrv1connect"
	"github.com/footingdev/footing/examples/internal/bearer"
	"github.com/footingdev/footing/gatewaycore/auth/authtest"
	"github.com/footingdev/footing/storage/pgtest"
	"github.com/footingdev/footing/storage/rls"
)

func redisURL() string {
	if u := os.Getenv("TEST_REDIS_URL"); u != "" {
		return u
	}
	return "redis://127.0.0.1:6379/0"
}

var (
	listening      = regexp.MustCompile(`adr-server listening.*addr=(\S+)`)
	adminListening = regexp.MustCompile(`adr-server admin listening.*admin_addr=(\S+)`)
)

// TestBinary builds adr-server, runs it as a process against a fresh database, drives
// it over Connect, gRPC (h2c) and gRPC-Web, and stops it with SIGTERM.
func TestBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary") // make test-short only; make test runs it.
	}
	bin := filepath.Join(t.TempDir(), "adr-server")
	build := exec.Command("go", "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	db := pgtest.New(t, pgtest.WithMigrations(adr.Migrations()))
	issuer := authtest.NewIssuer()
	defer issuer.Close()

	cmd := exec.Command(bin, "serve")
	cmd.Env = append(os.Environ(),
		"ADDR=127.0.0.1:0", "ADMIN_ADDR=127.0.0.1:0", "DRAIN_DELAY=-1s", "LOG_FORMAT=text", "OTEL_TRACES_EXPORTER=none",
		"DATABASE_URL="+db.URL(rls.AppRole), "REDIS_URL="+redisURL(),
		"OIDC_ISSUER="+issuer.URL(), "OIDC_JWKS_URL="+issuer.JWKSURL(), "OIDC_AUDIENCE=adr-api",
		"PAGE_TOKEN_KEY="+base64.StdEncoding.EncodeToString([]byte(uuid.NewString()+uuid.NewString())),
	)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	addr, adminAddr := make(chan string, 1), make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if m := adminListening.FindStringSubmatch(sc.Text()); m != nil {
				adminAddr <- strings.Trim(m[1], `"`)
			} else if m := listening.FindStringSubmatch(sc.Text()); m != nil {
				addr <- strings.Trim(m[1], `"`)
			}
		}
		exited <- cmd.Wait()
	}()
	defer func() { _ = cmd.Process.Kill() }()
	var base, adminBase string
	for base == "" || adminBase == "" {
		select {
		case a := <-addr:
			base = "http://" + a
		case a := <-adminAddr:
			adminBase = "http://" + a
		case err := <-exited:
			t.Fatalf("adr-server exited before listening: %v", err)
		case <-time.After(60 * time.Second):
			t.Fatal("adr-server did not start listening on ADDR and ADMIN_ADDR")
		}
	}
	// /metrics is the admin listener's only; the API port refuses it.
	for url, want := range map[string]int{base + "/metrics": http.StatusForbidden, adminBase + "/metrics": http.StatusOK, base + "/healthz": http.StatusOK} {
		res, err := http.Get(url) //nolint:noctx // test
		if err != nil {
			t.Fatal(err)
		}
		_ = res.Body.Close()
		if res.StatusCode != want {
			t.Errorf("GET %s: %d, want %d", url, res.StatusCode, want)
		}
	}

	token := issuer.Mint(authtest.Claims{"aud": "adr-api", "tenant_id": uuid.NewString(), "scope": "adr:read adr:write"})
	auth := connect.WithInterceptors(bearer.Token(token))
	var protocols http.Protocols
	protocols.SetUnencryptedHTTP2(true) // gRPC over cleartext HTTP/2 (h2c), as the server offers it
	h2c := &http.Client{Transport: &http.Transport{Protocols: &protocols}}
	for name, client := range map[string]adrv1connect.ADRServiceClient{
		"connect": adrv1connect.NewADRServiceClient(http.DefaultClient, base, auth),
		"grpc":    adrv1connect.NewADRServiceClient(h2c, base, auth, connect.WithGRPC()),
		"grpcweb": adrv1connect.NewADRServiceClient(http.DefaultClient, base, auth, connect.WithGRPCWeb()),
	} {
		res, err := client.CreateADR(context.Background(), connect.NewRequest(&adrv1.CreateADRRequest{
			Adr: &adrv1.ADR{Title: "via " + name, Status: adrv1.Status_STATUS_PROPOSED},
		}))
		if err != nil {
			t.Fatalf("%s: CreateADR: %v", name, err)
		}
		got, err := client.GetADR(context.Background(), connect.NewRequest(&adrv1.GetADRRequest{Id: res.Msg.GetAdr().GetId()}))
		if err != nil || got.Msg.GetAdr().GetTitle() != "via "+name {
			t.Fatalf("%s: GetADR = %v, %v", name, got, err)
		}
		_, err = client.GetADR(context.Background(), connect.NewRequest(&adrv1.GetADRRequest{Id: "nope"}))
		if errs.From(err).Code != connect.CodeInvalidArgument {
			t.Fatalf("%s: bad id: %v", name, err)
		}
	}

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		if err != nil {
			t.Fatalf("adr-server exited with %v after SIGTERM; want a clean exit", err)
		}
	case <-time.After(60 * time.Second):
		t.Fatal("adr-server did not exit after SIGTERM")
	}
}

func TestUsage(t *testing.T) {
	t.Parallel()
	var out, errOut strings.Builder
	if code := run(context.Background(), nil, &out, &errOut); code != 2 || !strings.Contains(errOut.String(), "usage") {
		t.Fatalf("no args: code %d, stderr %q", code, errOut.String())
	}
	errOut.Reset()
	if code := run(context.Background(), []string{"frobnicate"}, &out, &errOut); code != 2 || !strings.Contains(errOut.String(), "unknown command") {
		t.Fatalf("unknown command: code %d, stderr %q", code, errOut.String())
	}
	out.Reset()
	if code := run(context.Background(), []string{"config"}, &out, &errOut); code != 0 || !strings.Contains(out.String(), "`DATABASE_URL` |  | yes | yes |") ||
		!strings.Contains(out.String(), "`ADMIN_ADDR` | 127.0.0.1:9090 |") {
		t.Fatalf("config: code %d, out %q", code, out.String())
	}
}

// TestMigrateNeedsOnlyTheDatabase runs `adr-server migrate` with nothing but the owner's
// database URL in its environment (no issuer, no page-token key, as a migration job
// has): it migrates; with no database at all it says which variable is missing.
func TestMigrateNeedsOnlyTheDatabase(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := filepath.Join(t.TempDir(), "adr-server")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	db := pgtest.New(t)
	base := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}

	cmd := exec.Command(bin, "migrate")
	cmd.Env = append(base, "MIGRATE_DATABASE_URL="+db.URL(rls.OwnerRole))
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "migrated") {
		t.Fatalf("migrate: %v\n%s", err, out)
	}
	var tables int
	if err := db.Pool(t, rls.OwnerRole, 1).QueryRow(context.Background(),
		"SELECT count(*) FROM pg_tables WHERE tablename IN ('adrs', 'adr_changes', 'outbox')").Scan(&tables); err != nil {
		t.Fatal(err)
	}
	if tables != 3 {
		t.Fatalf("%d of the service's 3 tables after migrate", tables)
	}

	cmd = exec.Command(bin, "migrate")
	cmd.Env = base
	out, err = cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "MIGRATE_DATABASE_URL: required") {
		t.Fatalf("migrate with no database: %v\n%s", err, out)
	}
	if strings.Contains(string(out), "OIDC_ISSUER") || strings.Contains(string(out), "PAGE_TOKEN_KEY") {
		t.Fatalf("migrate asks for serving settings:\n%s", out)
	}
}
