package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"time"

	"connectrpc.com/connect"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"
	"github.com/riverqueue/river"

	"github.com/footingdev/footing/contracts/errs"
	healthv1connect "github.com/footingdev/footing/contracts/gen/go/grpc/health/v1/grpc_health_v1connect"
	"github.com/footingdev/footing/contracts/validation"
	"github.com/footingdev/footing/examples/adr"
	"github.com/footingdev/footing/examples/gen/go/footing/examples/adr/v1/adrv1connect"
	"github.com/footingdev/footing/gatewaycore/auth"
	"github.com/footingdev/footing/gatewaycore/chain"
	"github.com/footingdev/footing/gatewaycore/cors"
	"github.com/footingdev/footing/gatewaycore/edge"
	"github.com/footingdev/footing/gatewaycore/health"
	"github.com/footingdev/footing/gatewaycore/ratelimit"
	"github.com/footingdev/footing/observability"
	"github.com/footingdev/footing/observability/instrument"
	"github.com/footingdev/footing/storage/cache"
	"github.com/footingdev/footing/storage/flags"
	"github.com/footingdev/footing/storage/jobs"
	"github.com/footingdev/footing/storage/pg"
	"github.com/footingdev/footing/storage/rls"
)

// Scopes the ADR API's policy asks for.
const (
	ScopeRead  = "adr:read"
	ScopeWrite = "adr:write"
)

// MaxRequestBytes bounds request bodies, on the wire and each message once
// decompressed.
const MaxRequestBytes = 4 << 20

// App is one instance of the reference service.
type App struct {
	cfg     Config
	logger  *slog.Logger
	pool    *pgxpool.Pool
	redis   *redis.Client
	cache   *cache.Cache
	hub     *adr.Hub
	authn   *auth.Authenticator
	svc     *adr.Service
	jobs    *jobs.Client
	flags   *flags.Provider
	health  *health.Checker
	handler http.Handler
	admin   http.Handler
	closers []func(context.Context) error
}

// Policy is the service's one policy table: every procedure and route it serves,
// and who may call it. Anything not listed is denied.
func Policy() (*auth.Policy, error) {
	read := auth.Rule{Mode: auth.ModeAuthorized, Scopes: []string{ScopeRead}}
	write := auth.Rule{Mode: auth.ModeAuthorized, Scopes: []string{ScopeWrite}}
	public := auth.Rule{Mode: auth.ModePublic}
	return auth.NewPolicy(map[string]auth.Rule{
		adrv1connect.ADRServiceGetADRProcedure:    read,
		adrv1connect.ADRServiceListADRsProcedure:  read,
		adrv1connect.ADRServiceWatchADRsProcedure: read,
		adrv1connect.ADRServiceCreateADRProcedure: write,
		adrv1connect.ADRServiceUpdateADRProcedure: write,
		adrv1connect.ADRServiceDeleteADRProcedure: write,
		"/healthz":                           public,
		"/readyz":                            public,
		healthv1connect.HealthCheckProcedure: public,
		healthv1connect.HealthListProcedure:  public,
		healthv1connect.HealthWatchProcedure: public,
	})
}

// New builds the service from cfg: it connects to Postgres and Redis, but starts
// nothing in the background; Work (or Serve) does. It refuses to build a service whose
// DATABASE_URL logs in as a role row-level security does not bind (a superuser, a
// BYPASSRLS role, the owner of a table not FORCE'd under RLS): the error is
// storage/rls's FailedPrecondition RLS_BYPASSED, naming the role and why. The check
// is a query, so New also fails when Postgres does not answer.
func New(ctx context.Context, cfg Config, logger *slog.Logger) (_ *App, err error) {
	if logger == nil {
		logger = slog.Default()
	}
	a := &App{cfg: cfg, logger: logger}
	if cfg.Dev {
		logger.Warn("DEV MODE: tokens of an in-process OIDC issuer are accepted and page tokens are signed with a published key; never serve real tenants like this",
			"issuer", cfg.Issuer)
	}
	defer func() {
		if err != nil {
			_ = a.Close(context.WithoutCancel(ctx))
		}
	}()

	a.pool, err = pg.New(ctx, pg.Config{URL: cfg.DatabaseURL})
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	a.onClose(func(context.Context) error { a.pool.Close(); return nil })
	// Tenant isolation rests on row-level security, which Postgres silently skips for a
	// superuser, a BYPASSRLS role or a table's owner: refuse to serve as such a role.
	if err := rls.CheckRole(ctx, a.pool); err != nil {
		return nil, fmt.Errorf("DATABASE_URL: %w", err)
	}

	cacheCfg := cache.Config{RedisURL: cfg.RedisURL, Prefix: "adr", Logger: logger}
	if cfg.RedisURL == "" {
		logger.Warn("REDIS_URL is not set: cache and rate limits are in-process, so instances do not share them")
	} else {
		opts, err := redis.ParseURL(cfg.RedisURL)
		if err != nil {
			return nil, errors.New("REDIS_URL: not a redis:// URL")
		}
		a.redis = redis.NewClient(opts)
		a.onClose(func(context.Context) error { return a.redis.Close() })
	}
	if a.cache, err = cache.Open(cacheCfg); err != nil {
		return nil, fmt.Errorf("cache: %w", err)
	}
	a.onClose(func(context.Context) error { return a.cache.Close() })

	workers := river.NewWorkers()
	river.AddWorker(workers, &adr.RenderWorker{Pool: a.pool})
	a.jobs, err = jobs.New(a.pool, jobs.Config{
		Workers: workers, Queues: map[string]int{river.QueueDefault: cfg.Workers}, Logger: logger,
		// Its own key, derived from PAGE_TOKEN_KEY: ListADRs' tokens are not its tokens.
		PageTokenKey: cfg.jobsPageTokenKey(),
	})
	if err != nil {
		return nil, fmt.Errorf("jobs: %w", err)
	}
	a.flags = flags.New(a.pool, flags.WithCache(a.cache))
	a.hub = adr.NewHub(a.pool, logger)
	a.svc, err = adr.NewService(adr.Config{
		Pool: a.pool, Cache: a.cache, Hub: a.hub, PageTokenKey: cfg.pageTokenKey(), WatchMaxAge: cfg.WatchMaxAge,
		Logger: a.logger,
		Flags: adr.FlagsFunc(func(ctx context.Context, flag string) bool {
			return a.flags.BooleanEvaluation(ctx, flag, false, nil).Value
		}),
		Enqueue: func(ctx context.Context, tx pgx.Tx, args adr.RenderArgs) error {
			_, err := a.jobs.Enqueue(ctx, tx, args, nil)
			return err
		},
	})
	if err != nil {
		return nil, err
	}

	a.health = health.New(health.WithLogger(logger))
	a.health.Register("postgres", 0, func(ctx context.Context) error { return pg.Health(ctx, a.pool) })
	a.health.Register("jobs", 0, a.jobs.Ready)
	if a.redis != nil {
		a.health.Register("redis", 0, func(ctx context.Context) error { return a.redis.Ping(ctx).Err() })
	}

	if err := a.buildAuth(cfg); err != nil {
		return nil, err
	}
	if a.handler, err = a.buildHandler(cfg); err != nil {
		return nil, err
	}
	a.admin = a.buildAdminHandler()
	return a, nil
}

func (a *App) onClose(f func(context.Context) error) { a.closers = append(a.closers, f) }

func (a *App) buildAuth(cfg Config) error {
	issuer := auth.IssuerConfig{Issuer: cfg.Issuer, JWKSURL: cfg.JWKSURL, Audiences: []string{cfg.Audience}}
	var err error
	a.authn, err = auth.New(auth.Config{Issuers: []auth.IssuerConfig{issuer}, Logger: a.logger})
	if err != nil {
		return fmt.Errorf("auth: %w", err)
	}
	a.onClose(func(context.Context) error { a.authn.Close(); return nil })
	return nil
}

// buildHandler mounts the service behind the edge chain, in ARCHITECTURE.md's order.
func (a *App) buildHandler(cfg Config) (http.Handler, error) {
	policy, err := Policy()
	if err != nil {
		return nil, err
	}
	// Answers under 1 KiB go uncompressed: connect-go would gzip every message for a
	// client that accepts gzip, at more CPU than the call (gatewaycore's README).
	//
	// The edge's BodyLimit counts bytes on the wire; WithReadMaxBytes bounds each message
	// after decompression, without which a few KiB of gzip inflate to GiBs in memory.
	path, rpc := adrv1connect.NewADRServiceHandler(a.svc, connect.WithCompressMinBytes(edge.DefaultCompressMinSize),
		connect.WithReadMaxBytes(MaxRequestBytes), connect.WithInterceptors(
			instrument.NewInterceptor(),
			errs.NewInterceptor(errs.WithInternalErrorHook(func(ctx context.Context, procedure string, e *errs.InternalError) {
				a.logger.ErrorContext(ctx, "internal error", "procedure", procedure, "error_id", e.ID, "error", e.Cause)
			})),
			a.authn.Interceptor(policy),
			validation.NewInterceptor(),
		))
	watchMaxAge := cfg.WatchMaxAge
	if watchMaxAge == 0 {
		watchMaxAge = adr.DefaultWatchMaxAge
	}
	mux := http.NewServeMux()
	mux.Handle(path, watchWriteDeadline(rpc, watchMaxAge+WatchWriteGrace))
	// No /metrics here: it shows internals (the Redis address, the route inventory), so
	// it is served on the admin listener only (AdminHandler, ADMIN_ADDR).
	// /healthz, /readyz and grpc.health.v1, which answers callers without a credential
	// and bounds its request messages once decompressed (health.MaxRequestBytes).
	a.health.Mount(mux)

	var corsMiddleware chain.Middleware // No origins configured: no browser access.
	if len(cfg.CORSOrigins) > 0 {
		corsHandler, err := cors.New(cors.WithAllowedOrigins(cfg.CORSOrigins...))
		if err != nil {
			return nil, fmt.Errorf("CORS_ORIGINS: %w", err)
		}
		corsMiddleware = corsHandler.Middleware()
	}
	var limiter ratelimit.Limiter = ratelimit.NewLocal()
	if a.redis != nil {
		if limiter, err = ratelimit.NewRedis(ratelimit.RedisConfig{Client: a.redis, Prefix: "adr:rl:"}); err != nil {
			return nil, err
		}
	}
	rateLimit, err := ratelimit.Middleware(limiter, []ratelimit.Rule{{
		Prefix: "/" + adrv1connect.ADRServiceName + "/",
		Policy: ratelimit.Policy{Name: "tenant", Key: ratelimit.KeyTenant,
			Limit: ratelimit.Limit{Rate: cfg.RateLimit, Period: time.Second, Burst: cfg.RateBurst}},
	}})
	if err != nil {
		return nil, err
	}
	// Per client address, before credentials are verified (off unless configured).
	var perIP chain.Middleware
	if cfg.IPRateLimit > 0 {
		if perIP, err = ratelimit.Middleware(limiter, []ratelimit.Rule{{
			Prefix: "/",
			Policy: ratelimit.Policy{Name: "ip", Key: ratelimit.KeyIP,
				Limit: ratelimit.Limit{Rate: cfg.IPRateLimit, Period: time.Second, Burst: cfg.IPRateBurst}},
		}}); err != nil {
			return nil, err
		}
	}
	var proxies *edge.TrustedProxies // none: the client address is the connection's peer
	if len(cfg.TrustedProxies) > 0 {
		if proxies, err = edge.NewTrustedProxies(cfg.TrustedProxies...); err != nil {
			return nil, fmt.Errorf("TRUSTED_PROXIES: %w", err)
		}
	}
	observe := instrument.Middleware()
	return apiHeaders(chain.Chain{
		Recover:          edge.Recover(),
		Metadata:         edge.Metadata(edge.WithTrustedProxies(proxies)),
		Trace:            observe, // One middleware gives the span, the metrics and the access log.
		CORS:             corsMiddleware,
		BodyLimit:        edge.BodyLimit(MaxRequestBytes),
		PreAuthRateLimit: perIP,
		Auth:             a.authn.Middleware(policy),
		RateLimit:        rateLimit,
	}.Then(mux)), nil
}

// WatchWriteGrace is how long past WATCH_MAX_AGE a WatchADRs response may still be
// written: the time to send the stream's end.
const WatchWriteGrace = 10 * time.Second

// watchWriteDeadline gives WatchADRs responses a write deadline, maxAge after the stream
// starts. A stream ends at WATCH_MAX_AGE, but only between writes: a handler blocked
// writing to a client that stopped reading never checks it, and held its goroutine,
// what it was sending and its place among the tenant's watches for as long as the
// connection lasted. Past the deadline its write fails (HTTP/2: the stream is reset;
// HTTP/1.1: the connection is closed) and the handler returns. The deadline is lifted
// when the handler returns, so that it does not outlive the stream on a reused
// HTTP/1.1 connection. It replaces WRITE_TIMEOUT, if set, for WatchADRs.
func watchWriteDeadline(next http.Handler, maxAge time.Duration) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != adrv1connect.ADRServiceWatchADRsProcedure {
			next.ServeHTTP(w, r)
			return
		}
		rc := http.NewResponseController(w)
		if err := rc.SetWriteDeadline(time.Now().Add(maxAge)); err == nil {
			defer func() { _ = rc.SetWriteDeadline(time.Time{}) }()
		}
		next.ServeHTTP(w, r)
	})
}

// buildAdminHandler is what the admin listener (ADMIN_ADDR) serves, reachable only
// inside the cluster: /metrics for Prometheus, and /healthz and /readyz for probes
// that use the admin port. Nothing here is authenticated: its protection is where it
// listens.
func (a *App) buildAdminHandler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", observability.MetricsHandler())
	mux.Handle("GET /healthz", a.health.LivenessHandler())
	mux.Handle("GET /readyz", a.health.ReadinessHandler())
	return apiHeaders(edge.Recover()(mux))
}

// apiHeaders sets, on every response (refusals by the edge included), the headers that
// keep a browser from treating an answer as a page: nothing here serves HTML, but
// answers carry tenants' text (an ADR titled "<script>…"), so a browser must neither
// sniff a type other than the one sent (nosniff) nor run or frame anything from this
// origin (a CSP that allows nothing). Answers are one tenant's data, fetched with its
// credential (Connect GETs included), so no cache may keep them (no-store); a handler
// may set its own Cache-Control.
func apiHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Cache-Control", "no-store")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'; sandbox")
		next.ServeHTTP(w, r)
	})
}

// Health is the service's liveness and readiness.
func (a *App) Health() *health.Checker { return a.health }

// Handler is the service's public HTTP surface, edge chain included.
func (a *App) Handler() http.Handler { return a.handler }

// AdminHandler is what the admin listener serves: /metrics, /healthz and /readyz.
func (a *App) AdminHandler() http.Handler { return a.admin }

// Close releases everything New opened, in reverse order.
func (a *App) Close(ctx context.Context) error {
	var all []error
	for _, f := range slices.Backward(a.closers) {
		all = append(all, f(ctx))
	}
	a.closers = nil
	return errors.Join(all...)
}

// Work runs the service's background parts — the watch hub and the job workers —
// until ctx is done, then stops the workers (running jobs get the drain timeout).
// Serve runs it; tests that mount Handler on their own server run it too.
func (a *App) Work(ctx context.Context) error {
	if err := a.jobs.Start(ctx); err != nil {
		return fmt.Errorf("jobs: %w", err)
	}
	hubErr := a.hub.Run(ctx)
	stopErr := a.jobs.Stop(context.WithoutCancel(ctx))
	return errors.Join(hubErr, stopErr)
}

// Flags is the feature-flag provider, to set per-tenant and per-user overrides.
func (a *App) Flags() *flags.Provider { return a.flags }

// WatchReady is closed once WatchADRs receives changes.
func (a *App) WatchReady() <-chan struct{} { return a.hub.Ready() }
