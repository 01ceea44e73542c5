package app_test

import (
	"context"
	"encoding/base64"
	"net"
	"net/http"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/google/uuid"
	healthv1 "google.golang.org/grpc/health/grpc_health_v1"

	healthv1connect "github.com/footingdev/footing/contracts/gen/go/grpc/health/v1/grpc_health_v1connect"
	"github.com/footingdev/footing/examples/adr"
	"github.com/footingdev/footing/examples/app"
	"github.com/footingdev/footing/gatewaycore/auth/authtest"
	"github.com/footingdev/footing/storage/pgtest"
	"github.com/footingdev/footing/storage/rls"
)

// TestShutdownEndsHealthWatches: load balancers and gRPC clients keep a
// grpc.health.v1 Watch open on the public listener for as long as they use the
// server. The service's readiness switch (which also stops the ADR watch hub)
// passed on SetReady(false) only, so the server never called the health
// checker's Drain: Watch streams told their callers NOT_SERVING but stayed open,
// and every shutdown with one connected waited out SHUTDOWN_TIMEOUT.
func TestShutdownEndsHealthWatches(t *testing.T) {
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
	cfg.Server.DrainDelay = -1
	cfg.Server.ShutdownTimeout = 30 * time.Second
	a, err := app.New(context.Background(), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, shutdown := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- a.Serve(ctx, ln) }()

	tr := &http.Transport{Protocols: new(http.Protocols)}
	tr.Protocols.SetUnencryptedHTTP2(true)
	defer tr.CloseIdleConnections()
	client := healthv1connect.NewHealthClient(&http.Client{Transport: tr}, "http://"+ln.Addr().String(), connect.WithGRPC())
	stream, err := client.Watch(context.Background(), connect.NewRequest(&healthv1.HealthCheckRequest{}))
	if err != nil {
		t.Fatal(err)
	}
	defer stream.Close()
	if !stream.Receive() {
		t.Fatalf("first health message: %v", stream.Err())
	}

	shutdown()
	for stream.Receive() {
		if s := stream.Msg().GetStatus(); s != healthv1.HealthCheckResponse_NOT_SERVING {
			t.Fatalf("while shutting down: %v", s)
		}
	}
	if err := stream.Err(); err != nil {
		t.Fatalf("the health watch ended with %v; want it ended cleanly by the drain", err)
	}
	select {
	case err := <-served:
		if err != nil {
			t.Fatalf("Serve: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("Serve did not return: the open health watch held the shutdown")
	}
}
