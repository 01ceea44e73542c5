package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/footingdev/footing/gatewaycore/auth/authtest"
)

// Dev mode: what `make run` uses. Never for production.
const (
	// DevDatabase is the database dev mode migrates and serves.
	DevDatabase = "footing_adr_dev"
	// DevAppPassword is the password dev mode gives the footing_app role.
	DevAppPassword = "footing_app"
	// DevTenant is the demo tenant of the printed token.
	DevTenant = "6f1f4d8e-2b7c-4c1e-9a55-3d2a7f0c9b10"
)

// DevURLs derives, from an administrator's connection string (make services
// prints one), the dev database's owner URL and the URL of the application role.
//
// The server must be on this machine (a loopback address, localhost or a Unix socket):
// DevMigrate lets the footing_app role log in with a published password, and roles are
// cluster-wide, so on a shared or production server (a DATABASE_URL left in the shell)
// it would open every database of the cluster to that password, as a role that can read
// any tenant by setting app.tenant_id itself.
func DevURLs(adminURL string) (owner, app string, err error) {
	u, err := url.Parse(adminURL)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return "", "", fmt.Errorf("dev mode needs DATABASE_URL as a postgres:// URL of an administrator (make services prints one)")
	}
	if err := onThisMachine(adminURL); err != nil {
		return "", "", err
	}
	ou := *u
	ou.Path = "/" + DevDatabase
	au := ou
	au.User = url.UserPassword("footing_app", DevAppPassword)
	return ou.String(), au.String(), nil
}

// onThisMachine refuses a connection string any of whose hosts (after libpq's rules:
// query parameters, PGHOST, fallbacks) is not a loopback address, localhost or a Unix
// socket directory.
func onThisMachine(connString string) error {
	cfg, err := pgconn.ParseConfig(connString)
	if err != nil {
		return errors.New("dev mode: DATABASE_URL is not a valid Postgres connection string")
	}
	hosts := []string{cfg.Host}
	for _, f := range cfg.Fallbacks {
		hosts = append(hosts, f.Host)
	}
	for _, h := range hosts {
		if ip := net.ParseIP(h); !strings.HasPrefix(h, "/") && h != "localhost" && (ip == nil || !ip.IsLoopback()) {
			return fmt.Errorf("dev mode runs only against a Postgres on this machine (loopback or a Unix socket), not host %q: "+
				"it lets footing_app log in with a published password, for every database of the server", h)
		}
	}
	return nil
}

// DevMigrate creates the dev database if missing, migrates it, and lets the
// application role log in with the dev password.
func DevMigrate(ctx context.Context, adminURL string, logger *slog.Logger) (appURL string, err error) {
	owner, app, err := DevURLs(adminURL)
	if err != nil {
		return "", err
	}
	conn, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return "", fmt.Errorf("dev: connect as administrator: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx)) //nolint:errcheck // closing an admin session we are done with
	var exists bool
	if err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, DevDatabase).Scan(&exists); err != nil {
		return "", err
	}
	if !exists {
		if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{DevDatabase}.Sanitize()); err != nil {
			return "", fmt.Errorf("dev: create database: %w", err)
		}
	}
	if err := Migrate(ctx, owner, logger); err != nil {
		return "", err
	}
	// The role exists now (footing's first migration created it NOLOGIN).
	if _, err := conn.Exec(ctx, "ALTER ROLE footing_app LOGIN PASSWORD '"+DevAppPassword+"'"); err != nil {
		return "", fmt.Errorf("dev: let footing_app log in: %w", err)
	}
	return app, nil
}

// DevIssuer starts the in-process OIDC issuer and points cfg at it.
func DevIssuer(cfg *Config) *authtest.Issuer {
	issuer := authtest.NewIssuer()
	cfg.Issuer, cfg.JWKSURL = issuer.URL(), issuer.JWKSURL()
	return issuer
}

// DevToken mints a token for the demo tenant with read and write scopes, valid for ttl.
func DevToken(issuer *authtest.Issuer, cfg Config, ttl time.Duration) string {
	return issuer.Mint(authtest.Claims{
		"sub":       "demo-user",
		"tenant_id": DevTenant,
		"aud":       cfg.Audience,
		"scope":     ScopeRead + " " + ScopeWrite,
		"exp":       time.Now().Add(ttl).Unix(),
	})
}

// PrintDevBanner tells the developer how to call the service. adminURL is the admin
// listener's (ADMIN_ADDR), which serves /metrics; empty means none.
func PrintDevBanner(w io.Writer, baseURL, adminURL, token string) {
	var b strings.Builder
	fmt.Fprintf(&b, "\nADR service (dev mode) on %s\n", baseURL)
	fmt.Fprintf(&b, "  health:   %s/healthz  %s/readyz\n", baseURL, baseURL)
	if adminURL != "" {
		fmt.Fprintf(&b, "  metrics:  %s/metrics  (admin listener, ADMIN_ADDR; not on the API port)\n", adminURL)
	} else {
		b.WriteString("  metrics:  none (ADMIN_ADDR=off)\n")
	}
	fmt.Fprintf(&b, "  tenant:   %s\n\nToken (12h, scopes %s %s):\n\nexport TOKEN=%s\n\n", DevTenant, ScopeRead, ScopeWrite, token)
	fmt.Fprintf(&b, "Create an ADR (Connect JSON):\n\ncurl -s -X POST %s/footing.examples.adr.v1.ADRService/CreateADR \\\n", baseURL)
	b.WriteString("  -H 'Content-Type: application/json' -H \"Authorization: Bearer $TOKEN\" \\\n")
	b.WriteString("  -d '{\"adr\":{\"title\":\"Use Postgres\",\"status\":\"STATUS_PROPOSED\",\"decision\":\"We will use Postgres.\"}}'\n\n")
	fmt.Fprintf(&b, "List them:\n\ncurl -s -X POST %s/footing.examples.adr.v1.ADRService/ListADRs \\\n", baseURL)
	b.WriteString("  -H 'Content-Type: application/json' -H \"Authorization: Bearer $TOKEN\" -d '{}'\n\nCtrl-C shuts down gracefully.\n")
	_, _ = io.WriteString(w, b.String())
}
