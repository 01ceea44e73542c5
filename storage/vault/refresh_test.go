package vault_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/footingdev/footing/contracts/errs"
	"github.com/footingdev/footing/storage/pgtest"
	"github.com/footingdev/footing/storage/vault"
)

// tokenEndpoint is an OAuth token endpoint that counts refresh_token grants.
type tokenEndpoint struct {
	*httptest.Server
	calls  atomic.Int64
	reject bool
}

func newTokenEndpoint(t *testing.T, reject bool) *tokenEndpoint {
	t.Helper()
	e := &tokenEndpoint{reject: reject}
	e.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil || r.Form.Get("grant_type") != "refresh_token" || r.Form.Get("refresh_token") != secretRefresh {
			http.Error(w, `{"error":"invalid_request"}`, http.StatusBadRequest)
			return
		}
		n := e.calls.Add(1)
		w.Header().Set("Content-Type", "application/json")
		if e.reject {
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"error":"invalid_grant","error_description":"refresh token ` + secretRefresh + ` revoked"}`))
			return
		}
		// Slow enough that concurrent callers pile up behind the first refresh.
		time.Sleep(50 * time.Millisecond)
		_ = json.NewEncoder(w).Encode(map[string]any{
			"access_token": "fresh-access-" + string(rune('0'+n)), "token_type": "Bearer", "expires_in": 3600,
		})
	}))
	t.Cleanup(e.Close)
	return e
}

func (e *tokenEndpoint) config() *oauth2.Config {
	return &oauth2.Config{ClientID: "client", ClientSecret: "client-secret",
		Endpoint: oauth2.Endpoint{TokenURL: e.URL + "/token", AuthStyle: oauth2.AuthStyleInParams}}
}

// TestConcurrentRefreshCollapses: 2 instances (separate Vaults and pools, as two
// processes would have) x 10 goroutines all find the token expired; the endpoint is
// called exactly once, everyone gets the new token, and the refresh token is kept.
func TestConcurrentRefreshCollapses(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t, pgtest.WithoutRiver())
	ctx := newTenant(t, db)
	endpoint := newTokenEndpoint(t, false)
	keys := keyring(t, "k1", "k1")
	expired := sample()
	expired.Expiry = time.Now().Add(-time.Hour)
	if err := vault.New(db.App, keys).Put(ctx, "google", expired); err != nil {
		t.Fatal(err)
	}
	instances := []*vault.Vault{
		vault.New(db.Pool(t, "footing_app", 8), keys),
		vault.New(db.Pool(t, "footing_app", 8), keys),
	}
	hctx := context.WithValue(ctx, oauth2.HTTPClient, endpoint.Client())
	var wg sync.WaitGroup
	got := make(chan string, 20)
	for _, v := range instances {
		for range 10 {
			wg.Go(func() {
				tok, err := v.TokenSource(hctx, "google", endpoint.config()).Token()
				if err != nil {
					t.Errorf("Token: %v", err)
					return
				}
				got <- tok.AccessToken
			})
		}
	}
	wg.Wait()
	close(got)
	for a := range got {
		if a != "fresh-access-1" {
			t.Fatalf("a caller got %q, want the one refreshed token", a)
		}
	}
	if n := endpoint.calls.Load(); n != 1 {
		t.Fatalf("token endpoint called %d times, want exactly 1", n)
	}
	stored, err := instances[0].Get(ctx, "google")
	if err != nil || stored.AccessToken != "fresh-access-1" || stored.RefreshToken != secretRefresh || !stored.Expiry.After(time.Now()) {
		t.Fatalf("stored after refresh: %v %v", stored, err)
	}
}

func TestRefreshRejectedHidesSecrets(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t, pgtest.WithoutRiver())
	ctx := newTenant(t, db)
	endpoint := newTokenEndpoint(t, true)
	v := vault.New(db.App, keyring(t, "k1", "k1"))
	expired := sample()
	expired.Expiry = time.Now().Add(-time.Minute)
	if err := v.Put(ctx, "google", expired); err != nil {
		t.Fatal(err)
	}
	hctx := context.WithValue(ctx, oauth2.HTTPClient, endpoint.Client())
	_, err := v.TokenSource(hctx, "google", endpoint.config()).Token()
	if d := errs.From(err); d.Reason != "VAULT_REFRESH_REJECTED" {
		t.Fatalf("rejected refresh: %v, want VAULT_REFRESH_REJECTED", err)
	}
	for _, s := range []string{secretRefresh, secretAccess, "client-secret"} {
		if strings.Contains(err.Error(), s) {
			t.Fatalf("error %q leaks %q", err, s)
		}
	}
	// The old token stays: a failed refresh stores nothing.
	if got, err := v.Get(ctx, "google"); err != nil || got.AccessToken != secretAccess {
		t.Fatalf("after a failed refresh: %v %v", got, err)
	}
}

func TestFreshTokenNeedsNoRefresh(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t, pgtest.WithoutRiver())
	ctx := newTenant(t, db)
	endpoint := newTokenEndpoint(t, false)
	v := vault.New(db.App, keyring(t, "k1", "k1"))
	if err := v.Put(ctx, "google", sample()); err != nil { // expires in 2030
		t.Fatal(err)
	}
	ts := v.TokenSource(ctx, "google", endpoint.config())
	for range 3 {
		tok, err := ts.Token()
		if err != nil || tok.AccessToken != secretAccess {
			t.Fatalf("Token: %v %v", tok, err)
		}
	}
	if n := endpoint.calls.Load(); n != 0 {
		t.Fatalf("endpoint called %d times for a fresh token", n)
	}
}
