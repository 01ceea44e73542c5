package jwks

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Defaults used for zero fields of [Config].
const (
	DefaultRefreshInterval    = 15 * time.Minute
	DefaultMinRefreshInterval = 30 * time.Second
	DefaultFetchTimeout       = 10 * time.Second
	DefaultMaxResponseBytes   = 1 << 20
)

var (
	// ErrKeyNotFound reports a key id that is not in the issuer's set, even after the
	// refresh that an unknown id allows.
	ErrKeyNotFound = errors.New("jwks: key not found")
	// ErrUnavailable reports that no key set could be fetched yet.
	ErrUnavailable = errors.New("jwks: key set unavailable")
	// ErrClosed reports use of a closed [Cache].
	ErrClosed = errors.New("jwks: cache closed")
)

// Config configures a [Cache]. The zero value of each field means its default.
type Config struct {
	// Issuer is the issuer URL. It is required for discovery, which reads
	// Issuer + "/.well-known/openid-configuration" and checks that the document names
	// the same issuer.
	Issuer string
	// URL is an explicit JWKS URL. Empty means discovery from Issuer.
	URL string
	// HTTPClient fetches documents; nil means a client with FetchTimeout.
	HTTPClient *http.Client
	// RefreshInterval is how old the cached set may grow before it is refreshed in the
	// background while the cached keys keep serving. Default 15 minutes.
	RefreshInterval time.Duration
	// MinRefreshInterval is the least time between two fetch attempts; it is what
	// rate-limits refreshes caused by unknown key ids and retries while the issuer is
	// down — including a cold cache whose first fetch failed, which answers
	// ErrUnavailable until the interval has passed. Default 30 seconds.
	MinRefreshInterval time.Duration
	// FetchTimeout bounds one fetch (discovery plus JWKS). Default 10 seconds.
	FetchTimeout time.Duration
	// MaxResponseBytes bounds a discovery or JWKS response body. Default 1 MiB.
	MaxResponseBytes int64
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// AllowInsecureHTTP lets URL, Issuer (for discovery), the discovered jwks_uri and
	// redirects use plain http on hosts other than loopback. Keys fetched over http can
	// be replaced by anyone on the network path, who could then sign any token: use it
	// only for development or a network you trust end to end.
	AllowInsecureHTTP bool
	// OnFetch, if set, is called after every fetch attempt with its error (nil on
	// success). It must be safe to call concurrently.
	OnFetch func(err error)
}

// Validate reports every problem of c at once.
func (c Config) Validate() error {
	var problems []error
	if c.URL == "" && c.Issuer == "" {
		problems = append(problems, errors.New("jwks: one of URL or Issuer (for discovery) is required"))
	}
	for name, raw := range map[string]string{"URL": c.URL, "Issuer": c.Issuer} {
		if raw == "" {
			continue
		}
		u, err := url.Parse(raw)
		switch {
		case err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "":
			problems = append(problems, fmt.Errorf("jwks: %s %q is not an http(s) URL", name, raw))
		case (name == "URL" || c.URL == "") && !fetchable(u, c.AllowInsecureHTTP):
			// Only what is fetched must be https: with an explicit URL the issuer is
			// just the expected "iss" and is never requested.
			problems = append(problems, fmt.Errorf("jwks: %s %q must be https (plain http only on loopback, or with AllowInsecureHTTP): keys fetched over http can be replaced on the way", name, raw))
		}
	}
	for name, d := range map[string]time.Duration{"RefreshInterval": c.RefreshInterval, "MinRefreshInterval": c.MinRefreshInterval, "FetchTimeout": c.FetchTimeout} {
		if d < 0 {
			problems = append(problems, fmt.Errorf("jwks: %s must not be negative", name))
		}
	}
	if c.MaxResponseBytes < 0 {
		problems = append(problems, errors.New("jwks: MaxResponseBytes must not be negative"))
	}
	return errors.Join(problems...)
}

// A Cache holds one issuer's key set. It is safe to use concurrently. It starts no
// goroutine of its own except a background refresh of a stale set, which [Cache.Close]
// waits for.
type Cache struct {
	cfg    Config
	base   context.Context // cancelled by Close
	cancel context.CancelFunc

	mu        sync.Mutex
	set       *Set
	fetchedAt time.Time // last successful fetch
	attemptAt time.Time // last fetch attempt
	jwksURL   string    // resolved JWKS URL
	inflight  *call
	closed    bool
	bg        sync.WaitGroup
}

type call struct {
	done chan struct{}
	err  error
}

// New returns a cache for cfg. It fetches nothing until first used.
func New(cfg Config) (*Cache, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.RefreshInterval == 0 {
		cfg.RefreshInterval = DefaultRefreshInterval
	}
	if cfg.MinRefreshInterval == 0 {
		cfg.MinRefreshInterval = DefaultMinRefreshInterval
	}
	if cfg.FetchTimeout == 0 {
		cfg.FetchTimeout = DefaultFetchTimeout
	}
	if cfg.MaxResponseBytes == 0 {
		cfg.MaxResponseBytes = DefaultMaxResponseBytes
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: cfg.FetchTimeout}
	}
	cfg.HTTPClient = refuseInsecureRedirects(cfg.HTTPClient, cfg.AllowInsecureHTTP)
	base, cancel := context.WithCancel(context.Background())
	return &Cache{cfg: cfg, base: base, cancel: cancel, jwksURL: cfg.URL}, nil
}

// Lookup returns the key with id kid. A cold cache fetches the set first. A stale set
// is refreshed in the background while it keeps serving. An unknown id causes one
// refresh, unless a fetch was attempted less than MinRefreshInterval ago; concurrent
// callers share one fetch. When the issuer cannot be reached, the cached keys keep
// working.
func (c *Cache) Lookup(ctx context.Context, kid string) (Key, error) {
	set, err := c.current(ctx)
	if err != nil {
		return Key{}, err
	}
	if k, ok := set.Lookup(kid); ok {
		return k, nil
	}
	if err := c.fetch(ctx, false); err != nil && !errors.Is(err, errRateLimited) {
		return Key{}, fmt.Errorf("%w (refresh failed: %w)", ErrKeyNotFound, err)
	}
	c.mu.Lock()
	set = c.set
	c.mu.Unlock()
	if k, ok := set.Lookup(kid); ok {
		return k, nil
	}
	return Key{}, ErrKeyNotFound
}

// Set returns the current key set, fetching it if the cache is cold.
func (c *Cache) Set(ctx context.Context) (*Set, error) {
	return c.current(ctx)
}

// Refresh fetches the set now, ignoring MinRefreshInterval, and waits for the result.
func (c *Cache) Refresh(ctx context.Context) error {
	return c.fetch(ctx, true)
}

// Close cancels a fetch in flight and waits for it to end; later lookups fail with
// [ErrClosed].
func (c *Cache) Close() {
	c.mu.Lock()
	c.closed = true
	c.mu.Unlock()
	c.cancel()
	c.bg.Wait()
}

func (c *Cache) current(ctx context.Context) (*Set, error) {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil, ErrClosed
	}
	set := c.set
	now := c.cfg.Now()
	stale := set != nil && c.inflight == nil &&
		now.Sub(c.fetchedAt) >= c.cfg.RefreshInterval &&
		now.Sub(c.attemptAt) >= c.cfg.MinRefreshInterval
	if stale {
		c.startLocked(now)
	}
	c.mu.Unlock()
	if set != nil {
		return set, nil
	}
	if err := c.fetch(ctx, false); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.set == nil {
		return nil, ErrUnavailable
	}
	return c.set, nil
}

var errRateLimited = errors.New("jwks: refresh rate-limited")

// fetch joins the fetch in flight or starts one (unless rate-limited and !force), and
// waits for it.
func (c *Cache) fetch(ctx context.Context, force bool) error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return ErrClosed
	}
	cl := c.inflight
	if cl == nil {
		now := c.cfg.Now()
		if !force && !c.attemptAt.IsZero() && now.Sub(c.attemptAt) < c.cfg.MinRefreshInterval {
			c.mu.Unlock()
			return errRateLimited
		}
		cl = c.startLocked(now)
	}
	c.mu.Unlock()
	select {
	case <-cl.done:
		return cl.err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// startLocked starts a fetch in its own goroutine, so that it outlives callers that
// give up (others may be waiting for it) yet ends when the cache closes. c.mu is held,
// so Close cannot be waiting on bg yet.
func (c *Cache) startLocked(now time.Time) *call {
	cl := &call{done: make(chan struct{})}
	c.inflight = cl
	c.attemptAt = now
	c.bg.Add(1)
	go func() {
		defer c.bg.Done()
		c.run(cl)
	}()
	return cl
}

func (c *Cache) run(cl *call) {
	ctx, cancel := context.WithTimeout(c.base, c.cfg.FetchTimeout)
	defer cancel()
	set, resolved, err := c.download(ctx)
	c.mu.Lock()
	if err == nil {
		c.set = set
		c.fetchedAt = c.cfg.Now()
		c.jwksURL = resolved
	} else if c.cfg.URL == "" {
		c.jwksURL = "" // discover again next time
	}
	c.inflight = nil
	c.mu.Unlock()
	// OnFetch runs before waiters are released, so whoever waited sees it recorded.
	if c.cfg.OnFetch != nil {
		c.cfg.OnFetch(err)
	}
	cl.err = err
	close(cl.done)
}

func (c *Cache) download(ctx context.Context) (*Set, string, error) {
	c.mu.Lock()
	u := c.jwksURL
	c.mu.Unlock()
	if u == "" {
		var err error
		if u, err = c.discover(ctx); err != nil {
			return nil, "", err
		}
	}
	body, err := c.get(ctx, u)
	if err != nil {
		return nil, "", err
	}
	set, err := Parse(body)
	if err != nil {
		return nil, "", err
	}
	if set.Len() == 0 {
		return nil, "", fmt.Errorf("%w: no usable signing keys", ErrInvalidSet)
	}
	return set, u, nil
}

func (c *Cache) discover(ctx context.Context) (string, error) {
	body, err := c.get(ctx, strings.TrimSuffix(c.cfg.Issuer, "/")+"/.well-known/openid-configuration")
	if err != nil {
		return "", err
	}
	var doc struct {
		Issuer  string `json:"issuer"`
		JWKSURI string `json:"jwks_uri"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		return "", fmt.Errorf("jwks: discovery document: %w", err)
	}
	if doc.Issuer != c.cfg.Issuer {
		return "", fmt.Errorf("jwks: discovery document names issuer %q, want %q", doc.Issuer, c.cfg.Issuer)
	}
	if u, err := url.Parse(doc.JWKSURI); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return "", fmt.Errorf("jwks: discovery document has no usable jwks_uri")
	} else if !fetchable(u, c.cfg.AllowInsecureHTTP) {
		return "", fmt.Errorf("jwks: discovery document's jwks_uri %q is not https", u.Redacted())
	}
	return doc.JWKSURI, nil
}

func (c *Cache) get(ctx context.Context, u string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, fmt.Errorf("jwks: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := c.cfg.HTTPClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("jwks: fetch: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4096))
		return nil, fmt.Errorf("jwks: fetch %s: status %d", u, resp.StatusCode)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, c.cfg.MaxResponseBytes+1))
	if err != nil {
		return nil, fmt.Errorf("jwks: read: %w", err)
	}
	if int64(len(body)) > c.cfg.MaxResponseBytes {
		return nil, fmt.Errorf("jwks: response larger than %d bytes", c.cfg.MaxResponseBytes)
	}
	return body, nil
}

// fetchable reports whether keys may be fetched from u: over https, or over plain http
// when the host is loopback (nothing crosses a network) or allowHTTP is set.
func fetchable(u *url.URL, allowHTTP bool) bool {
	switch u.Scheme {
	case "https":
		return true
	case "http":
		if allowHTTP {
			return true
		}
		host := u.Hostname()
		if strings.EqualFold(host, "localhost") {
			return true
		}
		ip := net.ParseIP(host)
		return ip != nil && ip.IsLoopback()
	}
	return false
}

// refuseInsecureRedirects returns a copy of client that follows a redirect only to a
// URL keys may be fetched from (see fetchable), so that an https key set cannot be
// downgraded to plain http on the way; client's own redirect policy still applies.
func refuseInsecureRedirects(client *http.Client, allowHTTP bool) *http.Client {
	c := *client
	next := client.CheckRedirect
	c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if !fetchable(req.URL, allowHTTP) {
			return fmt.Errorf("jwks: redirect to %q refused: not https", req.URL.Redacted())
		}
		if next != nil {
			return next(req, via)
		}
		if len(via) >= 10 {
			return errors.New("jwks: stopped after 10 redirects")
		}
		return nil
	}
	return &c
}
