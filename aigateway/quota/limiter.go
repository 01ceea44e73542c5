package quota

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/footingdev/footing/contracts/errs"
	commonv1 "github.com/footingdev/footing/contracts/gen/go/footing/common/v1"
	"github.com/footingdev/footing/contracts/identity"
)

// Limits are the limits of one scope. A zero field means no limit of that kind.
type Limits struct {
	RequestsPerMinute int64
	TokensPerMinute   int64
	// Budget is the spend allowed per BudgetPeriod, in nano-USD.
	Budget int64
	// BudgetPeriod is the budget's period (default 30 days), in windows aligned to
	// the Unix epoch.
	BudgetPeriod time.Duration
}

// Config configures a [Limiter]. The zero value limits nothing.
type Config struct {
	// Tenant are the limits of every tenant without an entry in Tenants.
	Tenant Limits
	// Tenants override Tenant per tenant id. A UUID id may be written in any case,
	// hyphenated or as 32 hex digits (see identity.CanonicalTenantID); two entries
	// for one tenant are refused.
	Tenants map[string]Limits
	// User are the limits of each user (or API key) within a tenant: the Principal's
	// user id, else its subject. Callers without either have no user limits.
	User Limits
	// KeyPrefix prefixes every store key (default "footing:aiquota:").
	KeyPrefix string
}

// Validate reports every problem of c at once.
func (c Config) Validate() error {
	var opts []errs.Option
	var msgs []string
	check := func(field string, l Limits) {
		if l.RequestsPerMinute < 0 || l.TokensPerMinute < 0 || l.Budget < 0 || l.BudgetPeriod < 0 {
			opts = append(opts, errs.WithFieldViolation(field, "limits must not be negative", "NEGATIVE"))
			msgs = append(msgs, field+": limits must not be negative")
		}
	}
	check("tenant", c.Tenant)
	check("user", c.User)
	spelled := make(map[string]string, len(c.Tenants))
	for id, l := range c.Tenants {
		check("tenants["+id+"]", l)
		canon := identity.CanonicalTenantID(id)
		if other, ok := spelled[canon]; ok {
			if other > id {
				other, id = id, other
			}
			opts = append(opts, errs.WithFieldViolation("tenants["+id+"]", "is tenant "+other+" spelled another way", "DUPLICATE"))
			msgs = append(msgs, "tenants["+id+"]: is tenant "+other+" spelled another way")
		}
		spelled[canon] = id
	}
	if len(opts) == 0 {
		return nil
	}
	return errs.InvalidArgument("QUOTA_CONFIG_INVALID", "the quota configuration is invalid: "+strings.Join(msgs, "; "), opts...)
}

// An Option configures a [Limiter].
type Option func(*Limiter)

// WithClock sets the clock that picks the minute window and budget period.
func WithClock(now func() time.Time) Option {
	return func(l *Limiter) {
		if now != nil {
			l.now = now
		}
	}
}

// A Limiter admits requests. It is safe to use concurrently.
type Limiter struct {
	store Store
	cfg   Config
	now   func() time.Time
}

// New returns a limiter over store, or cfg's problems.
func New(store Store, cfg Config, opts ...Option) (*Limiter, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.KeyPrefix == "" {
		cfg.KeyPrefix = "footing:aiquota:"
	}
	if len(cfg.Tenants) > 0 {
		// Principals carry a UUID tenant in its canonical spelling (gatewaycore/auth);
		// so must the entries, or one written in upper case never applied.
		tenants := make(map[string]Limits, len(cfg.Tenants))
		for id, l := range cfg.Tenants {
			tenants[identity.CanonicalTenantID(id)] = l
		}
		cfg.Tenants = tenants
	}
	l := &Limiter{store: store, cfg: cfg, now: time.Now}
	for _, o := range opts {
		o(l)
	}
	return l, nil
}

// A Request is what one call may use at most.
type Request struct {
	// Tokens is the input estimate plus the maximum output tokens.
	Tokens int64
	// Cost is the worst-case cost in nano-USD: Tokens at the model's prices.
	Cost int64
}

type kind int

const (
	requests kind = iota
	tokens
	budget
)

type charge struct {
	Counter
	kind  kind
	scope string
	ends  time.Time
}

// A Reservation is what [Limiter.Reserve] took; Settle it once the call is over.
type Reservation struct {
	l       *Limiter
	charges []charge
	mu      sync.Mutex
	settled bool
}

// Reserve takes r from every scope p falls under (its tenant, and its user within
// the tenant), or takes nothing and returns a ResourceExhausted error naming the
// limit, with a retry-after for when its window or period ends. A nil p counts as
// the tenant "". A UUID tenant id counts in its canonical spelling
// (identity.CanonicalTenantID), whichever p has.
func (l *Limiter) Reserve(ctx context.Context, p *commonv1.Principal, r Request) (*Reservation, error) {
	now := l.now()
	res := &Reservation{l: l}
	tenant := identity.CanonicalTenantID(p.GetTenantId())
	tl, ok := l.cfg.Tenants[tenant]
	if !ok {
		tl = l.cfg.Tenant
	}
	tag := "{" + escapeTenant(tenant) + "}"
	if tenant == "" {
		// Redis Cluster hashes the whole key when its hash tag is empty ("{}"), which
		// put the counters of one reservation in different slots (CROSSSLOT). No
		// escaped tenant id is "\xff".
		tag = "{\xff}"
	}
	// A scope is named in refusals, whose details must be UTF-8.
	res.add(now, l.cfg.KeyPrefix+tag+":t", "tenant "+strings.ToValidUTF8(tenant, "\uFFFD"), tl, r)
	if user := cmpOr(p.GetUserId(), p.GetSubject()); user != "" {
		res.add(now, l.cfg.KeyPrefix+tag+":u:"+user, "user "+strings.ToValidUTF8(user, "\uFFFD"), l.cfg.User, r)
	}
	if len(res.charges) == 0 {
		return res, nil
	}
	counters := make([]Counter, len(res.charges))
	for i, c := range res.charges {
		counters[i] = c.Counter
	}
	i, err := l.store.Reserve(ctx, counters)
	if err != nil {
		return nil, err
	}
	if i >= 0 {
		return nil, refusal(res.charges[i], now)
	}
	return res, nil
}

func (res *Reservation) add(now time.Time, key, scope string, lim Limits, r Request) {
	minute := now.Truncate(time.Minute)
	win := strconv.FormatInt(minute.Unix()/60, 10)
	if lim.RequestsPerMinute > 0 {
		res.charges = append(res.charges, charge{Counter{key + ":rpm:" + win, lim.RequestsPerMinute, 1, 2 * time.Minute}, requests, scope, minute.Add(time.Minute)})
	}
	if lim.TokensPerMinute > 0 {
		res.charges = append(res.charges, charge{Counter{key + ":tpm:" + win, lim.TokensPerMinute, r.Tokens, 2 * time.Minute}, tokens, scope, minute.Add(time.Minute)})
	}
	if lim.Budget > 0 {
		period := lim.BudgetPeriod
		if period == 0 {
			period = 30 * 24 * time.Hour
		}
		n := now.UnixNano() / int64(period)
		ends := time.Unix(0, (n+1)*int64(period))
		res.charges = append(res.charges, charge{Counter{key + ":spend:" + strconv.FormatInt(n, 10), lim.Budget, r.Cost, period + time.Minute}, budget, scope, ends})
	}
}

func refusal(c charge, now time.Time) error {
	retry := errs.WithRetryAfter(max(c.ends.Sub(now), time.Second))
	meta := errs.WithMetadata("scope", c.scope, "limit", strconv.FormatInt(c.Limit, 10))
	switch c.kind {
	case requests:
		return errs.ResourceExhausted("REQUESTS_PER_MINUTE_EXCEEDED", fmt.Sprintf("%s is over its %d requests per minute", c.scope, c.Limit), retry, meta)
	case tokens:
		if c.Add > c.Limit {
			return errs.ResourceExhausted("TOKENS_PER_MINUTE_EXCEEDED", fmt.Sprintf("the request may use %d tokens, more than the %d per minute %s is allowed; lower max_tokens", c.Add, c.Limit, c.scope), meta)
		}
		return errs.ResourceExhausted("TOKENS_PER_MINUTE_EXCEEDED", fmt.Sprintf("%s is over its %d tokens per minute", c.scope, c.Limit), retry, meta)
	default:
		if c.Add > c.Limit {
			// Alone past the whole budget: waiting for the next period does not help.
			return errs.ResourceExhausted("BUDGET_EXHAUSTED", fmt.Sprintf("the request may cost up to %d nano-USD, more than the budget of %d per period %s is allowed; lower max_tokens", c.Add, c.Limit, c.scope), meta)
		}
		return errs.ResourceExhausted("BUDGET_EXHAUSTED", fmt.Sprintf("%s has spent its budget for the period", c.scope), retry, meta)
	}
}

// Settle attempts: a write the store fails is tried again after 25, 50 and 100 ms.
const (
	settleAttempts = 4
	settleBackoff  = 25 * time.Millisecond
)

// Settle replaces the reserved worst case with what the call used: tokens and cost
// (nano-USD) as the provider reported them, zero when the call failed before any
// usage. Only the first successful call has an effect. A write the store fails is
// tried again a few times while ctx lasts (about 175 ms in all); if every try
// fails, Settle returns the error and a later call may try again — the worst case
// would otherwise stay reserved for the whole budget period. (A write that reached
// Redis but whose answer was lost is applied twice: the refund counts double,
// which errs by as much as a lost refund, in the caller's favour.)
func (res *Reservation) Settle(ctx context.Context, usedTokens, usedCost int64) error {
	res.mu.Lock()
	defer res.mu.Unlock()
	if res.settled {
		return nil
	}
	var adj []Counter
	for _, c := range res.charges {
		var d int64
		switch c.kind {
		case tokens:
			d = usedTokens - c.Add
		case budget:
			d = usedCost - c.Add
		}
		if d != 0 {
			adj = append(adj, Counter{Key: c.Key, Add: d})
		}
	}
	if len(adj) == 0 {
		res.settled = true
		return nil
	}
	for try := 0; ; try++ {
		err := res.l.store.Adjust(ctx, adj)
		if err == nil {
			res.settled = true
			return nil
		}
		if try+1 == settleAttempts {
			return err
		}
		t := time.NewTimer(settleBackoff << try)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return err
		}
	}
}

// escapeTenant writes a tenant id for the hash tag of its keys, so that no two
// scopes share a key: '%', '}' and the byte 0xff become %25, %7D and %FF. The tag
// then ends at the first '}' after the prefix (where Redis Cluster ends it too),
// so the tenant is read back from it, and a key never passes for another tenant's;
// the no-tenant tag "{\xff}" is no tenant's. After the tag, ":t" or ":u:" + user
// and then ":" + kind + ":" + window, both without ':', so the user is whatever
// lies between — any bytes, kept as they are. Ids without those three bytes keep
// the keys they had.
func escapeTenant(id string) string {
	var b []byte
	for i := range len(id) {
		switch c := id[i]; c {
		case '%', '}', 0xff:
			if b == nil {
				b = append(make([]byte, 0, len(id)+8), id[:i]...)
			}
			b = append(b, '%', "0123456789ABCDEF"[c>>4], "0123456789ABCDEF"[c&15])
		default:
			if b != nil {
				b = append(b, c)
			}
		}
	}
	if b == nil {
		return id
	}
	return string(b)
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
