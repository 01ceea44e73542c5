package app_test

import (
	"context"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"

	"connectrpc.com/connect"
	"github.com/google/uuid"

	"github.com/footingdev/footing/examples/adr"
	"github.com/footingdev/footing/examples/app"
	"github.com/footingdev/footing/examples/gen/go/footing/examples/adr/v1/adrv1connect"
	"github.com/footingdev/footing/examples/internal/bearer"
	"github.com/footingdev/footing/gatewaycore/auth/authtest"
	"github.com/footingdev/footing/storage/pgtest"
	"github.com/footingdev/footing/storage/rls"
)

// protocols are the three wire protocols every end-to-end test speaks.
var protocols = []struct {
	name string
	opt  connect.ClientOption
}{
	{"connect", connect.WithProtoJSON()},
	{"grpc", connect.WithGRPC()},
	{"grpcweb", connect.WithGRPCWeb()},
}

type harness struct {
	app    *app.App
	db     *pgtest.DB
	issuer *authtest.Issuer
	url    string
	http   *http.Client
	// adminURL is the admin listener's (plain HTTP): /metrics, /healthz, /readyz.
	adminURL string
}

func redisURL() string {
	if u := os.Getenv("TEST_REDIS_URL"); u != "" {
		return u
	}
	return "redis://127.0.0.1:6379/0"
}

// start runs one instance of the service, in-process, on a TLS HTTP/2 test server,
// against its own fresh database and the shared test Redis.
func start(t *testing.T, tweak func(*app.Config)) *harness {
	t.Helper()
	db := pgtest.New(t, pgtest.WithMigrations(adr.Migrations()))
	issuer := authtest.NewIssuer()
	t.Cleanup(issuer.Close)
	cfg := app.Config{
		DatabaseURL:  db.URL(rls.AppRole),
		RedisURL:     redisURL(),
		Issuer:       issuer.URL(),
		JWKSURL:      issuer.JWKSURL(),
		Audience:     authtest.DefaultAudience,
		PageTokenKey: base64.StdEncoding.EncodeToString([]byte(uuid.NewString() + uuid.NewString())),
		RateLimit:    100000,
		RateBurst:    100000,
		Workers:      2,
	}
	if tweak != nil {
		tweak(&cfg)
	}
	a, err := app.New(context.Background(), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = a.Work(ctx) }()
	<-a.WatchReady()
	srv := httptest.NewUnstartedServer(a.Handler())
	srv.EnableHTTP2 = true
	srv.StartTLS()
	admin := httptest.NewServer(a.AdminHandler())
	t.Cleanup(func() {
		srv.Close()
		admin.Close()
		cancel()
		<-done
		_ = a.Close(context.Background())
	})
	return &harness{app: a, db: db, issuer: issuer, url: srv.URL, http: srv.Client(), adminURL: admin.URL}
}

// token mints a token for a fresh user of tenant with scopes.
func (h *harness) token(tenant string, scopes ...string) string {
	claims := authtest.Claims{"sub": "user-" + uuid.NewString()[:8], "tenant_id": tenant}
	if len(scopes) > 0 {
		claims["scope"] = scopes
	}
	return h.issuer.Mint(claims)
}

// client returns an ADRService client that sends token (none if empty).
func (h *harness) client(opt connect.ClientOption, token string) adrv1connect.ADRServiceClient {
	return adrv1connect.NewADRServiceClient(h.http, h.url, opt, connect.WithInterceptors(bearer.Token(token)))
}
