package jwks_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/footingdev/footing/gatewaycore/auth/jwks"
)

type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// keyServer serves a JWKS whose key ids can be changed, and discovery naming issuer.
type keyServer struct {
	*httptest.Server
	mu      sync.Mutex
	kids    []string
	issuer  string // discovery's "issuer"; empty means the server URL
	fetches atomic.Int64
	failing atomic.Bool
}

func newKeyServer(t *testing.T, kids ...string) *keyServer {
	t.Helper()
	ks := &keyServer{kids: kids}
	mux := http.NewServeMux()
	mux.HandleFunc("/.well-known/openid-configuration", func(w http.ResponseWriter, _ *http.Request) {
		ks.mu.Lock()
		iss := ks.issuer
		ks.mu.Unlock()
		if iss == "" {
			iss = ks.URL
		}
		_ = json.NewEncoder(w).Encode(map[string]string{"issuer": iss, "jwks_uri": ks.URL + "/keys"})
	})
	mux.HandleFunc("/keys", func(w http.ResponseWriter, _ *http.Request) {
		ks.fetches.Add(1)
		if ks.failing.Load() {
			http.Error(w, "down", http.StatusBadGateway)
			return
		}
		ks.mu.Lock()
		var keys []map[string]string
		for _, kid := range ks.kids {
			keys = append(keys, map[string]string{"kty": "OKP", "crv": "Ed25519", "kid": kid, "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"})
		}
		ks.mu.Unlock()
		_ = json.NewEncoder(w).Encode(map[string]any{"keys": keys})
	})
	ks.Server = httptest.NewServer(mux)
	t.Cleanup(ks.Close)
	return ks
}

func (ks *keyServer) setKids(kids ...string) {
	ks.mu.Lock()
	defer ks.mu.Unlock()
	ks.kids = kids
}

func newCache(t *testing.T, cfg jwks.Config) *jwks.Cache {
	t.Helper()
	c, err := jwks.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

func TestCacheDiscoveryAndRefresh(t *testing.T) {
	t.Parallel()
	ks := newKeyServer(t, "k1")
	clk := &clock{now: time.Unix(1_000_000, 0)}
	c := newCache(t, jwks.Config{Issuer: ks.URL, Now: clk.Now, MinRefreshInterval: 10 * time.Second, RefreshInterval: time.Minute})
	ctx := context.Background()
	if _, err := c.Lookup(ctx, "k1"); err != nil {
		t.Fatal(err)
	}
	ks.setKids("k1", "k2")
	if _, err := c.Lookup(ctx, "k2"); !errors.Is(err, jwks.ErrKeyNotFound) {
		t.Fatalf("k2 within the minimum interval: %v, want ErrKeyNotFound", err)
	}
	clk.Advance(10 * time.Second)
	if _, err := c.Lookup(ctx, "k2"); err != nil {
		t.Fatalf("k2 after the minimum interval: %v", err)
	}
	if n := ks.fetches.Load(); n != 2 {
		t.Fatalf("fetches = %d, want 2", n)
	}
	// Forced refresh ignores the minimum interval and sees a key going away.
	ks.setKids("k2")
	if err := c.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	set, err := c.Set(ctx)
	if err != nil || set.Len() != 1 {
		t.Fatalf("Set = %v keys, %v", set.Len(), err)
	}
}

func TestCacheStaleSetRefreshesInBackground(t *testing.T) {
	t.Parallel()
	ks := newKeyServer(t, "k1")
	clk := &clock{now: time.Unix(1_000_000, 0)}
	c := newCache(t, jwks.Config{URL: ks.URL + "/keys", Now: clk.Now, RefreshInterval: time.Minute})
	ctx := context.Background()
	if _, err := c.Lookup(ctx, "k1"); err != nil {
		t.Fatal(err)
	}
	ks.setKids("k3")
	clk.Advance(2 * time.Minute)
	// The stale set still answers at once; the refresh runs behind it.
	if _, err := c.Lookup(ctx, "k1"); err != nil {
		t.Fatalf("stale set stopped serving: %v", err)
	}
	// A Refresh joins or follows the background fetch; afterwards the new set serves.
	if err := c.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Lookup(ctx, "k3"); err != nil {
		t.Fatalf("refreshed set: %v", err)
	}
}

func TestCacheFailures(t *testing.T) {
	t.Parallel()
	ctx := context.Background()

	ks := newKeyServer(t, "k1")
	ks.failing.Store(true)
	var outcomes []error
	var mu sync.Mutex
	c := newCache(t, jwks.Config{URL: ks.URL + "/keys", OnFetch: func(err error) { mu.Lock(); outcomes = append(outcomes, err); mu.Unlock() }})
	if _, err := c.Lookup(ctx, "k1"); !errors.Is(err, jwks.ErrUnavailable) {
		t.Fatalf("cold cache, issuer down: %v, want ErrUnavailable", err)
	}
	if _, err := c.Lookup(ctx, "k1"); !errors.Is(err, jwks.ErrUnavailable) || ks.fetches.Load() != 1 {
		t.Fatalf("retry within the minimum interval fetched again (%d fetches): %v", ks.fetches.Load(), err)
	}
	mu.Lock()
	if len(outcomes) != 1 || outcomes[0] == nil {
		t.Fatalf("OnFetch saw %v", outcomes)
	}
	mu.Unlock()

	lying := newKeyServer(t, "k1")
	lying.mu.Lock()
	lying.issuer = "https://someone-else.example"
	lying.mu.Unlock()
	c2 := newCache(t, jwks.Config{Issuer: lying.URL})
	if _, err := c2.Lookup(ctx, "k1"); err == nil || !strings.Contains(err.Error(), "someone-else") {
		t.Fatalf("discovery naming another issuer: %v", err)
	}

	empty := newKeyServer(t)
	c3 := newCache(t, jwks.Config{URL: empty.URL + "/keys"})
	if _, err := c3.Lookup(ctx, ""); !errors.Is(err, jwks.ErrUnavailable) {
		t.Fatalf("empty key set: %v", err)
	}

	c4, err := jwks.New(jwks.Config{URL: ks.URL + "/keys"})
	if err != nil {
		t.Fatal(err)
	}
	c4.Close()
	if _, err := c4.Lookup(ctx, "k1"); !errors.Is(err, jwks.ErrClosed) {
		t.Fatalf("closed cache: %v", err)
	}
}

func TestConfigValidate(t *testing.T) {
	t.Parallel()
	err := jwks.Config{URL: "file:///etc/keys", RefreshInterval: -1, MaxResponseBytes: -1}.Validate()
	for _, want := range []string{"file:///etc/keys", "RefreshInterval", "MaxResponseBytes"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Validate error %v does not mention %q", err, want)
		}
	}
	if err := (jwks.Config{}).Validate(); err == nil {
		t.Error("empty config accepted")
	}
}
