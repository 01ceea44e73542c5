package vault_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"golang.org/x/oauth2"

	"github.com/footingdev/footing/storage/pgtest"
	"github.com/footingdev/footing/storage/vault"
)

// TestRefreshedTokenSurvivesAFailedStore: the token endpoint rotates refresh tokens
// (each works once). While it answers the first refresh, the database connection of the
// refreshing transaction is killed, so storing the new token in that transaction fails.
// The new token must still be stored and returned: the old refresh token is spent, and
// before, the new one was dropped with the transaction — the account was lost (every
// later refresh sent the spent token and was rejected).
func TestRefreshedTokenSurvivesAFailedStore(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t, pgtest.WithoutRiver())
	ctx := newTenant(t, db)
	admin, err := pgxpool.New(context.Background(), db.SuperuserURL())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(admin.Close)

	var mu sync.Mutex
	valid := map[string]string{"refresh-0": "1"} // one-time refresh token -> generation it yields
	calls := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			http.Error(w, `{"error":"invalid_request"}`, http.StatusBadRequest)
			return
		}
		mu.Lock()
		gen, ok := valid[r.Form.Get("refresh_token")]
		delete(valid, r.Form.Get("refresh_token")) // spent, whatever happens next
		if ok {
			valid["refresh-"+gen] = string(rune(gen[0] + 1))
		}
		calls++
		first := calls == 1
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		if !ok {
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"error":"invalid_grant"}`))
			return
		}
		if first {
			// The refreshing transaction waits on us, idle, holding the row lock.
			var n int
			if err := admin.QueryRow(r.Context(), `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
				WHERE datname = $1 AND usename = 'footing_app' AND state = 'idle in transaction'`, db.Name).Scan(&n); err != nil || n != 1 {
				t.Errorf("killing the refresh transaction: %d killed, %v", n, err)
			}
		}
		_ = json.NewEncoder(w).Encode(map[string]any{
			"access_token": "access-" + gen, "refresh_token": "refresh-" + gen, "token_type": "Bearer", "expires_in": 3600,
		})
	}))
	t.Cleanup(srv.Close)
	cfg := &oauth2.Config{ClientID: "client", Endpoint: oauth2.Endpoint{TokenURL: srv.URL, AuthStyle: oauth2.AuthStyleInParams}}
	hctx := context.WithValue(ctx, oauth2.HTTPClient, srv.Client())

	v := vault.New(db.App, keyring(t, "k1", "k1"))
	if err := v.Put(ctx, "google", vault.Token{AccessToken: "access-0", RefreshToken: "refresh-0", Expiry: time.Now().Add(-time.Hour)}); err != nil {
		t.Fatal(err)
	}
	tok, err := v.TokenSource(hctx, "google", cfg).Token()
	if err != nil || tok.AccessToken != "access-1" {
		t.Fatalf("Token = %v, %v; want the refreshed access-1", tok, err)
	}
	stored, err := v.Get(ctx, "google")
	if err != nil || stored.AccessToken != "access-1" || stored.RefreshToken != "refresh-1" {
		t.Fatalf("stored = %+v (refresh %q), %v; want generation 1 — the spent refresh-0 is useless", stored, stored.RefreshToken, err)
	}
	// The account still works: once the token has expired, the next refresh spends
	// refresh-1.
	stored.Expiry = time.Now().Add(-time.Minute)
	if err := v.Put(ctx, "google", stored); err != nil {
		t.Fatal(err)
	}
	tok, err = v.TokenSource(hctx, "google", cfg).Token()
	if err != nil || tok.AccessToken != "access-2" {
		t.Fatalf("next refresh: %v, %v; want access-2", tok, err)
	}
}
