package auth

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"go.opentelemetry.io/otel/metric"

	gatewayv1 "github.com/footingdev/footing/contracts/gen/go/footing/gateway/v1"
	"github.com/footingdev/footing/contracts/identity"
	"github.com/footingdev/footing/gatewaycore/auth/jwks"
)

// Defaults for zero fields of [Config] and [IssuerConfig].
const (
	DefaultMaxTokenBytes = 8 << 10
	DefaultCacheSize     = 10_000
	DefaultClockSkew     = 60 * time.Second
	DefaultAPIKeyPrefix  = "fk_"
	DefaultAPIKeyIssuer  = "footing-api-key"
	maxClockSkew         = 10 * time.Minute
)

// DefaultAlgorithms are the algorithms an issuer accepts when it names none.
var DefaultAlgorithms = []string{"RS256", "ES256", "EdDSA"}

// Config configures an [Authenticator]. The zero value of each field means its default.
type Config struct {
	// Issuers are the trusted OIDC/JWT issuers. A token is matched to one by its "iss".
	Issuers []IssuerConfig
	// APIKeys, if set, lets machine clients present API keys; nil refuses them.
	APIKeys APIKeyStore
	// APIKeyPrefix marks an API key presented as "Authorization: Bearer <key>". Default "fk_".
	APIKeyPrefix string
	// APIKeyIssuer is the Principal.Issuer of API-key callers. Default "footing-api-key".
	APIKeyIssuer string
	// MaxTokenBytes refuses longer bearer tokens before any parsing. Default 8 KiB.
	MaxTokenBytes int
	// CacheSize bounds the cache of verified tokens (keyed by a seeded hash of the
	// token, a hit confirmed by comparing the whole token, kept no longer than the
	// token's exp). Default 10,000; negative disables the cache.
	CacheSize int
	// HTTPClient fetches discovery documents and key sets; nil means a client with a
	// 10 s timeout.
	HTTPClient *http.Client
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// MeterProvider records footing.auth.decisions and footing.auth.jwks.fetches; nil
	// means the global provider.
	MeterProvider metric.MeterProvider
	// Logger, if set, receives one debug record per refused credential with its
	// [Reason] (never the credential).
	Logger *slog.Logger
}

// IssuerConfig is one trusted issuer.
type IssuerConfig struct {
	// Name labels the issuer in metrics and logs; default Issuer.
	Name string
	// Issuer is the exact expected "iss".
	Issuer string
	// JWKSURL is an explicit key-set URL; empty means OIDC discovery from Issuer.
	JWKSURL string
	// Audiences are the accepted "aud" values; a token must name at least one.
	Audiences []string
	// Algorithms is the allow-list; empty means [DefaultAlgorithms]. "none" and HMAC
	// algorithms are never accepted.
	Algorithms []string
	// Types, when set, are the accepted values of the token header's "typ" (explicit
	// typing, RFC 8725 §3.11): a token without "typ", or with another one, is refused.
	// Values compare as media types, case-insensitively and with the "application/"
	// prefix optional (RFC 7515 §4.1.9), so "at+jwt" accepts "at+jwt",
	// "application/at+jwt" and "AT+JWT". An issuer that types its access tokens
	// "at+jwt" (RFC 9068) can so keep its ID tokens ("JWT" or no "typ") from passing as
	// access tokens. Empty means "typ" is not checked.
	Types []string
	// Claims names the claims that fill the Principal.
	Claims ClaimNames
	// Tenants, when set, are the only tenants the issuer may speak for: a token whose
	// tenant claim (Claims.Tenant) names another tenant is refused, as Unauthenticated
	// with [ReasonTenant], even though it is validly signed. Set it for an issuer that
	// belongs to some tenants, such as a tenant's own identity provider, so that its
	// tokens cannot act for any other tenant. A token with no tenant claim (absent,
	// null or "") speaks for the issuer's one tenant when Tenants names exactly one,
	// and is refused when it names several. Entries and claims compare in the
	// spelling of identity.CanonicalTenantID, so a UUID may be written in any case,
	// hyphenated or as 32 hex digits; each entry must be a tenant id (not empty, at
	// most 64 bytes of UTF-8 without control characters or surrounding space) and
	// name a tenant no other entry names. Empty means the issuer may speak for any
	// tenant, and for none.
	Tenants []string
	// ClockSkew is the tolerance for exp, nbf and iat. Zero means 60 s; a negative
	// value means no tolerance. At most 10 minutes.
	ClockSkew time.Duration
	// AllowInsecureHTTP lets the JWKS URL, the issuer's discovery and the discovered
	// jwks_uri use plain http on hosts other than loopback. Anyone on the network
	// path could then swap the keys and sign any token: development only, or a
	// network trusted end to end. Without it those URLs must be https (or loopback).
	AllowInsecureHTTP bool
	// RefreshInterval and MinRefreshInterval tune the key-set cache (see the jwks
	// package); zero means its defaults (15 min and 30 s).
	RefreshInterval    time.Duration
	MinRefreshInterval time.Duration
}

// ClaimNames names the claims that become a Principal. Empty fields mean defaults.
type ClaimNames struct {
	// Tenant holds the tenant id; default "tenant_id".
	Tenant string
	// UserID holds the user id; default "sub".
	UserID string
	// Roles holds roles, an array or a space-separated string; default "roles".
	Roles string
	// Scopes holds scopes, an array or a space-separated string; default "scope".
	Scopes string
}

func (c ClaimNames) withDefaults() ClaimNames {
	if c.Tenant == "" {
		c.Tenant = "tenant_id"
	}
	if c.UserID == "" {
		c.UserID = "sub"
	}
	if c.Roles == "" {
		c.Roles = "roles"
	}
	if c.Scopes == "" {
		c.Scopes = "scope"
	}
	return c
}

// Validate reports every problem of c at once.
func (c Config) Validate() error {
	var problems []error
	seen := map[string]bool{}
	for i, ic := range c.Issuers {
		if err := ic.Validate(); err != nil {
			problems = append(problems, fmt.Errorf("auth: Config.Issuers[%d]: %w", i, err))
		}
		if seen[ic.Issuer] {
			problems = append(problems, fmt.Errorf("auth: Config.Issuers[%d]: issuer %q listed twice", i, ic.Issuer))
		}
		seen[ic.Issuer] = true
	}
	if c.MaxTokenBytes < 0 {
		problems = append(problems, errors.New("auth: MaxTokenBytes must not be negative"))
	}
	if len(c.Issuers) == 0 && c.APIKeys == nil {
		problems = append(problems, errors.New("auth: no Issuers and no APIKeys: nothing could ever authenticate"))
	}
	return errors.Join(problems...)
}

// Validate reports every problem of c at once.
func (c IssuerConfig) Validate() error {
	var problems []error
	if c.Issuer == "" {
		problems = append(problems, errors.New("auth: Issuer is required"))
	} else if u, err := url.Parse(c.Issuer); c.JWKSURL == "" && (err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "") {
		problems = append(problems, fmt.Errorf("auth: Issuer %q is not an http(s) URL, so discovery cannot work; set JWKSURL", c.Issuer))
	}
	if c.JWKSURL != "" {
		if u, err := url.Parse(c.JWKSURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			problems = append(problems, fmt.Errorf("auth: JWKSURL %q is not an http(s) URL", c.JWKSURL))
		}
	}
	if len(problems) == 0 {
		// What the key cache will fetch must be https (or loopback, or allowed).
		if err := c.keysConfig().Validate(); err != nil {
			problems = append(problems, fmt.Errorf("auth: %w", err))
		}
	}
	if len(c.Audiences) == 0 {
		problems = append(problems, errors.New("auth: at least one audience is required"))
	} else if slices.Contains(c.Audiences, "") {
		// An empty entry (a split of an unset variable) would accept tokens whose "aud"
		// is "" or [null], which restricts nothing.
		problems = append(problems, errors.New("auth: an audience must not be empty"))
	}
	if slices.ContainsFunc(c.Types, func(t string) bool { return strings.TrimSpace(t) == "" }) {
		// An empty entry (a split of an unset variable) would name no type at all.
		problems = append(problems, errors.New("auth: a type must not be empty"))
	}
	for _, alg := range c.Algorithms {
		if !supportedAlgorithm(alg) {
			problems = append(problems, fmt.Errorf("auth: algorithm %q is not allowed (asymmetric JWS algorithms only)", alg))
		}
	}
	if c.ClockSkew > maxClockSkew {
		problems = append(problems, fmt.Errorf("auth: ClockSkew %s exceeds %s", c.ClockSkew, maxClockSkew))
	}
	if c.RefreshInterval < 0 || c.MinRefreshInterval < 0 {
		problems = append(problems, errors.New("auth: refresh intervals must not be negative"))
	}
	if _, err := c.tenants(); err != nil {
		problems = append(problems, err)
	}
	return errors.Join(problems...)
}

// name is how the issuer is named in metrics, logs and config errors.
func (c IssuerConfig) name() string {
	if c.Name != "" {
		return c.Name
	}
	return c.Issuer
}

// tenants returns the set of c.Tenants in canonical spelling (nil when c binds no
// tenant), or every entry that is not a tenant id or names a tenant an earlier entry
// names, each with the issuer's name and the entry's position.
func (c IssuerConfig) tenants() (map[string]struct{}, error) {
	if len(c.Tenants) == 0 {
		return nil, nil
	}
	var problems []error
	set := make(map[string]struct{}, len(c.Tenants))
	first := make(map[string]int, len(c.Tenants))
	for i, id := range c.Tenants {
		if why := invalidTenantID(id); why != "" {
			problems = append(problems, fmt.Errorf("auth: issuer %q: Tenants[%d] %q is not a tenant id: %s", c.name(), i, id, why))
			continue
		}
		canon := identity.CanonicalTenantID(id)
		if j, dup := first[canon]; dup {
			problems = append(problems, fmt.Errorf("auth: issuer %q: Tenants[%d] %q is tenant %q again, as Tenants[%d]", c.name(), i, id, canon, j))
			continue
		}
		first[canon] = i
		set[canon] = struct{}{}
	}
	if len(problems) > 0 {
		return nil, errors.Join(problems...)
	}
	return set, nil
}

// invalidTenantID says why id cannot be a tenant id of [IssuerConfig.Tenants], or
// returns "". A token whose tenant is longer than the Principal's bound is refused
// anyway, so a longer entry could never match; the other rules catch the entries
// of a list split from a variable carelessly ("a, b", a trailing newline) or read
// in the wrong encoding, which would silently never match either.
func invalidTenantID(id string) string {
	switch {
	case id == "":
		return "empty"
	case len(id) > maxIDLen:
		return fmt.Sprintf("longer than %d bytes", maxIDLen)
	case !utf8.ValidString(id):
		return "not UTF-8"
	case strings.ContainsFunc(id, unicode.IsControl):
		return "holds a control character"
	case strings.TrimSpace(id) != id:
		return "surrounding space"
	}
	return ""
}

// keysConfig is the part of the key cache's configuration that c decides. The issuer
// goes in only for discovery: with a JWKS URL it is just the expected "iss", which
// need not be a URL at all ("kubernetes/serviceaccount").
func (c IssuerConfig) keysConfig() jwks.Config {
	jc := jwks.Config{URL: c.JWKSURL, AllowInsecureHTTP: c.AllowInsecureHTTP,
		RefreshInterval: c.RefreshInterval, MinRefreshInterval: c.MinRefreshInterval}
	if c.JWKSURL == "" {
		jc.Issuer = c.Issuer
	}
	return jc
}

func (c IssuerConfig) skew() time.Duration {
	switch {
	case c.ClockSkew == 0:
		return DefaultClockSkew
	case c.ClockSkew < 0:
		return 0
	}
	return c.ClockSkew
}

// types returns c.Types as media types (see [mediaType]).
func (c IssuerConfig) types() []string {
	out := make([]string, 0, len(c.Types))
	for _, t := range c.Types {
		out = append(out, mediaType(strings.TrimSpace(t)))
	}
	return out
}

// mediaType returns a "typ" value in the one form it is compared in: lower case
// (media types are case-insensitive, RFC 2045 §5.1) and with "application/"
// prepended when it has no "/" (RFC 7515 §4.1.9).
func mediaType(typ string) string {
	typ = strings.ToLower(typ)
	if !strings.Contains(typ, "/") {
		typ = "application/" + typ
	}
	return typ
}

func (c IssuerConfig) algorithms() []string {
	if len(c.Algorithms) == 0 {
		return DefaultAlgorithms
	}
	return slices.Clone(c.Algorithms)
}

// IssuerFromProto converts the declarative footing.gateway.v1.AuthProvider,
// its tenant binding (tenants) included.
func IssuerFromProto(p *gatewayv1.AuthProvider) IssuerConfig {
	ic := IssuerConfig{
		Name:       p.GetName(),
		Issuer:     p.GetIssuer(),
		JWKSURL:    p.GetJwksUrl(),
		Audiences:  slices.Clone(p.GetAudiences()),
		Algorithms: slices.Clone(p.GetAllowedAlgorithms()),
		Types:      slices.Clone(p.GetTokenTypes()),
		Tenants:    slices.Clone(p.GetTenants()),
		Claims: ClaimNames{
			Tenant: p.GetClaims().GetTenantClaim(),
			UserID: p.GetClaims().GetUserIdClaim(),
			Roles:  p.GetClaims().GetRolesClaim(),
			Scopes: p.GetClaims().GetScopesClaim(),
		},
	}
	if p.GetClockSkew() != nil {
		ic.ClockSkew = p.GetClockSkew().AsDuration()
		if ic.ClockSkew == 0 {
			ic.ClockSkew = -1 // explicitly zero: no tolerance
		}
	}
	return ic
}
