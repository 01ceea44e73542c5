package adr

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	adrv1 "github.com/footingdev/footing/examples/gen/go/footing/examples/adr/v1"
	"github.com/footingdev/footing/storage/cache"
)

// Config wires a [Service] to its parts.
type Config struct {
	// Pool connects as the application role (storage/rls.AppRole). Required.
	Pool *pgxpool.Pool
	// Cache is the tenant-scoped cache for GetADR. Required.
	Cache *cache.Cache
	// Hub fans out changes for WatchADRs. Required; run it with Hub.Run.
	Hub *Hub
	// PageTokenKey signs page tokens; at least 32 random bytes, the same on every
	// instance. Required.
	PageTokenKey []byte
	// Flags answers feature flags; nil means every flag is off.
	Flags Flags
	// Logger receives the warning when a committed write's cached copy cannot be
	// evicted (ids only, never an ADR's text); nil means slog.Default().
	Logger *slog.Logger
	// CacheTTL is how long GetADR keeps an ADR; 0 means 5 minutes.
	CacheTTL time.Duration
	// WatchMaxAge is how long one WatchADRs stream lasts: then it ends with Unavailable
	// (WATCH_MAX_AGE, retry at once) and the client watches again, presenting a current
	// credential. Credentials are checked when a stream starts, so without an end a stream
	// outlives its token's expiry and revocation. 0 means 5 minutes.
	WatchMaxAge time.Duration
	// Enqueue enqueues a render job inside the write's transaction (storage/jobs
	// Enqueue); nil means no render jobs.
	Enqueue func(ctx context.Context, tx pgx.Tx, args RenderArgs) error
}

// DefaultWatchMaxAge is [Config.WatchMaxAge]'s default.
const DefaultWatchMaxAge = 5 * time.Minute

// Validate reports every problem with c at once.
func (c Config) Validate() error {
	var problems []error
	if c.Pool == nil {
		problems = append(problems, errors.New("adr: Config.Pool is required"))
	}
	if c.Cache == nil {
		problems = append(problems, errors.New("adr: Config.Cache is required"))
	}
	if c.Hub == nil {
		problems = append(problems, errors.New("adr: Config.Hub is required"))
	}
	if len(c.PageTokenKey) < 32 {
		problems = append(problems, fmt.Errorf("adr: Config.PageTokenKey must be at least 32 bytes, got %d", len(c.PageTokenKey)))
	}
	if c.WatchMaxAge < 0 {
		problems = append(problems, fmt.Errorf("adr: Config.WatchMaxAge must not be negative, got %v", c.WatchMaxAge))
	}
	if c.CacheTTL < 0 {
		problems = append(problems, fmt.Errorf("adr: Config.CacheTTL must not be negative, got %v", c.CacheTTL))
	}
	return errors.Join(problems...)
}

// NewService returns the ADR service for cfg.
func NewService(cfg Config) (*Service, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	table, err := newTable(cfg.PageTokenKey)
	if err != nil {
		return nil, err
	}
	s := &Service{
		store:  &Store{pool: cfg.Pool, table: table},
		cache:  cache.For(cfg.Cache, cache.Proto[*adrv1.ADR]()),
		hub:    cfg.Hub,
		flags:  cfg.Flags,
		ttl:    cfg.CacheTTL,
		logger: cfg.Logger,

		watchMaxAge: cfg.WatchMaxAge,
	}
	if s.watchMaxAge == 0 {
		s.watchMaxAge = DefaultWatchMaxAge
	}
	if s.flags == nil {
		s.flags = FlagsFunc(func(context.Context, string) bool { return false })
	}
	if s.ttl == 0 {
		s.ttl = 5 * time.Minute
	}
	if s.logger == nil {
		s.logger = slog.Default()
	}
	if enqueue := cfg.Enqueue; enqueue != nil {
		s.store.afterWrite = func(ctx context.Context, tx pgx.Tx, kind adrv1.WatchADRsResponse_Kind, a *adrv1.ADR) error {
			if kind == adrv1.WatchADRsResponse_KIND_DELETED {
				return nil
			}
			return enqueue(ctx, tx, RenderArgs{ID: a.GetId(), Version: a.GetVersion()})
		}
	}
	return s, nil
}
