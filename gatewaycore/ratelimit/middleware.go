package ratelimit

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"net"
	"net/http"
	"net/netip"
	"slices"
	"sort"
	"strconv"
	"strings"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/footingdev/footing/contracts/errs"
	commonv1 "github.com/footingdev/footing/contracts/gen/go/footing/common/v1"
	"github.com/footingdev/footing/contracts/identity"
	"github.com/footingdev/footing/gatewaycore/httperr"
	"github.com/footingdev/footing/gatewaycore/internal/routepath"
	"github.com/footingdev/footing/observability/semconv"
)

// KeyKind says what a [Policy] counts requests by.
type KeyKind int

const (
	// KeyIP counts by client IP (RequestMetadata.client_ip from gatewaycore/edge,
	// else the connection's peer).
	KeyIP KeyKind = iota
	// KeyTenant counts by the Principal's tenant; callers without one count by IP.
	KeyTenant
	// KeyUser counts by the Principal: its issuer, tenant and subject together (the
	// user id when it has no subject), hashed, so that the same subject from two
	// issuers, or acting for two tenants, counts as two callers. Anonymous callers
	// count by IP.
	KeyUser
	// KeyAPIKey counts by the API key the caller authenticated with (the Principal
	// auth put in the context, AuthMethod API_KEY), hashed; everyone else, including
	// a caller who presents a key that did not verify, counts by IP.
	KeyAPIKey
)

// String returns "ip", "tenant", "user" or "api_key".
func (k KeyKind) String() string {
	switch k {
	case KeyTenant:
		return "tenant"
	case KeyUser:
		return "user"
	case KeyAPIKey:
		return "api_key"
	default:
		return "ip"
	}
}

// A Policy is a named [Limit] counted per [KeyKind].
type Policy struct {
	// Name appears in keys, headers and metrics; keep it short and stable. It must be
	// non-empty, without ':' (the key separator), quotes, ';', ',' or spaces:
	// [Middleware] and [NewInterceptor] refuse other names. Rules naming the same
	// policy share its buckets (one budget over several prefixes), so they must
	// give it the same limit.
	Name  string
	Key   KeyKind
	Limit Limit
	// IPv6Prefix is how many leading bits of an IPv6 caller's address are counted
	// as one caller, wherever the policy counts by IP ([KeyIP], and the callers the
	// other kinds count by IP). 0 means 64: one subscriber is given a whole /64 (or
	// more; RFC 6177), and counting each address would give it 2^64 buckets, so a
	// new source address per request would never be refused. 128 counts each
	// address; 48 or 56 count a whole site. 32 to 128; IPv4 callers are counted per
	// address, and IPv4-mapped IPv6 addresses as their IPv4 address. Rules naming
	// the same policy must give it the same prefix.
	IPv6Prefix int
}

// defaultIPv6Prefix is the network an IPv6 caller is counted by when the policy
// does not say.
const defaultIPv6Prefix = 64

// ipv6Bits returns the prefix length p counts IPv6 callers by.
func (p Policy) ipv6Bits() int {
	if p.IPv6Prefix == 0 {
		return defaultIPv6Prefix
	}
	return p.IPv6Prefix
}

// A Rule applies a [Policy] to requests whose path starts with Prefix: a Connect
// procedure "/pkg.Service/Method", a whole service "/pkg.Service/", or an HTTP route
// "/api/". The longest matching prefix wins; requests matching no rule pass unlimited.
// Two rules may not have the same prefix.
// [Middleware] matches the cleaned path ("." and ".." resolved, "//" merged, a
// trailing slash kept) — the same path gatewaycore/auth's middleware judges — so
// "//pkg.Service/Method" or "/pkg.Service/./Method" cannot slip past a rule behind
// a router that does not clean paths. Like auth, it also judges the other forms a
// router may route by (escaped dot segments or slashes: http.ServeMux serves
// "/admin/%2e%2e/healthz" under "/admin/"), and every rule one of them matches
// counts the request.
type Rule struct {
	Prefix string
	Policy Policy
}

// An Option configures [Middleware].
type Option func(*middlewareConfig)

type middlewareConfig struct {
	mp               metric.MeterProvider
	writer           *httperr.Writer
	headersOnAllowed bool
}

// WithAPIKeyHeader has no effect.
//
// Deprecated: [KeyAPIKey] counts by the verified API key of the caller's Principal,
// never by a header, which anyone can fill with a made-up key.
func WithAPIKeyHeader(string) Option {
	return func(*middlewareConfig) {}
}

// WithMeterProvider sets where footing.ratelimit.decisions is recorded. Default the
// global provider; nil is ignored.
func WithMeterProvider(mp metric.MeterProvider) Option {
	return func(c *middlewareConfig) {
		if mp != nil {
			c.mp = mp
		}
	}
}

// WithHeadersOnAllowed(true) sends the RateLimit and RateLimit-Policy headers on
// allowed responses too, so that clients can pace themselves before they are refused
// (draft-ietf-httpapi-ratelimit-headers allows them on any response). By default only
// refusals carry them, with Retry-After: allowed responses then do not disclose the
// policy or the caller's remaining quota, and cost nothing extra on the wire (over
// loopback, the two headers on every response cost the edge chain 17.8 thousand
// instructions per call, 4.6 % of a bare connect-go call, mostly net/http writing and
// parsing them; see gatewaycore/BENCHMARKS.md).
func WithHeadersOnAllowed(on bool) Option {
	return func(c *middlewareConfig) { c.headersOnAllowed = on }
}

// WithErrorWriter sets the writer of refusals. Nil is ignored.
func WithErrorWriter(w *httperr.Writer) Option {
	return func(c *middlewareConfig) {
		if w != nil {
			c.writer = w
		}
	}
}

type compiledRule struct {
	Rule
	policyHeader []string // the RateLimit-Policy value, shared by every response (len == cap)
	quotedName   string
	keyPrefix    string
	allowed      []metric.AddOption
	limited      []metric.AddOption
}

// The RateLimit header names in canonical form, so that setting them costs no
// canonicalization (http.CanonicalHeaderKey("RateLimit") is "Ratelimit").
const (
	headerRateLimit       = "Ratelimit"
	headerRateLimitPolicy = "Ratelimit-Policy"
)

// Middleware returns HTTP middleware that applies rules with limiter. It reports
// every invalid rule at once. A refusal answers 429 with Retry-After, the
// RateLimit-Policy and RateLimit headers (draft-ietf-httpapi-ratelimit-headers) and a
// ResourceExhausted error with RetryInfo (in the request's protocol: Connect, gRPC,
// gRPC-Web or JSON); allowed responses carry the two RateLimit headers too with
// [WithHeadersOnAllowed]. If the backend is down and fails
// closed, it answers 503 Unavailable with Retry-After.
func Middleware(limiter Limiter, rules []Rule, opts ...Option) (func(http.Handler) http.Handler, error) {
	e, err := newEnforcer(limiter, rules, opts)
	if err != nil {
		return nil, err
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			// Every rule that a form of the path a router may serve matches applies
			// (routepath.Forms): "/admin/%2e%2e/healthz" is served by ServeMux's
			// "/admin/" handler, so "/admin/"'s rule counts it, not only "/healthz"'s.
			var forms [3]string
			var matched [3]*compiledRule
			n := 0
			for _, path := range routepath.Forms(r.URL, &forms) {
				if rule := e.match(path); rule != nil && !slices.Contains(matched[:n], rule) {
					matched[n] = rule
					n++
				}
			}
			for _, rule := range matched[:n] {
				if refusal := e.decide(r.Context(), rule, r.RemoteAddr, w.Header()); refusal != nil {
					e.cfg.writer.Write(w, r, refusal)
					return
				}
			}
			next.ServeHTTP(w, r)
		})
	}, nil
}

// enforcer holds compiled rules; Middleware and NewInterceptor share it.
type enforcer struct {
	cfg       middlewareConfig
	limiter   Limiter
	rules     []compiledRule
	decisions metric.Int64Counter
}

func newEnforcer(limiter Limiter, rules []Rule, opts []Option) (*enforcer, error) {
	c := middlewareConfig{mp: otel.GetMeterProvider(), writer: httperr.New()}
	for _, opt := range opts {
		opt(&c)
	}
	var problems []error
	if limiter == nil {
		problems = append(problems, errors.New("limiter is nil"))
	}
	compiled := make([]compiledRule, 0, len(rules))
	firstLimit := map[string]int{} // policy name → the first rule giving it
	prefixes := map[string]int{}   // prefix → its rule
	for i, r := range rules {
		if r.Prefix == "" || !strings.HasPrefix(r.Prefix, "/") {
			problems = append(problems, fmt.Errorf("rule %d: prefix %q must start with /", i, r.Prefix))
		} else if j, dup := prefixes[r.Prefix]; dup {
			problems = append(problems, fmt.Errorf("rule %d: prefix %q is rule %d's too; only one of them would ever apply", i, r.Prefix, j))
		} else {
			prefixes[r.Prefix] = i
		}
		switch {
		case r.Policy.Name == "":
			problems = append(problems, fmt.Errorf("rule %d (prefix %q): policy name is empty", i, r.Prefix))
		case strings.Contains(r.Policy.Name, ":"):
			// ':' separates the parts of a key (<policy>:<kind>:<id>): policy "x:tenant"
			// counting by IP would share keys with policy "x" for a tenant named "ip:…".
			problems = append(problems, fmt.Errorf("rule %d: policy name %q must not contain ':' (it separates the parts of the limiter key)", i, r.Policy.Name))
		case strings.ContainsAny(r.Policy.Name, "\";, \t\r\n"):
			problems = append(problems, fmt.Errorf("rule %d: policy name %q must be non-empty without quotes, separators or spaces", i, r.Policy.Name))
		}
		if b := r.Policy.IPv6Prefix; b != 0 && (b < 32 || b > 128) {
			problems = append(problems, fmt.Errorf("rule %d (%s): IPv6Prefix %d is not a prefix length from 32 to 128 (0 means 64)", i, r.Policy.Name, b))
		}
		if err := r.Policy.Limit.Validate(); err != nil {
			problems = append(problems, fmt.Errorf("rule %d (%s): %w", i, r.Policy.Name, err))
		} else if j, seen := firstLimit[r.Policy.Name]; !seen {
			firstLimit[r.Policy.Name] = i
		} else if l := rules[j].Policy.Limit; l.interval() != r.Policy.Limit.interval() || l.burst() != r.Policy.Limit.burst() {
			// The name is the policy's part of the key: rules sharing it share buckets,
			// which must then run under one interval and burst.
			problems = append(problems, fmt.Errorf("rule %d: policy %q has another limit in rule %d; rules naming one policy share its buckets, so give them one limit or two names", i, r.Policy.Name, j))
		} else if a, b := rules[j].Policy.ipv6Bits(), r.Policy.ipv6Bits(); a != b {
			// Buckets keyed per /64 in one rule and per /128 in another would count
			// one caller twice.
			problems = append(problems, fmt.Errorf("rule %d: policy %q counts IPv6 callers per /%d here and per /%d in rule %d; rules naming one policy share its buckets, so give them one IPv6Prefix or two names", i, r.Policy.Name, b, a, j))
		}
		cr := compiledRule{Rule: r, quotedName: strconv.Quote(r.Policy.Name), keyPrefix: r.Policy.Name + ":"}
		// The window is whole seconds, rounded up: q per a longer window never
		// promises more than the limit allows.
		window := max(int64(math.Ceil(r.Policy.Limit.Period.Seconds())), 1)
		cr.policyHeader = []string{fmt.Sprintf("%q;q=%d;w=%d", r.Policy.Name, r.Policy.Limit.Rate, window)}
		cr.allowed = []metric.AddOption{metric.WithAttributeSet(attribute.NewSet(attribute.String(semconv.AttrPolicy, r.Policy.Name), attribute.String(semconv.AttrResult, "allowed")))}
		cr.limited = []metric.AddOption{metric.WithAttributeSet(attribute.NewSet(attribute.String(semconv.AttrPolicy, r.Policy.Name), attribute.String(semconv.AttrResult, "limited")))}
		compiled = append(compiled, cr)
	}
	m := semconv.RateLimitDecisions
	decisions, err := c.mp.Meter(meterName).Int64Counter(m.Name, metric.WithUnit(m.Unit), metric.WithDescription(m.Description))
	if err != nil {
		problems = append(problems, err)
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("ratelimit: %w", errors.Join(problems...))
	}
	sort.SliceStable(compiled, func(i, j int) bool { return len(compiled[i].Prefix) > len(compiled[j].Prefix) })
	return &enforcer{cfg: c, limiter: limiter, rules: compiled, decisions: decisions}, nil
}

// match returns the rule with the longest prefix of path, or nil.
func (e *enforcer) match(path string) *compiledRule {
	for i := range e.rules {
		if strings.HasPrefix(path, e.rules[i].Prefix) {
			return &e.rules[i]
		}
	}
	return nil
}

// decide takes one decision under rule, sets the RateLimit headers on out (on an
// allowed decision only with WithHeadersOnAllowed), and returns nil to proceed or the
// error to answer with.
func (e *enforcer) decide(ctx context.Context, rule *compiledRule, remoteAddr string, out http.Header) error {
	var buf [64]byte
	kind, id := keyParts(ctx, rule.Policy.Key, rule.Policy.ipv6Bits(), remoteAddr, &buf)
	d, err := e.limiter.Allow(ctx, rule.keyPrefix+kind+id, rule.Policy.Limit) // one allocation
	if err != nil {
		return err
	}
	if d.Allowed {
		if e.cfg.headersOnAllowed {
			out[headerRateLimitPolicy] = rule.policyHeader
			out[headerRateLimit] = []string{rateLimitHeader(rule.quotedName, d)}
		}
		e.decisions.Add(ctx, 1, rule.allowed...)
		return nil
	}
	out[headerRateLimitPolicy] = rule.policyHeader
	out[headerRateLimit] = []string{rateLimitHeader(rule.quotedName, d)}
	e.decisions.Add(ctx, 1, rule.limited...)
	if d.FailedClosed {
		return errs.Unavailable("RATE_LIMIT_UNAVAILABLE", "rate limiting is unavailable; try again later",
			errs.WithRetryAfter(d.RetryAfter), errs.WithMetadata("policy", rule.Policy.Name))
	}
	return errs.ResourceExhausted("RATE_LIMITED", "too many requests",
		errs.WithRetryAfter(d.RetryAfter), errs.WithMetadata("policy", rule.Policy.Name))
}

// RateLimitHeader formats the RateLimit header for d under p:
// `"name";r=remaining;t=seconds` where t is the reset time, or the retry time of a refusal.
func (p Policy) RateLimitHeader(d Decision) string {
	return rateLimitHeader(strconv.Quote(p.Name), d)
}

func rateLimitHeader(quotedName string, d Decision) string {
	reset := d.ResetAfter
	if !d.Allowed {
		reset = d.RetryAfter
	}
	var buf [96]byte
	b := append(buf[:0], quotedName...)
	b = append(b, ";r="...)
	b = strconv.AppendInt(b, d.Remaining, 10)
	b = append(b, ";t="...)
	b = appendSeconds(b, reset.Seconds())
	return string(b)
}

// appendSeconds appends httperr.RetryAfterSeconds(seconds) to b.
func appendSeconds(b []byte, seconds float64) []byte {
	if seconds <= 0 || math.IsNaN(seconds) {
		return append(b, '0')
	}
	return strconv.AppendInt(b, int64(math.Ceil(min(seconds, 1<<31))), 10)
}

// Key returns the identity r is counted by under kind, prefixed by its kind
// ("tenant:t1", "ip:203.0.113.9", "ip:2001:db8:1:2::/64", "user:" and 32 hex
// digits), as a policy with the default [Policy.IPv6Prefix] counts it. Users and API
// keys are hashed, never stored as sent (see [KeyUser], [KeyAPIKey]). The third
// argument is ignored (see [KeyAPIKey]); it is kept for compatibility.
func Key(r *http.Request, kind KeyKind, _ string) string {
	var buf [64]byte
	k, id := keyParts(r.Context(), kind, defaultIPv6Prefix, r.RemoteAddr, &buf)
	return k + id
}

// keyParts returns the kind prefix ("tenant:") and the identity the request is
// counted by, so that the caller joins them with its own prefix in one
// concatenation; only a hashed user or API key (hex-encoded through buf) or an
// IPv6 network allocates here. v6bits is the policy's IPv6 prefix length.
func keyParts(ctx context.Context, kind KeyKind, v6bits int, remoteAddr string, buf *[64]byte) (prefix, id string) {
	switch kind {
	case KeyTenant:
		if t, ok := identity.TenantID(ctx); ok {
			return "tenant:", t
		}
	case KeyUser:
		if p, ok := identity.PrincipalFrom(ctx); ok && (p.GetSubject() != "" || p.GetUserId() != "") {
			return "user:", userKey(p, buf)
		}
	case KeyAPIKey:
		// Only a key auth has verified counts as one: a header value alone would let
		// a caller on a route that does not require it (a public one, where auth
		// ignores a bad credential) send a made-up key per request and get a fresh
		// bucket every time. The verified key is known by its Principal's subject
		// ("apikey:<id>"), the same however the key was presented.
		if p, ok := identity.PrincipalFrom(ctx); ok && p.GetAuthMethod() == commonv1.AuthMethod_AUTH_METHOD_API_KEY && p.GetSubject() != "" {
			sum := sha256.Sum256([]byte(p.GetSubject()))
			n := hex.Encode(buf[:], sum[:16])
			return "api_key:", string(buf[:n])
		}
	case KeyIP:
	}
	return "ip:", ipKey(clientIP(ctx, remoteAddr), v6bits)
}

// ipKey returns the caller an address counts as: an IPv4 address (or an
// IPv4-mapped IPv6 one) itself, an IPv6 address its network of v6bits leading bits
// without a zone ("2001:db8:1:2::/64"), or anything else as given (clientIP's
// fallback for a peer address that does not parse).
func ipKey(ip string, v6bits int) string {
	if strings.IndexByte(ip, ':') < 0 {
		return ip // IPv4, the common case: no parse
	}
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return ip
	}
	if a.Is4In6() {
		return a.Unmap().String()
	}
	if v6bits >= 128 {
		return a.WithZone("").String()
	}
	p, err := a.WithZone("").Prefix(v6bits)
	if err != nil {
		return ip
	}
	return p.String()
}

// userKey identifies p's caller for [KeyUser]: a subject is unique only within its
// issuer ("sub" per OpenID Connect Core §2, an API key id within its store), and the
// same caller acting for two tenants is counted per tenant, so the key covers the
// issuer, the tenant and the subject (the user id when there is no subject). The
// parts are length-prefixed, so no choice of strings makes two principals run
// together ("a|b"+"c" against "a"+"b|c"), and hashed, so the key is bounded (32 hex
// digits) and holds no claim as sent — a subject may be an e-mail address.
func userKey(p *commonv1.Principal, buf *[64]byte) string {
	id, tag := p.GetSubject(), byte('s')
	if id == "" {
		id, tag = p.GetUserId(), 'u'
	}
	var in [256]byte
	b := append(in[:0], tag)
	for _, part := range [...]string{p.GetIssuer(), p.GetTenantId(), id} {
		b = binary.AppendUvarint(b, uint64(len(part)))
		b = append(b, part...)
	}
	sum := sha256.Sum256(b)
	n := hex.Encode(buf[:], sum[:16])
	return string(buf[:n])
}

func clientIP(ctx context.Context, remoteAddr string) string {
	if md, ok := identity.RequestMetadataFrom(ctx); ok && md.GetClientIp() != "" {
		return md.GetClientIp()
	}
	host, _, err := net.SplitHostPort(remoteAddr)
	if err != nil {
		return remoteAddr
	}
	return host
}
