package vault

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"golang.org/x/oauth2"

	"github.com/footingdev/footing/contracts/errs"
	"github.com/footingdev/footing/storage/rls"
)

// Defaults of a token source.
const (
	DefaultRefreshBefore  = time.Minute
	DefaultRefreshTimeout = 30 * time.Second
)

// A SourceOption configures [Vault.TokenSource].
type SourceOption func(*tokenSource)

// WithRefreshBefore refreshes a token this long before it expires (default 1m), or at
// half its lifetime as stored (its expiry less the time it was stored) when that is
// shorter: a token that lives less than the margin is otherwise due as soon as it is
// issued, and every Token call would refresh it.
func WithRefreshBefore(d time.Duration) SourceOption {
	return func(s *tokenSource) {
		if d >= 0 {
			s.refreshBefore = d
		}
	}
}

// WithRefreshTimeout bounds one refresh, the token endpoint call included (default 30s).
func WithRefreshTimeout(d time.Duration) SourceOption {
	return func(s *tokenSource) {
		if d > 0 {
			s.timeout = d
		}
	}
}

// TokenSource returns an oauth2.TokenSource for account's stored token in ctx's tenant.
// ctx must carry the Principal (its values are kept, its cancellation is not: a
// TokenSource outlives requests). When the token is missing an access token or expires
// within the refresh margin, the source refreshes it through cfg's token endpoint and
// stores the new token in the same transaction that locked the row (SELECT ... FOR
// UPDATE), so it is replaced atomically. Concurrent refreshes for one account collapse
// into one: in a process through single flight, across processes through the row lock,
// after which the waiter finds the token already fresh and does not call the endpoint.
// A token the endpoint issued is not dropped with a failed transaction: it is stored
// again on its own (see the storage README), and only if that fails too does Token return
// Unavailable (VAULT_REFRESH_NOT_STORED).
//
// A source keeps the token it last read for at most a minute before it reads the stored
// one again, so a Delete of the account (Token then returns NotFound) or a Put of a new
// token reaches it, even for a token that does not expire. If that read fails for any
// other reason while the token held is still fresh, the source serves it and tries again
// a minute later.
//
// The HTTP client is cfg's usual one: set oauth2.HTTPClient in ctx to choose it.
func (v *Vault) TokenSource(ctx context.Context, account string, cfg *oauth2.Config, opts ...SourceOption) oauth2.TokenSource {
	s := &tokenSource{
		v: v, ctx: context.WithoutCancel(ctx), account: account, cfg: cfg,
		refreshBefore: DefaultRefreshBefore, timeout: DefaultRefreshTimeout,
	}
	for _, o := range opts {
		o(s)
	}
	return s
}

type tokenSource struct {
	v             *Vault
	ctx           context.Context
	account       string
	cfg           *oauth2.Config
	refreshBefore time.Duration
	timeout       time.Duration

	mu       sync.Mutex
	cached   Token
	stored   time.Time // when cached was stored (its row's update_time)
	cachedAt time.Time // when cached was read or stored (now)
}

// storedToken is a token with the time it was stored, from which its lifetime is
// judged (see fresh).
type storedToken struct {
	Token
	stored time.Time
}

// recheckAfter is how long a source serves the token it holds before it reads the
// stored one again, so that a Delete or a Put of the account reaches sources that
// outlive requests: a token that does not expire was otherwise served for ever.
const recheckAfter = time.Minute

// recheckTimeout bounds that read while the source holds a fresh token: if the database
// does not answer, the source serves what it holds and tries again after recheckAfter.
const recheckTimeout = 5 * time.Second

// fresh reports whether t, stored at stored, is served without a refresh: it expires
// after the refresh margin. The margin is the configured one, but at most half the
// token's lifetime as stored (its expiry less the time it was stored): an endpoint
// issuing tokens that live less than the margin would otherwise have every call
// refresh, a token just issued already counting as due.
func (s *tokenSource) fresh(t Token, stored time.Time) bool {
	if t.AccessToken == "" {
		return false
	}
	if t.Expiry.IsZero() {
		return true
	}
	margin := s.refreshBefore
	if !stored.IsZero() {
		if life := t.Expiry.Sub(stored); life > 0 && life/2 < margin {
			margin = life / 2
		}
	}
	return t.Expiry.After(now().Add(margin))
}

// Token implements oauth2.TokenSource.
func (s *tokenSource) Token() (*oauth2.Token, error) {
	s.mu.Lock()
	c, stored, at := s.cached, s.stored, s.cachedAt
	s.mu.Unlock()
	held := s.fresh(c, stored)
	if held && now().Sub(at) < recheckAfter {
		return c.OAuth2(), nil
	}
	t, err := s.read(held)
	if err != nil {
		notFound := errs.From(err).Reason == reasonNotFound
		s.mu.Lock()
		defer s.mu.Unlock()
		switch {
		case notFound: // deleted: stop serving it
			s.cached, s.stored, s.cachedAt = Token{}, time.Time{}, time.Time{}
		case held: // the database did not answer: serve the fresh token held
			s.cachedAt = now()
			return c.OAuth2(), nil
		}
		return nil, err
	}
	if !s.fresh(t.Token, t.stored) {
		scope, err := rls.ScopeFrom(s.ctx)
		if err != nil {
			return nil, err
		}
		r, err, _ := s.v.flight.Do(scope.TenantID+"\x00"+s.account, func() (any, error) {
			return s.refresh()
		})
		if err != nil {
			return nil, err
		}
		t = r.(storedToken)
	}
	s.mu.Lock()
	s.cached, s.stored, s.cachedAt = t.Token, t.stored, now()
	s.mu.Unlock()
	return t.OAuth2(), nil
}

// read reads the stored token, within recheckTimeout when the source holds a fresh one.
func (s *tokenSource) read(held bool) (storedToken, error) {
	ctx := s.ctx
	if held {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(s.ctx, recheckTimeout)
		defer cancel()
	}
	t, stored, err := s.v.getStored(ctx, s.account)
	return storedToken{t, stored}, err
}

// storeGrace is how long storing a refreshed token may take once the endpoint has
// answered. It comes on top of the refresh timeout, which a slow endpoint may have used
// up: a token the endpoint issued must not be lost for want of time to store it.
const storeGrace = 10 * time.Second

// refresh locks the row, refreshes unless another process already did, and stores
// the new token before the lock is released. If that transaction fails after the
// endpoint answered (the connection dropped, the commit failed), the new token is
// stored again in a transaction of its own: the endpoint may have retired the old
// refresh token, so the new one is the only way back to the account.
func (s *tokenSource) refresh() (storedToken, error) {
	deadline := time.Now().Add(s.timeout)
	txCtx, cancelTx := context.WithDeadline(s.ctx, deadline.Add(storeGrace))
	defer cancelTx()
	ctx, cancel := context.WithDeadline(txCtx, deadline) // lock wait and endpoint call
	defer cancel()
	var out Token
	var stored time.Time // when out was stored: its lifetime starts there (see fresh)
	refreshed := false
	err := rls.InTenant(txCtx, s.v.db, func(tx pgx.Tx) error {
		cur, curStored, err := s.v.get(ctx, tx, s.account, "FOR UPDATE")
		if err != nil {
			return err
		}
		if s.fresh(cur, curStored) {
			out, stored = cur, curStored // refreshed by someone else while we waited for the lock
			return nil
		}
		if cur.RefreshToken == "" {
			return errs.FailedPrecondition("VAULT_NO_REFRESH_TOKEN",
				"vault: the token has expired and has no refresh token", errs.WithDomain(errDomain))
		}
		stored = now() // the clock the endpoint's expires_in was added to
		nt, err := s.cfg.TokenSource(ctx, &oauth2.Token{RefreshToken: cur.RefreshToken}).Token()
		if err != nil {
			return refreshError(err)
		}
		out = FromOAuth2(nt)
		if out.RefreshToken == "" {
			out.RefreshToken = cur.RefreshToken
		}
		refreshed = true
		return s.v.put(txCtx, tx, s.account, out)
	})
	if err != nil && refreshed {
		sctx, cancel := context.WithTimeout(s.ctx, storeGrace)
		defer cancel()
		if perr := s.v.Put(sctx, s.account, out); perr != nil {
			return storedToken{}, errs.Unavailable("VAULT_REFRESH_NOT_STORED",
				"vault: the token was refreshed but could not be stored; the account may need to be authorized again",
				errs.WithDomain(errDomain))
		}
		return storedToken{out, stored}, nil
	}
	return storedToken{out, stored}, err
}

// refreshError reports a failed refresh by the endpoint's error code only: the
// response body is not repeated.
func refreshError(err error) error {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) && (re.ErrorCode == "invalid_grant" || re.ErrorCode == "unauthorized_client" || re.ErrorCode == "invalid_client") {
		return errs.FailedPrecondition("VAULT_REFRESH_REJECTED", "vault: the token endpoint rejected the refresh",
			errs.WithDomain(errDomain), errs.WithMetadata("oauth_error", re.ErrorCode))
	}
	return errs.Unavailable("VAULT_REFRESH_FAILED", "vault: the token refresh failed", errs.WithDomain(errDomain))
}
