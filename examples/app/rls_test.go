package app_test

import (
	"context"
	"encoding/base64"
	"net/url"
	"strings"
	"testing"

	"connectrpc.com/connect"
	"github.com/google/uuid"

	"github.com/footingdev/footing/contracts/errs"
	"github.com/footingdev/footing/examples/adr"
	"github.com/footingdev/footing/examples/app"
	"github.com/footingdev/footing/gatewaycore/auth/authtest"
	"github.com/footingdev/footing/storage/pgtest"
	"github.com/footingdev/footing/storage/rls"
)

// TestNewRefusesARoleRLSDoesNotBind: with DATABASE_URL naming a superuser, every tenant
// would see every tenant's rows; the service refuses to start instead, and says why
// without echoing the URL.
func TestNewRefusesARoleRLSDoesNotBind(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t, pgtest.WithMigrations(adr.Migrations()))
	issuer := authtest.NewIssuer()
	defer issuer.Close()
	superuser, err := url.Parse(db.SuperuserURL())
	if err != nil {
		t.Fatal(err)
	}
	cfg := app.Config{
		DatabaseURL: db.SuperuserURL(), RedisURL: redisURL(),
		Issuer: issuer.URL(), JWKSURL: issuer.JWKSURL(), Audience: authtest.DefaultAudience,
		PageTokenKey: base64.StdEncoding.EncodeToString([]byte(uuid.NewString() + uuid.NewString())),
		RateLimit:    1000, RateBurst: 1000, Workers: 1,
	}
	a, err := app.New(context.Background(), cfg, nil)
	if err == nil {
		_ = a.Close(context.Background())
		t.Fatal("app.New with a superuser DATABASE_URL: started")
	}
	d := errs.From(err)
	if d.Code != connect.CodeFailedPrecondition || d.Reason != rls.ReasonRLSBypassed || d.Metadata["cause"] != rls.CauseSuperuser {
		t.Fatalf("got %v %q %v (%v), want FailedPrecondition %s cause %s", d.Code, d.Reason, d.Metadata, err, rls.ReasonRLSBypassed, rls.CauseSuperuser)
	}
	if d.Metadata["role"] != superuser.User.Username() {
		t.Fatalf("role %q, want %q", d.Metadata["role"], superuser.User.Username())
	}
	if msg := err.Error(); !strings.HasPrefix(msg, "DATABASE_URL: ") || strings.Contains(msg, db.SuperuserURL()) || strings.Contains(msg, "://") {
		t.Fatalf("error %q: want it to name DATABASE_URL and not echo the URL", msg)
	}

	// The same database as the application role starts.
	cfg.DatabaseURL = db.URL(rls.AppRole)
	a, err = app.New(context.Background(), cfg, nil)
	if err != nil {
		t.Fatalf("app.New as %s: %v", rls.AppRole, err)
	}
	if err := a.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
}
