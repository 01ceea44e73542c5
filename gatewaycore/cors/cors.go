package cors

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	connectcors "connectrpc.com/cors"
	"golang.org/x/net/publicsuffix"

	gatewayv1 "github.com/footingdev/footing/contracts/gen/go/footing/gateway/v1"
)

// DefaultMaxAge is how long browsers may cache a preflight answer by default.
const DefaultMaxAge = 2 * time.Hour

// An Option configures [New].
type Option func(*config)

type config struct {
	origins     []string
	credentials bool
	methods     []string
	headers     []string
	exposed     []string
	maxAge      time.Duration
}

// WithAllowedOrigins adds origins that may call: exact ("https://app.example.com"),
// a subdomain pattern ("https://*.example.com"), or "*" for any (not with credentials).
// A scheme's default port is dropped, as browsers drop it from the Origin they send:
// "https://app.example.com:443" is "https://app.example.com". A pattern's fixed part
// needs two labels at least and must not be a public suffix (publicsuffix.org):
// [New] refuses "https://*.com", "https://*.co.uk" and "https://*.github.io", which
// allow every site under them, anyone's.
func WithAllowedOrigins(origins ...string) Option {
	return func(c *config) { c.origins = append(c.origins, origins...) }
}

// WithCredentials lets browsers send cookies and HTTP authentication.
func WithCredentials() Option { return func(c *config) { c.credentials = true } }

// WithAllowedMethods adds methods beyond GET and POST (for JSON endpoints: PUT, PATCH, DELETE).
func WithAllowedMethods(methods ...string) Option {
	return func(c *config) { c.methods = append(c.methods, methods...) }
}

// WithAllowedHeaders adds request headers browsers may send.
func WithAllowedHeaders(headers ...string) Option {
	return func(c *config) { c.headers = append(c.headers, headers...) }
}

// WithExposedHeaders adds response headers browser scripts may read.
func WithExposedHeaders(headers ...string) Option {
	return func(c *config) { c.exposed = append(c.exposed, headers...) }
}

// WithMaxAge sets how long browsers may cache a preflight answer ([DefaultMaxAge]
// by default). Zero or less keeps the default.
func WithMaxAge(d time.Duration) Option {
	return func(c *config) {
		if d > 0 {
			c.maxAge = d
		}
	}
}

// FromPolicy returns the options that express p, a footing.gateway.v1.CorsPolicy.
func FromPolicy(p *gatewayv1.CorsPolicy) []Option {
	opts := []Option{
		WithAllowedOrigins(p.GetAllowedOrigins()...),
		WithAllowedHeaders(p.GetAllowedHeaders()...),
		WithExposedHeaders(p.GetExposedHeaders()...),
	}
	if p.GetAllowCredentials() {
		opts = append(opts, WithCredentials())
	}
	if p.GetMaxAge() != nil {
		opts = append(opts, WithMaxAge(p.GetMaxAge().AsDuration()))
	}
	return opts
}

// A Handler is the CORS middleware built by [New]. It is safe for concurrent use.
type Handler struct {
	any bool
	// exact maps each allowed origin, lower-cased, to the Access-Control-Allow-Origin
	// value to answer when a request sends it exactly as configured.
	exact       map[string][]string
	suffixes    []pattern
	credentials bool
	methods     []string
	headers     map[string]bool
	allowMeth   string
	allowHdrs   string
	exposeHdrs  string
	maxAge      string
	// Response header values, built once and shared by every response; each has
	// len == cap, so a later Header.Add copies rather than writes into them.
	exposeValue []string
}

// Shared response header values (see Handler.exposeValue).
var (
	varyOrigin = []string{"Origin"}
	valueTrue  = []string{"true"}
	valueAny   = []string{"*"}
)

type pattern struct{ scheme, suffix string }

// New returns a CORS [Handler]. It reports every configuration problem at once:
// no origins, a malformed origin, a pattern over a top-level domain
// ("https://*.com"), "*" with credentials.
func New(opts ...Option) (*Handler, error) {
	c := config{maxAge: DefaultMaxAge}
	for _, opt := range opts {
		opt(&c)
	}
	h := &Handler{exact: map[string][]string{}, credentials: c.credentials, headers: map[string]bool{}}
	var problems []error
	if len(c.origins) == 0 {
		problems = append(problems, errors.New("no allowed origins"))
	}
	for _, o := range c.origins {
		switch {
		case o == "*":
			h.any = true
			if c.credentials {
				problems = append(problems, errors.New(`origin "*" cannot be used with credentials`))
			}
		case strings.Contains(o, "://*."):
			p, err := parsePattern(o)
			if err != nil {
				problems = append(problems, err)
				continue
			}
			h.suffixes = append(h.suffixes, p)
		default:
			n, ok := normalizeOrigin(o)
			if !ok {
				problems = append(problems, fmt.Errorf("origin %q is malformed: want scheme://host[:port] with no path", o))
				continue
			}
			h.exact[strings.ToLower(n)] = []string{n}
		}
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("cors: %w", errors.Join(problems...))
	}
	h.methods = dedupe(append(connectcors.AllowedMethods(), upper(c.methods)...))
	headers := dedupe(append(append(connectcors.AllowedHeaders(), "Authorization", "X-Request-Id", "X-Api-Key", "Traceparent", "Tracestate"), c.headers...))
	for _, hd := range headers {
		h.headers[strings.ToLower(hd)] = true
	}
	h.allowMeth = strings.Join(h.methods, ", ")
	h.allowHdrs = strings.Join(headers, ", ")
	h.exposeHdrs = strings.Join(dedupe(append(append(connectcors.ExposedHeaders(), "X-Request-Id", "Retry-After", "RateLimit", "RateLimit-Policy"), c.exposed...)), ", ")
	h.maxAge = strconv.Itoa(int(c.maxAge.Seconds()))
	h.exposeValue = []string{h.exposeHdrs}
	return h, nil
}

// normalizeOrigin returns o, an origin as configured, as a browser sends it in the
// Origin header: without its scheme's default port (":443" for https, ":80" for
// http) or an empty one, and with any other port without leading zeros. Scheme and
// host keep their case. It reports false for anything but scheme://host[:port] with
// scheme http or https.
func normalizeOrigin(o string) (string, bool) {
	u, err := url.Parse(o)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
		u.Path != "" || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || u.User != nil ||
		strings.Contains(u.Host, "*") {
		return "", false
	}
	scheme, host, _ := strings.Cut(o, "://")
	if host != u.Host { // a trailing "#", an escaped host: not what a browser sends
		return "", false
	}
	if i := strings.LastIndexByte(host, ':'); i >= 0 && !strings.Contains(host[i:], "]") {
		port := host[i+1:]
		host = host[:i]
		if port != "" {
			n, err := strconv.Atoi(port)
			if err != nil || n > 65535 {
				return "", false
			}
			if n != defaultPort(u.Scheme) {
				host += ":" + strconv.Itoa(n)
			}
		}
	}
	return scheme + "://" + host, true
}

// defaultPort returns the port a browser leaves out of an origin of scheme.
func defaultPort(scheme string) int {
	if scheme == "https" {
		return 443
	}
	return 80
}

// parsePattern reads a subdomain pattern "scheme://*.suffix[:port]" (the port
// normalized as [normalizeOrigin] does). The suffix must have two labels at least
// and must not itself be a public suffix: "https://*.com" or "https://*.co.uk" would
// allow every site under it.
func parsePattern(o string) (pattern, error) {
	scheme, rest, _ := strings.Cut(o, "://*.")
	n, ok := normalizeOrigin(scheme + "://" + rest)
	if !ok {
		return pattern{}, fmt.Errorf("origin pattern %q is malformed", o)
	}
	_, host, _ := strings.Cut(n, "://")
	hostname := host
	if i := strings.LastIndexByte(host, ':'); i >= 0 && !strings.Contains(host[i:], "]") {
		hostname = host[:i]
	}
	labels := strings.Split(hostname, ".")
	if slices.Contains(labels, "") {
		return pattern{}, fmt.Errorf("origin pattern %q is malformed: empty label", o)
	}
	if len(labels) < 2 {
		return pattern{}, fmt.Errorf("origin pattern %q allows every site under %q: the part after \"*.\" needs two labels at least (https://*.example.com)", o, "."+hostname)
	}
	if ps, _ := publicsuffix.PublicSuffix(strings.ToLower(hostname)); ps == strings.ToLower(hostname) {
		// co.uk, github.io: every name under a public suffix is registered by
		// someone else, so the pattern trusts sites that are anyone's.
		return pattern{}, fmt.Errorf("origin pattern %q allows every site under %q, a public suffix (publicsuffix.org) whose sites are anyone's: name your own domain (https://*.example.co.uk)", o, "."+hostname)
	}
	return pattern{scheme: strings.ToLower(scheme) + "://", suffix: "." + strings.ToLower(host)}, nil
}

func upper(in []string) []string {
	out := make([]string, len(in))
	for i, s := range in {
		out[i] = strings.ToUpper(s)
	}
	return out
}

func dedupe(in []string) []string {
	seen := map[string]bool{}
	out := in[:0:0]
	for _, s := range in {
		if k := strings.ToLower(s); !seen[k] && s != "" {
			seen[k] = true
			out = append(out, s)
		}
	}
	return out
}

// AllowsOrigin reports whether origin may call.
func (h *Handler) AllowsOrigin(origin string) bool {
	if origin == "" {
		return false
	}
	if h.any {
		return true
	}
	o := strings.ToLower(origin)
	if _, ok := h.exact[o]; ok {
		return true
	}
	for _, p := range h.suffixes {
		if rest, ok := strings.CutPrefix(o, p.scheme); ok && strings.HasSuffix(rest, p.suffix) &&
			len(rest) > len(p.suffix) && !strings.ContainsAny(rest, "/?#@") {
			return true
		}
	}
	return false
}

// Wrap returns next with CORS applied: preflights are answered here and never
// reach next; actual requests from allowed origins get the CORS response headers.
func (h *Handler) Wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		origin := headerValue(r.Header, "Origin")
		if r.Method == http.MethodOptions && origin != "" && r.Header.Get("Access-Control-Request-Method") != "" {
			h.preflight(w, r, origin)
			return
		}
		hd := w.Header()
		// The keys below are in canonical form and the values shared: no allocation
		// for a request from an origin allowed exactly as configured.
		if vary := hd["Vary"]; len(vary) == 0 {
			hd["Vary"] = varyOrigin
		} else {
			hd["Vary"] = append(vary, "Origin")
		}
		h.allow(hd, origin)
		next.ServeHTTP(w, r)
	})
}

// allow sets the CORS headers of an actual request from origin, if it may call.
func (h *Handler) allow(hd http.Header, origin string) {
	// The usual request: an origin sent exactly as configured (and configured in
	// lower case, as the exact table's keys are). It is allowed, and setOrigin would
	// echo the prebuilt value; one map lookup says both, where AllowsOrigin would
	// lower-case the origin and look it up, and setOrigin look it up again. With
	// "*" allowed, setOrigin answers "*" instead: the general path below.
	if v, ok := h.exact[origin]; ok && v[0] == origin && !h.any {
		hd["Access-Control-Allow-Origin"] = v
		if h.credentials {
			hd["Access-Control-Allow-Credentials"] = valueTrue
		}
		hd["Access-Control-Expose-Headers"] = h.exposeValue
		return
	}
	h.allowGeneral(hd, origin)
}

// allowGeneral is [Handler.allow] without its fast path.
func (h *Handler) allowGeneral(hd http.Header, origin string) {
	if h.AllowsOrigin(origin) {
		h.setOrigin(hd, origin)
		hd["Access-Control-Expose-Headers"] = h.exposeValue
	}
}

// Middleware is [Handler.Wrap] as a func(http.Handler) http.Handler.
func (h *Handler) Middleware() func(http.Handler) http.Handler { return h.Wrap }

func (h *Handler) setOrigin(hd http.Header, origin string) {
	switch v, exact := h.exact[origin]; {
	case h.any && !h.credentials:
		hd["Access-Control-Allow-Origin"] = valueAny
	case exact && v[0] == origin:
		hd["Access-Control-Allow-Origin"] = v
	default:
		hd["Access-Control-Allow-Origin"] = []string{origin}
	}
	if h.credentials {
		hd["Access-Control-Allow-Credentials"] = valueTrue
	}
}

func (h *Handler) preflight(w http.ResponseWriter, r *http.Request, origin string) {
	hd := w.Header()
	hd.Add("Vary", "Origin")
	hd.Add("Vary", "Access-Control-Request-Method")
	hd.Add("Vary", "Access-Control-Request-Headers")
	if !h.AllowsOrigin(origin) || !slices.Contains(h.methods, strings.ToUpper(r.Header.Get("Access-Control-Request-Method"))) {
		w.WriteHeader(http.StatusForbidden)
		return
	}
	for _, v := range r.Header.Values("Access-Control-Request-Headers") {
		for name := range strings.SplitSeq(v, ",") {
			if name = strings.TrimSpace(name); name != "" && !h.headers[strings.ToLower(name)] {
				w.WriteHeader(http.StatusForbidden)
				return
			}
		}
	}
	h.setOrigin(hd, origin)
	hd.Set("Access-Control-Allow-Methods", h.allowMeth)
	hd.Set("Access-Control-Allow-Headers", h.allowHdrs)
	hd.Set("Access-Control-Max-Age", h.maxAge)
	w.WriteHeader(http.StatusNoContent)
}

// headerValue is h.Get(key) for a key already in canonical form, without the
// canonicalization Header.Get repeats on every call.
func headerValue(h http.Header, key string) string {
	if v := h[key]; len(v) > 0 {
		return v[0]
	}
	return ""
}
