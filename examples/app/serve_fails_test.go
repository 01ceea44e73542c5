package app_test

import (
	"context"
	"encoding/base64"
	"net"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/footingdev/footing/examples/adr"
	"github.com/footingdev/footing/examples/app"
	"github.com/footingdev/footing/gatewaycore/auth/authtest"
	"github.com/footingdev/footing/gatewaycore/health"
	"github.com/footingdev/footing/storage/pgtest"
	"github.com/footingdev/footing/storage/rls"
)

// TestServeThatCannotStartStartsNoWorkers: Serve started the job workers (and the
// watch hub) before it built the server, and when building the server failed it
// returned with the workers still running on the pools the caller then closes. It
// now builds the server first: a Serve that cannot start starts nothing, and the
// jobs client still reports that it has not started.
func TestServeThatCannotStartStartsNoWorkers(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t, pgtest.WithMigrations(adr.Migrations()))
	issuer := authtest.NewIssuer()
	defer issuer.Close()
	cfg := app.Config{
		DatabaseURL: db.URL(rls.AppRole), RedisURL: redisURL(),
		Issuer: issuer.URL(), JWKSURL: issuer.JWKSURL(), Audience: authtest.DefaultAudience,
		PageTokenKey: base64.StdEncoding.EncodeToString([]byte(uuid.NewString() + uuid.NewString())),
		RateLimit:    1000, RateBurst: 1000, Workers: 1,
	}
	// A Config built in code is not validated by LoadConfig: server.New refuses it.
	cfg.Server.TLSCertFile = "cert.pem"
	a, err := app.New(context.Background(), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = a.Close(context.Background()) }()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Serve(context.Background(), ln); err == nil {
		t.Fatal("Serve with a TLS certificate and no key started")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if got := a.Health().Run(ctx).Checks["jobs"]; got.Status != health.StatusFail {
		t.Fatalf("after a Serve that could not start, the jobs check is %+v: the workers were started", got)
	}
}
