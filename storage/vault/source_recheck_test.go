package vault_test

import (
	"testing"
	"time"

	"github.com/footingdev/footing/contracts/errs"
	"github.com/footingdev/footing/storage/pgtest"
	"github.com/footingdev/footing/storage/vault"
)

// A long-lived TokenSource sees the stored token change: a token that does not expire
// (GitHub, Slack, …) was served from the source's memory for ever, so a Delete (the
// tenant disconnected the account) or a Put (re-authorized) never reached it. Not
// parallel: it moves the token sources' clock.
func TestSourceSeesDeleteAndReplace(t *testing.T) {
	db := pgtest.New(t, pgtest.WithoutRiver())
	ctx := newTenant(t, db)
	endpoint := newTokenEndpoint(t, false)
	v := vault.New(db.App, keyring(t, "k1", "k1"))
	if err := v.Put(ctx, "github", vault.Token{AccessToken: "first", TokenType: "Bearer"}); err != nil {
		t.Fatal(err)
	}
	clock := time.Now()
	defer vault.SetNow(func() time.Time { return clock })()
	ts := v.TokenSource(ctx, "github", endpoint.config())
	if tok, err := ts.Token(); err != nil || tok.AccessToken != "first" {
		t.Fatalf("Token: %v %v", tok, err)
	}

	if err := v.Put(ctx, "github", vault.Token{AccessToken: "second", TokenType: "Bearer"}); err != nil {
		t.Fatal(err)
	}
	clock = clock.Add(2 * time.Minute)
	if tok, err := ts.Token(); err != nil || tok.AccessToken != "second" {
		t.Fatalf("after a Put and 2 minutes: %v %v, want the new token", tok, err)
	}

	if err := v.Delete(ctx, "github"); err != nil {
		t.Fatal(err)
	}
	clock = clock.Add(2 * time.Minute)
	if tok, err := ts.Token(); errs.From(err).Reason != "VAULT_TOKEN_NOT_FOUND" {
		t.Fatalf("after a Delete and 2 minutes: %v %v, want VAULT_TOKEN_NOT_FOUND", tok, err)
	}
	if n := endpoint.calls.Load(); n != 0 {
		t.Fatalf("endpoint called %d times for tokens that do not expire", n)
	}
}

// The re-read must not cost availability: a source whose database stops answering
// serves the fresh token it holds, as it did before it re-read. Not parallel: it moves
// the clock.
func TestSourceServesHeldTokenWhenDatabaseFails(t *testing.T) {
	db := pgtest.New(t, pgtest.WithoutRiver())
	ctx := newTenant(t, db)
	endpoint := newTokenEndpoint(t, false)
	pool := db.Pool(t, "footing_app", 2)
	defer pool.Close()
	v := vault.New(pool, keyring(t, "k1", "k1"))
	if err := v.Put(ctx, "github", vault.Token{AccessToken: "held", TokenType: "Bearer"}); err != nil {
		t.Fatal(err)
	}
	clock := time.Now()
	defer vault.SetNow(func() time.Time { return clock })()
	ts := v.TokenSource(ctx, "github", endpoint.config())
	if tok, err := ts.Token(); err != nil || tok.AccessToken != "held" {
		t.Fatalf("Token: %v %v", tok, err)
	}
	pool.Close()
	if _, err := v.Get(ctx, "github"); err == nil {
		t.Fatal("Get through a closed pool succeeded")
	}
	for range 2 {
		clock = clock.Add(2 * time.Minute)
		if tok, err := ts.Token(); err != nil || tok.AccessToken != "held" {
			t.Fatalf("database down: %v %v, want the token held", tok, err)
		}
	}
}
