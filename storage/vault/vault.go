package vault

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"golang.org/x/sync/singleflight"

	"github.com/footingdev/footing/contracts/errs"
	"github.com/footingdev/footing/storage/pg"
	"github.com/footingdev/footing/storage/rls"
)

const errDomain = "storage.footing.dev"

// maxAccountLen matches the table's check constraint.
const maxAccountLen = 200

// Vault stores OAuth tokens per tenant, sealed with AES-256-GCM, in the oauth_tokens
// table (migration 00010, under tenant row-level security). Every call runs in an
// [rls.InTenant] transaction for the tenant of the Principal in ctx. It is safe for
// concurrent use.
type Vault struct {
	db     DB
	keys   *Keyring
	flight singleflight.Group
	batch  int // rows per rotation transaction: defaultRotateBatch
}

// A DB starts transactions and sends batches: *pgxpool.Pool is one.
type DB interface {
	rls.Beginner
	rls.BatchSender
}

// New returns a Vault over db (the application's pool) sealing with keys.
func New(db DB, keys *Keyring) *Vault {
	return &Vault{db: db, keys: keys, batch: defaultRotateBatch}
}

// aad binds a ciphertext to its tenant, account and key: a sealed value copied to
// another row or tenant does not open.
func aad(tenant, account, keyID string) []byte {
	return []byte("footing.vault.v1\x00" + tenant + "\x00" + account + "\x00" + keyID)
}

func checkAccount(account string) error {
	if account == "" || len(account) > maxAccountLen {
		return errs.InvalidArgument("VAULT_ACCOUNT_INVALID", "vault: account must be 1 to 200 bytes",
			errs.WithDomain(errDomain), errs.WithFieldViolation("account", "must be 1 to 200 bytes", "LENGTH"))
	}
	return nil
}

func (v *Vault) seal(tenant, account string, t Token) (keyID string, sealed []byte, err error) {
	plain, err := json.Marshal(sealedToken(t))
	if err != nil {
		return "", nil, errs.Internal(err)
	}
	id := v.keys.Active()
	_, sealed = v.keys.seal(plain, aad(tenant, account, id))
	clear(plain)
	return id, sealed, nil
}

func (v *Vault) open(tenant, account, keyID string, sealed []byte) (Token, error) {
	plain, err := v.keys.open(keyID, sealed, aad(tenant, account, keyID))
	if errors.Is(err, errUnknownKey) {
		return Token{}, errs.FailedPrecondition("VAULT_UNKNOWN_KEY",
			"vault: the token was sealed with a key that is not in the keyring",
			errs.WithDomain(errDomain), errs.WithMetadata("key_id", keyID))
	}
	if err != nil {
		return Token{}, errs.Internal(err)
	}
	var st sealedToken
	err = json.Unmarshal(plain, &st)
	clear(plain)
	if err != nil {
		return Token{}, errs.Internal(errors.New("vault: sealed token is not valid JSON"))
	}
	return Token(st), nil
}

func expiryArg(t Token) any {
	if t.Expiry.IsZero() {
		return nil
	}
	return t.Expiry
}

// Put stores t for account in ctx's tenant, replacing any token there.
func (v *Vault) Put(ctx context.Context, account string, t Token) error {
	if err := checkAccount(account); err != nil {
		return err
	}
	return rls.InTenant(ctx, v.db, func(tx pgx.Tx) error {
		return v.put(ctx, tx, account, t)
	})
}

func (v *Vault) put(ctx context.Context, tx pgx.Tx, account string, t Token) error {
	scope, err := rls.ScopeFrom(ctx)
	if err != nil {
		return err
	}
	keyID, sealed, err := v.seal(scope.TenantID, account, t)
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `
		INSERT INTO oauth_tokens (tenant_id, account, key_id, ciphertext, expiry)
		VALUES (current_setting('app.tenant_id')::uuid, $1, $2, $3, $4)
		ON CONFLICT (tenant_id, account) DO UPDATE
		SET key_id = EXCLUDED.key_id, ciphertext = EXCLUDED.ciphertext,
		    expiry = EXCLUDED.expiry, update_time = now()`,
		account, keyID, sealed, expiryArg(t))
	return pg.MapError(err)
}

// Get returns the token stored for account in ctx's tenant, or NotFound
// (VAULT_TOKEN_NOT_FOUND).
func (v *Vault) Get(ctx context.Context, account string) (Token, error) {
	t, _, err := v.getStored(ctx, account)
	return t, err
}

// getStored is Get, with the time the token was stored.
func (v *Vault) getStored(ctx context.Context, account string) (Token, time.Time, error) {
	if err := checkAccount(account); err != nil {
		return Token{}, time.Time{}, err
	}
	// One round trip: the tenant scope and the read go in one pipelined batch.
	var tenant, keyID string
	var sealed []byte
	var stored time.Time
	found := false
	var b pgx.Batch
	b.Queue(`SELECT tenant_id::text, key_id, ciphertext, update_time FROM oauth_tokens WHERE account = $1`, account).
		QueryRow(func(row pgx.Row) error {
			err := row.Scan(&tenant, &keyID, &sealed, &stored)
			if errors.Is(err, pgx.ErrNoRows) {
				return nil
			}
			found = err == nil
			return err
		})
	if err := rls.InTenantBatch(ctx, v.db, &b); err != nil {
		return Token{}, time.Time{}, err
	}
	if !found {
		return Token{}, time.Time{}, errNotFound()
	}
	t, err := v.open(tenant, account, keyID, sealed)
	return t, stored, err
}

const reasonNotFound = "VAULT_TOKEN_NOT_FOUND"

func errNotFound() error {
	return errs.NotFound(reasonNotFound, "vault: no token for this account", errs.WithDomain(errDomain))
}

// get reads and opens account's token, with the time it was stored; lock is "" or a
// locking clause.
func (v *Vault) get(ctx context.Context, tx pgx.Tx, account, lock string) (Token, time.Time, error) {
	var tenant, keyID string
	var sealed []byte
	var stored time.Time
	err := tx.QueryRow(ctx, `SELECT tenant_id::text, key_id, ciphertext, update_time FROM oauth_tokens WHERE account = $1 `+lock,
		account).Scan(&tenant, &keyID, &sealed, &stored)
	if errors.Is(err, pgx.ErrNoRows) {
		return Token{}, time.Time{}, errNotFound()
	}
	if err != nil {
		return Token{}, time.Time{}, pg.MapError(err)
	}
	t, err := v.open(tenant, account, keyID, sealed)
	return t, stored, err
}

// Delete removes account's token from ctx's tenant; deleting a missing token is not
// an error.
func (v *Vault) Delete(ctx context.Context, account string) error {
	if err := checkAccount(account); err != nil {
		return err
	}
	return rls.InTenant(ctx, v.db, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `DELETE FROM oauth_tokens WHERE account = $1`, account)
		return pg.MapError(err)
	})
}

// A Rotation reports what [Vault.Rotate] or [Vault.RotateAll] did.
type Rotation struct {
	// Resealed counts the tokens re-sealed under the active key (committed).
	Resealed int
	// Skipped lists the tokens that could not be opened — sealed with a key that is
	// no longer in the keyring, or damaged — and were left as they are. Only their
	// ids: never their contents.
	Skipped []TokenID
}

// A TokenID names one stored token: its tenant and account.
type TokenID struct {
	TenantID string
	Account  string
}

// defaultRotateBatch is how many rows one rotation transaction locks and re-seals.
const defaultRotateBatch = 100

// Rotate re-seals every token of ctx's tenant that is not sealed with the active key.
// It works in batches of rows, each locked and re-sealed in a transaction of its own,
// so what it re-sealed stays re-sealed whatever happens later. A token that cannot be
// opened (its key is not in the keyring, or it is damaged) is skipped, listed in
// [Rotation.Skipped], and the rotation goes on; the error is then FailedPrecondition
// VAULT_ROTATION_INCOMPLETE with the number skipped (metadata "skipped"), so keep the
// old keys until it is nil. Any other error (the database) stops the rotation; the
// Rotation still reports the batches committed before it.
func (v *Vault) Rotate(ctx context.Context) (Rotation, error) {
	return v.rotateAll(ctx, func(fn func(pgx.Tx) error) error {
		return rls.InTenant(ctx, v.db, fn)
	})
}

// RotateAll is [Vault.Rotate] across every tenant, through sys (a pool connected as
// rls.SystemRole); each batch's transaction is logged by sys with its reason.
func (v *Vault) RotateAll(ctx context.Context, sys *rls.System) (Rotation, error) {
	reason := "vault key rotation to " + v.keys.Active()
	return v.rotateAll(ctx, func(fn func(pgx.Tx) error) error {
		return sys.Do(ctx, reason, fn)
	})
}

// rotateAll runs batches through inTx, each after the last row of the one before, until
// a batch comes back short.
func (v *Vault) rotateAll(ctx context.Context, inTx func(func(pgx.Tx) error) error) (Rotation, error) {
	var r Rotation
	var after *TokenID
	for {
		var b batchResult
		err := inTx(func(tx pgx.Tx) error {
			var err error
			b, err = v.rotateBatch(ctx, tx, after)
			return err
		})
		if err != nil {
			return r, err
		}
		r.Resealed += b.resealed
		r.Skipped = append(r.Skipped, b.skipped...)
		if b.rows < v.batch {
			break
		}
		after = &b.last
	}
	if len(r.Skipped) > 0 {
		return r, errs.FailedPrecondition("VAULT_ROTATION_INCOMPLETE",
			"vault: some tokens could not be opened with the keyring and were not re-sealed",
			errs.WithDomain(errDomain), errs.WithMetadata("skipped", strconv.Itoa(len(r.Skipped))))
	}
	return r, nil
}

type batchResult struct {
	rows, resealed int
	skipped        []TokenID
	last           TokenID
}

// rotateBatch locks and re-seals up to v.batch rows not under the active key,
// after the row after (nil: from the start), in key order.
func (v *Vault) rotateBatch(ctx context.Context, tx pgx.Tx, after *TokenID) (batchResult, error) {
	q := `SELECT tenant_id::text, account, key_id, ciphertext FROM oauth_tokens WHERE key_id <> $1`
	args := []any{v.keys.Active()}
	if after != nil {
		q += ` AND (tenant_id, account) > ($2::uuid, $3)`
		args = append(args, after.TenantID, after.Account)
	}
	q += ` ORDER BY tenant_id, account LIMIT ` + strconv.Itoa(v.batch) + ` FOR UPDATE`
	rows, err := tx.Query(ctx, q, args...)
	if err != nil {
		return batchResult{}, pg.MapError(err)
	}
	type row struct {
		id     TokenID
		keyID  string
		sealed []byte
	}
	var todo []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.id.TenantID, &r.id.Account, &r.keyID, &r.sealed); err != nil {
			rows.Close()
			return batchResult{}, pg.MapError(err)
		}
		todo = append(todo, r)
	}
	if err := rows.Err(); err != nil {
		return batchResult{}, pg.MapError(err)
	}
	b := batchResult{rows: len(todo)}
	if len(todo) > 0 {
		b.last = todo[len(todo)-1].id
	}
	for _, r := range todo {
		t, err := v.open(r.id.TenantID, r.id.Account, r.keyID, r.sealed)
		if err != nil {
			b.skipped = append(b.skipped, r.id)
			continue
		}
		keyID, sealed, err := v.seal(r.id.TenantID, r.id.Account, t)
		if err != nil {
			return batchResult{}, err
		}
		if _, err := tx.Exec(ctx, `
			UPDATE oauth_tokens SET key_id = $3, ciphertext = $4, update_time = now()
			WHERE tenant_id = $1::uuid AND account = $2`, r.id.TenantID, r.id.Account, keyID, sealed); err != nil {
			return batchResult{}, pg.MapError(err)
		}
		b.resealed++
	}
	return b, nil
}

// now is the token source's clock.
var now = time.Now
