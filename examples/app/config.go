package app

import (
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// Config is the service's configuration, read from the environment by
// [ConfigFromEnv]. Every variable is documented in examples/README.md.
type Config struct {
	// Addr is where the server listens (ADDR, default 127.0.0.1:8080).
	Addr string
	// DatabaseURL connects as the application role, footing_app (DATABASE_URL).
	DatabaseURL string
	// MigrateDatabaseURL connects as the owner role to run migrations
	// (MIGRATE_DATABASE_URL, default DatabaseURL).
	MigrateDatabaseURL string
	// RedisURL is the shared cache and rate-limit store (REDIS_URL); empty means
	// in-process fallbacks, announced at start-up.
	RedisURL string
	// Issuer, JWKSURL and Audience configure token verification (OIDC_ISSUER,
	// OIDC_JWKS_URL — empty means discovery —, OIDC_AUDIENCE default "adr-api").
	Issuer   string
	JWKSURL  string
	Audience string
	// PageTokenKey signs page tokens (PAGE_TOKEN_KEY, base64, at least 32 bytes, the
	// same on every instance). A secret: never printed.
	PageTokenKey []byte
	// RateLimit and RateBurst bound each tenant's requests per second
	// (RATE_LIMIT_PER_SECOND default 100, RATE_LIMIT_BURST default 200).
	RateLimit int64
	RateBurst int64
	// CORSOrigins are the browser origins allowed (CORS_ORIGINS, comma-separated).
	CORSOrigins []string
	// ShutdownTimeout bounds graceful shutdown (SHUTDOWN_TIMEOUT, default 20s);
	// DrainDelay is how long readiness is false before the listener closes
	// (SHUTDOWN_DRAIN_DELAY, default 0 in dev, 5s otherwise).
	ShutdownTimeout time.Duration
	DrainDelay      time.Duration
	// Workers is the River worker count (JOB_WORKERS, default 10).
	Workers int
	// Dev runs the in-process OIDC issuer and fills dev defaults (DEV=1 or serve --dev).
	Dev bool
}

// ConfigFromEnv reads the Config from getenv (nil means os.Getenv) and reports
// every missing or invalid variable at once, by name. Secret values never appear
// in the error.
func ConfigFromEnv(getenv func(string) string, dev bool) (Config, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	c := Config{
		Addr:               or(getenv("ADDR"), "127.0.0.1:8080"),
		DatabaseURL:        getenv("DATABASE_URL"),
		MigrateDatabaseURL: getenv("MIGRATE_DATABASE_URL"),
		RedisURL:           getenv("REDIS_URL"),
		Issuer:             getenv("OIDC_ISSUER"),
		JWKSURL:            getenv("OIDC_JWKS_URL"),
		Audience:           or(getenv("OIDC_AUDIENCE"), "adr-api"),
		Dev:                dev || getenv("DEV") == "1" || getenv("DEV") == "true",
	}
	var problems []error
	num := func(name string, def int64, dst *int64) {
		v := getenv(name)
		if v == "" {
			*dst = def
			return
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			problems = append(problems, fmt.Errorf("%s: want a positive integer, got %q", name, v))
			return
		}
		*dst = n
	}
	dur := func(name string, def time.Duration, dst *time.Duration) {
		v := getenv(name)
		if v == "" {
			*dst = def
			return
		}
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 {
			problems = append(problems, fmt.Errorf("%s: want a duration such as 5s, got %q", name, v))
			return
		}
		*dst = d
	}
	num("RATE_LIMIT_PER_SECOND", 100, &c.RateLimit)
	num("RATE_LIMIT_BURST", 2*c.RateLimit, &c.RateBurst)
	var workers int64
	num("JOB_WORKERS", 10, &workers)
	c.Workers = int(workers)
	dur("SHUTDOWN_TIMEOUT", 20*time.Second, &c.ShutdownTimeout)
	drainDefault := 5 * time.Second
	if c.Dev {
		drainDefault = 0
	}
	dur("SHUTDOWN_DRAIN_DELAY", drainDefault, &c.DrainDelay)
	for o := range strings.SplitSeq(getenv("CORS_ORIGINS"), ",") {
		if o = strings.TrimSpace(o); o != "" {
			c.CORSOrigins = append(c.CORSOrigins, o)
		}
	}
	if c.MigrateDatabaseURL == "" {
		c.MigrateDatabaseURL = c.DatabaseURL
	}
	if c.DatabaseURL == "" {
		problems = append(problems, errors.New("DATABASE_URL: required (the application role's connection string)"))
	}
	if key := getenv("PAGE_TOKEN_KEY"); key != "" {
		b, err := base64.StdEncoding.DecodeString(key)
		if err != nil || len(b) < 32 {
			problems = append(problems, errors.New("PAGE_TOKEN_KEY: want base64 of at least 32 random bytes (value not shown)"))
		}
		c.PageTokenKey = b
	} else if c.Dev {
		c.PageTokenKey = []byte("footing-dev-page-token-key-not-for-production")
	} else {
		problems = append(problems, errors.New("PAGE_TOKEN_KEY: required outside dev mode (base64 of at least 32 random bytes)"))
	}
	if c.Issuer == "" && !c.Dev {
		problems = append(problems, errors.New("OIDC_ISSUER: required outside dev mode (dev mode runs an in-process issuer)"))
	}
	return c, errors.Join(problems...)
}

func or(v, def string) string {
	if v == "" {
		return def
	}
	return v
}
