package app

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/footingdev/footing/gatewaycore/config"
	"github.com/footingdev/footing/gatewaycore/edge"
	"github.com/footingdev/footing/gatewaycore/server"
)

// DefaultAdminAddr is where [LoadConfig] puts the admin listener (/metrics) when
// ADMIN_ADDR is not set: loopback, so that nothing outside the machine can scrape
// it until a deployment says where it may be reached.
const DefaultAdminAddr = "127.0.0.1:9090"

// AdminOff, as ADMIN_ADDR, serves no admin listener (and so no /metrics).
const AdminOff = "off"

// devPageTokenKey signs page tokens in dev mode only.
const devPageTokenKey = "Zm9vdGluZy1kZXYtcGFnZS10b2tlbi1rZXktbm90LWZvci1wcm9kdWN0aW9u"

// Config is the service's configuration, loaded from the environment (and an
// optional env file) by [LoadConfig] with gatewaycore/config. `adr-server config`
// prints every variable with its default; examples/README.md lists them.
type Config struct {
	// Server is the listeners, timeouts and graceful shutdown (ADDR, ADMIN_ADDR,
	// SHUTDOWN_TIMEOUT, ...). ADMIN_ADDR is the admin listener, which serves /metrics
	// (never on ADDR), /healthz and /readyz: [LoadConfig] defaults it to
	// [DefaultAdminAddr], loopback only, and ADMIN_ADDR=off serves none. In a
	// cluster, bind it to the pod's address and keep it out of the public Service.
	Server server.Config

	// DatabaseURL connects as the application role, footing_app: not the owner, and
	// without BYPASSRLS, so row-level security holds for every query. [New] checks
	// that with storage/rls's CheckRole and refuses to start as a superuser, a
	// BYPASSRLS role or the owner of a table not FORCE'd under RLS.
	DatabaseURL string `env:"DATABASE_URL" required:"true" secret:"true"`
	// MigrateDatabaseURL connects as the owner role to run migrations; default DatabaseURL.
	MigrateDatabaseURL string `env:"MIGRATE_DATABASE_URL" secret:"true"`
	// RedisURL is the shared cache and rate-limit store; empty means in-process
	// fallbacks, announced at start-up (instances then do not share limits).
	RedisURL string `env:"REDIS_URL" secret:"true"`

	// Issuer is the trusted OIDC issuer ("iss"); required outside dev mode.
	Issuer string `env:"OIDC_ISSUER"`
	// JWKSURL is the issuer's key set; empty means OIDC discovery.
	JWKSURL string `env:"OIDC_JWKS_URL"`
	// Audience is the "aud" tokens must carry.
	Audience string `env:"OIDC_AUDIENCE" default:"adr-api"`

	// PageTokenKey is base64 of at least 32 random bytes, the same on every
	// instance; it signs ListADRs page tokens and, through a key derived from it for
	// that use alone (HMAC-SHA256 of [jobsPageTokenDomain]), the page tokens of the
	// jobs client's List, so that neither listing accepts the other's tokens.
	// Required outside dev mode.
	PageTokenKey string `env:"PAGE_TOKEN_KEY" secret:"true"`
	// RateLimit and RateBurst bound each tenant's requests per second.
	RateLimit int64 `env:"RATE_LIMIT_PER_SECOND" default:"100"`
	RateBurst int64 `env:"RATE_LIMIT_BURST" default:"200"`
	// IPRateLimit and IPRateBurst bound each client address's requests per second
	// before its credential is verified (chain.Chain's PreAuthRateLimit), so that a
	// flood of forged tokens costs a bucket lookup each, not a signature check. 0 turns
	// it off. Behind a proxy or load balancer, set TrustedProxies too, or every client
	// counts as the proxy's address.
	IPRateLimit int64 `env:"IP_RATE_LIMIT_PER_SECOND" default:"0"`
	IPRateBurst int64 `env:"IP_RATE_LIMIT_BURST" default:"0"`
	// TrustedProxies are the networks (CIDRs or addresses, comma-separated) of the
	// proxies in front of the service, whose X-Forwarded-For names the client address
	// that logs, spans and per-IP limits use.
	TrustedProxies []string `env:"TRUSTED_PROXIES"`
	// CORSOrigins are the browser origins allowed (comma-separated); none means no
	// browser access.
	CORSOrigins []string `env:"CORS_ORIGINS"`
	// Workers is how many render jobs run at once on this instance.
	Workers int `env:"JOB_WORKERS" default:"10"`
	// WatchMaxAge is how long one WatchADRs stream lasts before the client must watch
	// again, presenting a current credential (its token's expiry and revocation are
	// checked only when a stream starts). A stream's writes have a deadline of
	// WatchMaxAge plus [WatchWriteGrace] (instead of WRITE_TIMEOUT), so that a client
	// that stops reading does not hold its stream past it.
	WatchMaxAge time.Duration `env:"WATCH_MAX_AGE" default:"5m"`
	// Dev runs the in-process OIDC issuer, a dev page-token key and no drain delay. It
	// refuses a configuration that names an issuer (OIDC_ISSUER, OIDC_JWKS_URL), and
	// New logs a warning that says so at start-up.
	Dev bool `env:"DEV"`
}

// Validate reports every problem with c at once. Secret values never appear.
// That includes the listeners' and shutdown's variables (server.Config's
// Validate), so that a bad ADDR or SHUTDOWN_TIMEOUT is reported with the rest,
// before the service connects to anything.
func (c *Config) Validate() error {
	var problems []error
	srv := c.Server
	if srv.AdminAddr == AdminOff { // before LoadConfig has applied it
		srv.AdminAddr = ""
	}
	if err := srv.Validate(); err != nil {
		if joined, ok := err.(interface{ Unwrap() []error }); ok {
			problems = append(problems, joined.Unwrap()...) // one line each
		} else {
			problems = append(problems, err)
		}
	}
	if !c.Dev && c.Issuer == "" {
		problems = append(problems, errors.New("OIDC_ISSUER: required outside dev mode (dev mode runs an in-process issuer)"))
	}
	if c.Dev && (c.Issuer != "" || c.JWKSURL != "") {
		// Dev mode would replace the deployment's issuer with an in-process one whose
		// token it prints: a configuration naming an issuer is not a developer's machine.
		problems = append(problems, errors.New("DEV: dev mode runs an in-process OIDC issuer and prints a token for it, "+
			"but OIDC_ISSUER or OIDC_JWKS_URL is set: unset DEV to serve the configured issuer (or unset the issuer for a local run)"))
	}
	if !c.Dev && c.PageTokenKey == "" {
		problems = append(problems, errors.New("PAGE_TOKEN_KEY: required outside dev mode (base64 of at least 32 random bytes)"))
	}
	if c.PageTokenKey != "" {
		if b, err := base64.StdEncoding.DecodeString(c.PageTokenKey); err != nil || len(b) < 32 {
			problems = append(problems, errors.New("PAGE_TOKEN_KEY: want base64 of at least 32 random bytes (value not shown)"))
		}
	}
	if c.RateLimit <= 0 || c.RateBurst <= 0 {
		problems = append(problems, errors.New("RATE_LIMIT_PER_SECOND and RATE_LIMIT_BURST: must be positive"))
	}
	if c.IPRateLimit < 0 {
		problems = append(problems, errors.New("IP_RATE_LIMIT_PER_SECOND: must not be negative (0 turns the per-address limit off)"))
	}
	if c.IPRateLimit > 0 && c.IPRateBurst <= 0 {
		problems = append(problems, errors.New("IP_RATE_LIMIT_BURST: must be positive when IP_RATE_LIMIT_PER_SECOND is set"))
	}
	if _, err := edge.NewTrustedProxies(c.TrustedProxies...); err != nil {
		problems = append(problems, fmt.Errorf("TRUSTED_PROXIES: %w", err))
	}
	if c.WatchMaxAge < 0 {
		problems = append(problems, errors.New("WATCH_MAX_AGE: must not be negative"))
	}
	if c.Workers <= 0 {
		problems = append(problems, errors.New("JOB_WORKERS: must be positive"))
	}
	for _, o := range c.CORSOrigins {
		if o != strings.TrimSpace(o) || o == "" {
			problems = append(problems, errors.New("CORS_ORIGINS: empty or padded origin"))
		}
	}
	return errors.Join(problems...)
}

// MigrateConfig is what `adr-server migrate` reads: only the database to migrate,
// so that a migration job needs no issuer, page-token key or other serving
// settings.
type MigrateConfig struct {
	// MigrateDatabaseURL connects as the owner role; default DatabaseURL.
	MigrateDatabaseURL string `env:"MIGRATE_DATABASE_URL" secret:"true"`
	// DatabaseURL is used when MigrateDatabaseURL is empty.
	DatabaseURL string `env:"DATABASE_URL" secret:"true"`
}

// URL returns the database to migrate.
func (c *MigrateConfig) URL() string {
	if c.MigrateDatabaseURL != "" {
		return c.MigrateDatabaseURL
	}
	return c.DatabaseURL
}

// Validate reports a missing database.
func (c *MigrateConfig) Validate() error {
	if c.URL() == "" {
		return errors.New("MIGRATE_DATABASE_URL: required (or DATABASE_URL), the owner role's connection")
	}
	return nil
}

// LoadMigrateConfig loads the MigrateConfig from the environment (and opts).
func LoadMigrateConfig(opts ...config.Option) (MigrateConfig, error) {
	var c MigrateConfig
	err := config.Load(&c, opts...)
	return c, err
}

// LoadConfig loads the Config; dev forces dev mode (serve --dev). Dev mode fills
// what production must set explicitly.
func LoadConfig(dev bool, opts ...config.Option) (Config, error) {
	var c Config
	if dev {
		opts = append(opts, config.WithLookup(withDefault("DEV", "true")))
	}
	if err := config.Load(&c, opts...); err != nil {
		return c, err
	}
	c.applyDev()
	return c, nil
}

func (c *Config) applyDev() {
	switch c.Server.AdminAddr {
	case "":
		c.Server.AdminAddr = DefaultAdminAddr
	case AdminOff:
		c.Server.AdminAddr = ""
	}
	if c.MigrateDatabaseURL == "" {
		c.MigrateDatabaseURL = c.DatabaseURL
	}
	if !c.Dev {
		return
	}
	if c.PageTokenKey == "" {
		c.PageTokenKey = devPageTokenKey
	}
	c.Server.DrainDelay = -1 // No load balancer to tell in dev.
}

// pageTokenKey returns the decoded key (Validate checked it). ListADRs signs its
// page tokens with it as it is: existing tokens stay valid.
func (c *Config) pageTokenKey() []byte {
	b, _ := base64.StdEncoding.DecodeString(c.PageTokenKey)
	return b
}

// jobsPageTokenDomain separates the jobs list's page-token key from the ADR list's.
const jobsPageTokenDomain = "footing examples: jobs page tokens"

// jobsPageTokenKey is the key of the jobs client's List page tokens (jobs.Config's
// PageTokenKey): HMAC-SHA256(PAGE_TOKEN_KEY, jobsPageTokenDomain), 32 bytes, so that
// no second secret is needed and a token of one listing fails the other's signature
// check. Without a usable PAGE_TOKEN_KEY it is nil (the jobs List then answers
// FailedPrecondition) rather than a key derived from nothing.
func (c *Config) jobsPageTokenKey() []byte {
	key := c.pageTokenKey()
	if len(key) < 32 {
		return nil
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte(jobsPageTokenDomain))
	return m.Sum(nil)
}

// withDefault is an env lookup that answers value for name when the environment
// does not set it.
func withDefault(name, value string) func(string) (string, bool) {
	return func(key string) (string, bool) {
		if v, ok := os.LookupEnv(key); ok {
			return v, true
		}
		if key == name {
			return value, true
		}
		return "", false
	}
}
