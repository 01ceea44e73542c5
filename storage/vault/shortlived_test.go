package vault_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/footingdev/footing/storage/pgtest"
	"github.com/footingdev/footing/storage/vault"
)

// TestShortLivedTokensAreNotRefreshedOnEveryCall: an endpoint issuing tokens that
// live less than the refresh margin (30 s tokens, the default 1 m margin) had every
// Token call refresh — the endpoint called and a row locked and rewritten per
// request, by every source, since a token just issued already counted as due. The
// margin is now at most half the token's lifetime as stored (its expiry less the
// time it was stored), so a fresh short-lived token is served, by the source that
// refreshed it and by a new one (a source made per request).
func TestShortLivedTokensAreNotRefreshedOnEveryCall(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t, pgtest.WithoutRiver())
	ctx := newTenant(t, db)
	var calls atomic.Int64
	endpoint := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil || r.Form.Get("grant_type") != "refresh_token" {
			http.Error(w, `{"error":"invalid_request"}`, http.StatusBadRequest)
			return
		}
		calls.Add(1)
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"access_token": "short-lived", "token_type": "Bearer", "expires_in": 30})
	}))
	defer endpoint.Close()
	cfg := &oauth2.Config{ClientID: "client", ClientSecret: "client-secret",
		Endpoint: oauth2.Endpoint{TokenURL: endpoint.URL + "/token", AuthStyle: oauth2.AuthStyleInParams}}
	v := vault.New(db.App, keyring(t, "k1", "k1"))
	expired := sample()
	expired.Expiry = time.Now().Add(-time.Minute)
	if err := v.Put(ctx, "short", expired); err != nil {
		t.Fatal(err)
	}
	hctx := context.WithValue(ctx, oauth2.HTTPClient, endpoint.Client())
	ts := v.TokenSource(hctx, "short", cfg)
	for i := range 5 {
		tok, err := ts.Token()
		if err != nil || tok.AccessToken != "short-lived" {
			t.Fatalf("Token %d: %v %v", i, tok, err)
		}
	}
	for i := range 3 { // a source per request
		tok, err := v.TokenSource(hctx, "short", cfg).Token()
		if err != nil || tok.AccessToken != "short-lived" {
			t.Fatalf("new source's Token %d: %v %v", i, tok, err)
		}
	}
	if n := calls.Load(); n != 1 {
		t.Fatalf("token endpoint called %d times for eight Token calls within a 30 s token's first seconds, want 1", n)
	}
}
