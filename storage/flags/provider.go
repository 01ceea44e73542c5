package flags

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"os"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/open-feature/go-sdk/openfeature"

	"github.com/footingdev/footing/contracts/errs"
	"github.com/footingdev/footing/contracts/identity"
	"github.com/footingdev/footing/storage/cache"
	"github.com/footingdev/footing/storage/internal/tenantid"
	"github.com/footingdev/footing/storage/rls"
)

const errDomain = "storage.footing.dev"

// DefaultCacheTTL is how long resolved overrides stay cached.
const DefaultCacheTTL = 30 * time.Second

// Variants a resolution reports.
const (
	VariantUser    = "user"
	VariantTenant  = "tenant"
	VariantEnv     = "env"
	VariantDefault = "default"
)

// Provider is an OpenFeature provider. A flag resolves to, in order: the override for
// the Principal's user in its tenant, the override for its tenant, the environment
// variable [EnvName](flag), and the caller's default. Overrides live in
// feature_flag_overrides (storage/migrate migration 00011) under tenant row-level
// security and are read in an rls.InTenant transaction; resolved overrides are cached
// per tenant, flag and user, and every write through the Provider invalidates the
// flag's entries by tag. The user is the Principal's user id only: the evaluation
// context's targeting key is ignored, and a Principal without a user gets only the
// tenant's override. A write that committed returns nil even if the cache then refuses
// the invalidation (logged; the stale entries expire with the TTL). A Provider is safe
// for concurrent use.
type Provider struct {
	db     DB
	cache  *cache.Typed[overrides]
	raw    *cache.Cache
	ttl    time.Duration
	env    func(string) (string, bool)
	logger *slog.Logger
}

// An Option configures a [Provider].
type Option func(*Provider)

// WithCache caches overrides in c. Give every instance the same Redis-backed cache so
// that a write on one instance invalidates the others; the default is an in-process
// cache, where other instances see a change after the cache TTL. c may be a
// Cache.Global view: the entries' names carry the tenant, so tenants never share them.
func WithCache(c *cache.Cache) Option {
	return func(p *Provider) {
		if c != nil {
			p.raw = c
		}
	}
}

// WithCacheTTL sets how long resolved overrides are cached (default 30s).
func WithCacheTTL(d time.Duration) Option {
	return func(p *Provider) {
		if d > 0 {
			p.ttl = d
		}
	}
}

// WithLogger sets where a write that committed but could not invalidate the cache is
// reported, at Warn (default slog.Default()). Values are never logged.
func WithLogger(l *slog.Logger) Option {
	return func(p *Provider) {
		if l != nil {
			p.logger = l
		}
	}
}

// WithEnv replaces os.LookupEnv as the source of defaults.
func WithEnv(lookup func(string) (string, bool)) Option {
	return func(p *Provider) {
		if lookup != nil {
			p.env = lookup
		}
	}
}

// A DB starts transactions and sends batches: *pgxpool.Pool is one.
type DB interface {
	rls.Beginner
	rls.BatchSender
}

// New returns a Provider over db (the application's pool).
func New(db DB, opts ...Option) *Provider {
	p := &Provider{db: db, ttl: DefaultCacheTTL, env: os.LookupEnv, logger: slog.Default()}
	for _, o := range opts {
		o(p)
	}
	if p.raw == nil {
		p.raw = cache.New(cache.NewMemory(0), cache.Config{DefaultTTL: p.ttl})
	}
	p.cache = cache.For(p.raw, cache.JSON[overrides]())
	return p
}

// overrides are one user's view of one flag's overrides in one tenant.
type overrides struct {
	Tenant json.RawMessage `json:"t,omitempty"`
	User   json.RawMessage `json:"u,omitempty"`
}

var _ openfeature.FeatureProvider = (*Provider)(nil)

// Metadata implements openfeature.FeatureProvider.
func (p *Provider) Metadata() openfeature.Metadata {
	return openfeature.Metadata{Name: "footing-flags"}
}

// Hooks implements openfeature.FeatureProvider; there are none.
func (p *Provider) Hooks() []openfeature.Hook { return nil }

// cacheKey and cacheTag name flag's cache entries in ctx's tenant. The tenant is in
// the name although storage/cache namespaces entries by tenant: the cache given to
// WithCache may be a Cache.Global view, where every tenant would share them. A flag
// holds no ':', nor does a canonical tenant id.
func cacheKey(ctx context.Context, flag, user string) string {
	return cacheTag(ctx, flag) + ":u:" + user
}

func cacheTag(ctx context.Context, flag string) string {
	t, _ := identity.TenantID(ctx)
	if c, ok := tenantid.Canonical(t); ok {
		t = c
	}
	return "flag:" + flag + ":t:" + t
}

// user is the Principal's user id, or "" when it has none. The evaluation context's
// targeting key is never used: the caller supplies it, so it would let a caller
// evaluate flags as any user of its tenant. With no user only the tenant's override
// (and the environment and default) can apply.
func user(ctx context.Context) string {
	if u, ok := identity.UserID(ctx); ok {
		return u
	}
	return ""
}

// lookup loads the overrides that apply to ctx's tenant and user, through the cache.
func (p *Provider) lookup(ctx context.Context, flag, userID string) (overrides, error) {
	return p.cache.GetOrLoad(ctx, cacheKey(ctx, flag, userID), func(ctx context.Context) (overrides, error) {
		var o overrides
		var b pgx.Batch // one round trip: tenant scope and read pipelined
		b.Queue(`SELECT user_id, value FROM feature_flag_overrides WHERE flag = $1 AND user_id IN ('', $2)`,
			flag, userID).Query(func(rows pgx.Rows) error {
			for rows.Next() {
				var u string
				var v json.RawMessage
				if err := rows.Scan(&u, &v); err != nil {
					return err
				}
				if u == "" {
					o.Tenant = v
				} else {
					o.User = v
				}
			}
			return rows.Err()
		})
		return o, rls.InTenantBatch(ctx, p.db, &b)
	}, cache.WithTTL(p.ttl), cache.WithTags(cacheTag(ctx, flag)))
}

// resolution is a resolved value and its details, before typing.
type resolution struct {
	value   any
	variant string
	reason  openfeature.Reason
	err     *openfeature.ResolutionError
}

func (p *Provider) resolve(ctx context.Context, flag string, k kind, def any) resolution {
	if _, ok := identity.TenantID(ctx); ok && flagPattern.MatchString(flag) {
		o, err := p.lookup(ctx, flag, user(ctx))
		if err != nil {
			e := openfeature.NewGeneralResolutionError("flags: reading overrides failed")
			return resolution{value: def, variant: VariantDefault, reason: openfeature.ErrorReason, err: &e}
		}
		for _, c := range []struct {
			raw     json.RawMessage
			variant string
		}{{o.User, VariantUser}, {o.Tenant, VariantTenant}} {
			if c.raw == nil {
				continue
			}
			v, err := decodeJSON(k, c.raw)
			if err != nil {
				return mismatch(def, err, "override for "+c.variant)
			}
			return resolution{value: v, variant: c.variant, reason: openfeature.TargetingMatchReason}
		}
	}
	if s, ok := p.env(EnvName(flag)); ok {
		v, err := parseEnv(k, s)
		if err != nil {
			e := openfeature.NewParseErrorResolutionError("flags: " + EnvName(flag) + " is not a valid " + k.String())
			return resolution{value: def, variant: VariantDefault, reason: openfeature.ErrorReason, err: &e}
		}
		return resolution{value: v, variant: VariantEnv, reason: openfeature.StaticReason}
	}
	return resolution{value: def, variant: VariantDefault, reason: openfeature.DefaultReason}
}

func mismatch(def any, err error, what string) resolution {
	var e openfeature.ResolutionError
	if errors.Is(err, errTypeMismatch) {
		e = openfeature.NewTypeMismatchResolutionError("flags: " + what + ": " + err.Error())
	} else {
		e = openfeature.NewParseErrorResolutionError("flags: " + what + ": " + err.Error())
	}
	return resolution{value: def, variant: VariantDefault, reason: openfeature.ErrorReason, err: &e}
}

func (r resolution) detail() openfeature.ProviderResolutionDetail {
	d := openfeature.ProviderResolutionDetail{Reason: r.reason, Variant: r.variant}
	if r.err != nil {
		d.ResolutionError = *r.err
	}
	return d
}

// BooleanEvaluation implements openfeature.FeatureProvider.
func (p *Provider) BooleanEvaluation(ctx context.Context, flag string, def bool, _ openfeature.FlattenedContext) openfeature.BoolResolutionDetail {
	r := p.resolve(ctx, flag, kindBool, def)
	return openfeature.BoolResolutionDetail{Value: r.value.(bool), ProviderResolutionDetail: r.detail()}
}

// StringEvaluation implements openfeature.FeatureProvider.
func (p *Provider) StringEvaluation(ctx context.Context, flag string, def string, _ openfeature.FlattenedContext) openfeature.StringResolutionDetail {
	r := p.resolve(ctx, flag, kindString, def)
	return openfeature.StringResolutionDetail{Value: r.value.(string), ProviderResolutionDetail: r.detail()}
}

// FloatEvaluation implements openfeature.FeatureProvider.
func (p *Provider) FloatEvaluation(ctx context.Context, flag string, def float64, _ openfeature.FlattenedContext) openfeature.FloatResolutionDetail {
	r := p.resolve(ctx, flag, kindFloat, def)
	return openfeature.FloatResolutionDetail{Value: r.value.(float64), ProviderResolutionDetail: r.detail()}
}

// IntEvaluation implements openfeature.FeatureProvider.
func (p *Provider) IntEvaluation(ctx context.Context, flag string, def int64, _ openfeature.FlattenedContext) openfeature.IntResolutionDetail {
	r := p.resolve(ctx, flag, kindInt, def)
	return openfeature.IntResolutionDetail{Value: r.value.(int64), ProviderResolutionDetail: r.detail()}
}

// ObjectEvaluation implements openfeature.FeatureProvider.
func (p *Provider) ObjectEvaluation(ctx context.Context, flag string, def any, _ openfeature.FlattenedContext) openfeature.InterfaceResolutionDetail {
	r := p.resolve(ctx, flag, kindObject, def)
	return openfeature.InterfaceResolutionDetail{Value: r.value, ProviderResolutionDetail: r.detail()}
}

func checkFlag(flag string) error {
	if !flagPattern.MatchString(flag) {
		return errs.InvalidArgument("FLAG_KEY_INVALID", "flags: flag key must match ^[a-z0-9][a-z0-9_.-]{0,127}$",
			errs.WithDomain(errDomain), errs.WithFieldViolation("flag", "must be lower-case letters, digits, _ . -", "PATTERN"))
	}
	return nil
}
