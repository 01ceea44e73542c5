package auth

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	commonv1 "github.com/footingdev/footing/contracts/gen/go/footing/common/v1"
	"github.com/footingdev/footing/gatewaycore/auth/jwks"
)

// An Authenticator verifies credentials — bearer JWTs from the configured issuers and,
// if a store is configured, API keys — and turns them into a Principal. It is safe to
// use concurrently. Close it when done.
type Authenticator struct {
	cfg     Config
	issuers map[string]*issuer
	cache   *tokenCache
	metrics *metrics
}

type issuer struct {
	cfg    IssuerConfig
	name   string
	algs   []string
	types  []string // accepted "typ" values as media types; empty: not checked
	skew   int64
	claims ClaimNames
	keys   *jwks.Cache
	// tenants are the tenants the issuer may speak for, canonical (nil: any); when
	// there is exactly one, onlyTenant is it, the tenant of its tenantless tokens.
	tenants    map[string]struct{}
	onlyTenant string
}

// New returns an Authenticator for cfg, or every problem of cfg. It fetches no keys
// until the first token of each issuer arrives.
func New(cfg Config) (*Authenticator, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.MaxTokenBytes == 0 {
		cfg.MaxTokenBytes = DefaultMaxTokenBytes
	}
	if cfg.CacheSize == 0 {
		cfg.CacheSize = DefaultCacheSize
	}
	if cfg.APIKeyPrefix == "" {
		cfg.APIKeyPrefix = DefaultAPIKeyPrefix
	}
	if cfg.APIKeyIssuer == "" {
		cfg.APIKeyIssuer = DefaultAPIKeyIssuer
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	a := &Authenticator{cfg: cfg, issuers: make(map[string]*issuer, len(cfg.Issuers)), metrics: newMetrics(cfg.MeterProvider)}
	if cfg.CacheSize > 0 {
		a.cache = newTokenCache(cfg.CacheSize)
	}
	for _, ic := range cfg.Issuers {
		is := &issuer{cfg: ic, name: ic.name(), algs: ic.algorithms(), types: ic.types(), skew: int64(ic.skew() / time.Second), claims: ic.Claims.withDefaults()}
		// Validated above; the set is the Authenticator's own, so a caller changing
		// its Tenants slice later changes nothing.
		is.tenants, _ = ic.tenants()
		if len(is.tenants) == 1 {
			for t := range is.tenants {
				is.onlyTenant = t
			}
		}
		kc := ic.keysConfig()
		kc.HTTPClient = cfg.HTTPClient
		kc.Now = cfg.Now
		kc.OnFetch = func(err error) { a.metrics.fetch(is.name, err) }
		keys, err := jwks.New(kc)
		if err != nil {
			a.Close()
			return nil, err
		}
		is.keys = keys
		a.issuers[ic.Issuer] = is
	}
	return a, nil
}

// Close releases the key caches, waiting for any background refresh.
func (a *Authenticator) Close() {
	for _, is := range a.issuers {
		if is.keys != nil {
			is.keys.Close()
		}
	}
}

// Authenticate reads the credential of a request — an "X-API-Key" header, or an
// "Authorization: Bearer" token that is an API key (by its prefix) or a JWT — and
// verifies it. It returns [ErrNoCredential] when there is none, and otherwise a
// [CredentialError] whose reason is for server-side use only.
func (a *Authenticator) Authenticate(ctx context.Context, h http.Header) (*commonv1.Principal, error) {
	p, shared, err := a.authenticate(ctx, h)
	if shared {
		p = clonePrincipal(p)
	}
	return p, err
}

// headerAPIKey is "X-API-Key" in its canonical form, so that reading it does not
// canonicalize (and allocate) on every request.
const headerAPIKey = "X-Api-Key"

// authenticate is [Authenticator.Authenticate] without the copy: shared reports that
// p is the verified-token cache's own Principal, which the caller must not modify
// (contracts/identity requires the same of every Principal put in a context).
func (a *Authenticator) authenticate(ctx context.Context, h http.Header) (p *commonv1.Principal, shared bool, err error) {
	if key := headerValue(h, headerAPIKey); key != "" {
		p, err = a.VerifyAPIKey(ctx, key)
		return p, false, err
	}
	authz := headerValue(h, "Authorization")
	if authz == "" {
		return nil, false, ErrNoCredential
	}
	scheme, token, ok := strings.Cut(authz, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return nil, false, fail(ReasonMalformed)
	}
	token = strings.TrimSpace(token)
	if strings.HasPrefix(token, a.cfg.APIKeyPrefix) {
		p, err = a.VerifyAPIKey(ctx, token)
		return p, false, err
	}
	p, err = a.verifyToken(ctx, token)
	return p, err == nil, err
}

// VerifyToken verifies a compact JWS bearer token: size, structure, issuer, algorithm,
// type (when the issuer sets [IssuerConfig.Types]), exp/nbf/iat with the issuer's skew, audience, and the signature against the issuer's
// keys; then maps its claims to a Principal, held to the tenants the issuer may speak
// for ([IssuerConfig.Tenants]). Verified tokens are cached until their exp.
// The returned Principal is the caller's own copy.
func (a *Authenticator) VerifyToken(ctx context.Context, token string) (*commonv1.Principal, error) {
	p, err := a.verifyToken(ctx, token)
	if err != nil {
		return nil, err
	}
	return clonePrincipal(p), nil
}

// verifyToken is [Authenticator.VerifyToken] returning the shared, cached Principal.
func (a *Authenticator) verifyToken(ctx context.Context, token string) (*commonv1.Principal, error) {
	if len(token) > a.cfg.MaxTokenBytes {
		return nil, fail(ReasonTooLarge)
	}
	now := a.cfg.Now()
	var key uint64
	if a.cache != nil {
		key = a.cache.key(token)
		if p, ok := a.cache.get(key, token, now.Unix()); ok {
			return p, nil
		}
	}
	p, expiry, err := a.verify(ctx, token, now)
	if err != nil {
		return nil, err
	}
	if a.cache != nil {
		a.cache.put(key, token, p, expiry)
	}
	return p, nil
}

// verify does the work of VerifyToken; expiry is the last second the token is valid.
func (a *Authenticator) verify(ctx context.Context, token string, now time.Time) (*commonv1.Principal, int64, error) {
	t, err := parseJWS(token, a.cfg.MaxTokenBytes)
	if err != nil {
		return nil, 0, err
	}
	c := &t.claims
	is, ok := a.issuers[c.issuer]
	if !ok {
		return nil, 0, fail(ReasonIssuer)
	}
	if !slices.Contains(is.algs, t.header.Alg) {
		return nil, 0, fail(ReasonAlgorithm)
	}
	// Explicit typing (RFC 8725 §3.11): an issuer that types its access tokens keeps
	// its other JWTs, ID tokens first, from passing as one. A missing "typ" fails too.
	if len(is.types) > 0 && (t.header.Typ == "" || !slices.Contains(is.types, mediaType(t.header.Typ))) {
		return nil, 0, fail(ReasonType)
	}
	// Claims are checked before any key lookup, so junk tokens cannot make the issuer's
	// keys be fetched; they are only trusted once the signature verifies below.
	sec := now.Unix()
	switch {
	case !c.hasExp || c.subject == "":
		return nil, 0, fail(ReasonClaims)
	case sec >= c.expiry+is.skew: // valid only before exp (RFC 7519 §4.1.4), skew added
		return nil, 0, fail(ReasonExpired)
	case c.hasNbf && sec+is.skew < c.notBefore:
		return nil, 0, fail(ReasonNotYetValid)
	case c.hasIat && sec+is.skew < c.issuedAt:
		return nil, 0, fail(ReasonIssuedFuture)
	}
	if !slices.ContainsFunc(c.audience, func(aud string) bool { return slices.Contains(is.cfg.Audiences, aud) }) {
		return nil, 0, fail(ReasonAudience)
	}
	if t.header.Kid == "" {
		if err := is.verifyWithoutKid(ctx, t); err != nil {
			return nil, 0, err
		}
	} else {
		key, err := is.keys.Lookup(ctx, t.header.Kid)
		switch {
		case errors.Is(err, jwks.ErrKeyNotFound):
			return nil, 0, fail(ReasonUnknownKey)
		case err != nil:
			return nil, 0, fail(ReasonKeys)
		}
		if !usable(t.header.Alg, key) {
			// RFC 7517 §4.5: keys of different types may share an id, as
			// alternatives; the one the token's alg needs may be another than the first.
			if alt, ok := is.alternative(ctx, key.ID, t.header.Alg); ok {
				key = alt
			}
		}
		if key.Algorithm != "" && key.Algorithm != t.header.Alg {
			return nil, 0, fail(ReasonAlgorithm)
		}
		if !verifySignature(t.header.Alg, key.Public, t.signingInput, t.signature) {
			return nil, 0, fail(ReasonSignature)
		}
	}
	p, err := is.principal(c)
	if err != nil {
		return nil, 0, err
	}
	return p, c.expiry + is.skew - 1, nil
}

// verifyWithoutKid verifies a token that names no key ("kid" is optional, RFC 7515
// §4.1.4) against each key of the issuer's current set that fits its alg — the key's
// type, and the JWK's own "alg" if it pins one. An issuer publishes a handful of keys
// (at most 64 are loaded), so this bounds the work a forged token can cause. An
// unknown kid makes the set refresh early; a missing one does not (nothing names a
// key to look for), so a new key without a kid is used from the next periodic refresh.
func (is *issuer) verifyWithoutKid(ctx context.Context, t *jwsToken) error {
	set, err := is.keys.Set(ctx)
	if err != nil {
		return fail(ReasonKeys)
	}
	fits := false
	for _, key := range set.Keys() {
		if !usable(t.header.Alg, key) {
			continue
		}
		fits = true
		if verifySignature(t.header.Alg, key.Public, t.signingInput, t.signature) {
			return nil
		}
	}
	if !fits {
		return fail(ReasonUnknownKey)
	}
	return fail(ReasonSignature)
}

// alternative returns a key of the issuer's current set with id kid that fits alg,
// for a token whose kid names first a key of another type or alg.
func (is *issuer) alternative(ctx context.Context, kid, alg string) (jwks.Key, bool) {
	set, err := is.keys.Set(ctx)
	if err != nil {
		return jwks.Key{}, false
	}
	for _, key := range set.Keys() {
		if key.ID == kid && usable(alg, key) {
			return key, true
		}
	}
	return jwks.Key{}, false
}

// usable reports whether key can verify a token signed with alg: its type (and curve)
// is the one alg needs, and the JWK's own "alg", if it pins one, is alg.
func usable(alg string, key jwks.Key) bool {
	return (key.Algorithm == "" || key.Algorithm == alg) && keyFits(alg, key.Public)
}

func (a *Authenticator) logFailure(ctx context.Context, method string, err error) {
	if a.cfg.Logger == nil {
		return
	}
	a.cfg.Logger.DebugContext(ctx, "credential refused", slog.String("method", method), slog.String("reason", string(ReasonOf(err))))
}

// headerValue is h.Get(key) for a key already in canonical form, without the
// canonicalization Header.Get repeats on every call.
func headerValue(h http.Header, key string) string {
	if v := h[key]; len(v) > 0 {
		return v[0]
	}
	return ""
}
