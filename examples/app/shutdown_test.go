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

	"github.com/footingdev/footing/contracts/errs"
	"github.com/footingdev/footing/examples/adr"
	"github.com/footingdev/footing/examples/app"
	adrv1 "github.com/footingdev/footing/examples/gen/go/footing/examples/adr/v1"
	"github.com/footingdev/footing/examples/gen/go/footing/examples/adr/v1/adrv1connect"
	"github.com/footingdev/footing/examples/internal/bearer"
	"github.com/footingdev/footing/gatewaycore/auth/authtest"
	"github.com/footingdev/footing/storage/pgtest"
	"github.com/footingdev/footing/storage/rls"
)

func TestGracefulShutdownWithAnOpenWatch(t *testing.T) {
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

	url := "http://" + ln.Addr().String()
	tenant := uuid.NewString()
	client := adrv1connect.NewADRServiceClient(http.DefaultClient, url,
		connect.WithInterceptors(bearer.Token(issuer.Mint(authtest.Claims{"tenant_id": tenant, "scope": "adr:read adr:write"}))))
	<-a.WatchReady()
	watch, err := client.WatchADRs(context.Background(), connect.NewRequest(&adrv1.WatchADRsRequest{}))
	if err != nil {
		t.Fatal(err)
	}
	defer watch.Close()
	_ = watch.ResponseHeader() // Established.
	if _, err := client.CreateADR(context.Background(), connect.NewRequest(&adrv1.CreateADRRequest{Adr: newADR("before shutdown")})); err != nil {
		t.Fatal(err)
	}
	if !watch.Receive() || watch.Msg().GetAdr().GetTitle() != "before shutdown" {
		t.Fatalf("watch before shutdown: %v", watch.Err())
	}

	shutdown()
	// The open stream ends, telling the client to reconnect elsewhere...
	if watch.Receive() {
		t.Fatalf("got another event after shutdown began: %v", watch.Msg())
	}
	if d := errs.From(watch.Err()); d.Code != connect.CodeUnavailable || d.Reason != "WATCH_ENDED" || !d.HasRetryAfter {
		t.Fatalf("watch ended with %+v", d)
	}
	// ...the server returns cleanly, well before its 30 s deadline would have cut the stream...
	select {
	case err := <-served:
		if err != nil {
			t.Fatalf("Serve: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("Serve did not return: the open watch held the shutdown")
	}
	// ...and new connections are refused.
	if conn, err := net.DialTimeout("tcp", ln.Addr().String(), time.Second); err == nil {
		_ = conn.Close()
		t.Fatal("a new connection was accepted after shutdown")
	}
}
