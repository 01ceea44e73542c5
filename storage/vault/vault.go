package vault

import (
	"context"
	"encoding/json"
	"errors"
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
}

// A DB starts transactions and sends batches: *pgxpool.Pool is one.
type DB interface {
	rls.Beginner
	rls.BatchSender
}

// New returns a Vault over db (the application's pool) sealing with keys.
func New(db DB, keys *Keyring) *Vault {
	return &Vault{db: db, keys: keys}
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
	if err := checkAccount(account); err != nil {
		return Token{}, err
	}
	// One round trip: the tenant scope and the read go in one pipelined batch.
	var tenant, keyID string
	var sealed []byte
	found := false
	var b pgx.Batch
	b.Queue(`SELECT tenant_id::text, key_id, ciphertext FROM oauth_tokens WHERE account = $1`, account).
		QueryRow(func(row pgx.Row) error {
			err := row.Scan(&tenant, &keyID, &sealed)
			if errors.Is(err, pgx.ErrNoRows) {
				return nil
			}
			found = err == nil
			return err
		})
	if err := rls.InTenantBatch(ctx, v.db, &b); err != nil {
		return Token{}, err
	}
	if !found {
		return Token{}, errNotFound()
	}
	return v.open(tenant, account, keyID, sealed)
}

func errNotFound() error {
	return errs.NotFound("VAULT_TOKEN_NOT_FOUND", "vault: no token for this account", errs.WithDomain(errDomain))
}

// get reads and opens account's token; lock is "" or a locking clause.
func (v *Vault) get(ctx context.Context, tx pgx.Tx, account, lock string) (Token, error) {
	var tenant, keyID string
	var sealed []byte
	err := tx.QueryRow(ctx, `SELECT tenant_id::text, key_id, ciphertext FROM oauth_tokens WHERE account = $1 `+lock,
		account).Scan(&tenant, &keyID, &sealed)
	if errors.Is(err, pgx.ErrNoRows) {
		return Token{}, errNotFound()
	}
	if err != nil {
		return Token{}, pg.MapError(err)
	}
	return v.open(tenant, account, keyID, sealed)
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

// Rotate re-seals every token of ctx's tenant that is not sealed with the active key,
// in one transaction, and returns how many it re-sealed. The keys that sealed them
// must still be in the keyring.
func (v *Vault) Rotate(ctx context.Context) (int, error) {
	var n int
	err := rls.InTenant(ctx, v.db, func(tx pgx.Tx) error {
		var err error
		n, err = v.rotate(ctx, tx)
		return err
	})
	return n, err
}

// RotateAll is [Vault.Rotate] across every tenant, through sys (a pool connected as
// rls.SystemRole); the transaction is logged by sys with its reason.
func (v *Vault) RotateAll(ctx context.Context, sys *rls.System) (int, error) {
	var n int
	err := sys.Do(ctx, "vault key rotation to "+v.keys.Active(), func(tx pgx.Tx) error {
		var err error
		n, err = v.rotate(ctx, tx)
		return err
	})
	return n, err
}

func (v *Vault) rotate(ctx context.Context, tx pgx.Tx) (int, error) {
	rows, err := tx.Query(ctx, `
		SELECT tenant_id::text, account, key_id, ciphertext FROM oauth_tokens
		WHERE key_id <> $1 FOR UPDATE`, v.keys.Active())
	if err != nil {
		return 0, pg.MapError(err)
	}
	type row struct {
		tenant, account, keyID string
		sealed                 []byte
	}
	var todo []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.tenant, &r.account, &r.keyID, &r.sealed); err != nil {
			rows.Close()
			return 0, pg.MapError(err)
		}
		todo = append(todo, r)
	}
	if err := rows.Err(); err != nil {
		return 0, pg.MapError(err)
	}
	for _, r := range todo {
		t, err := v.open(r.tenant, r.account, r.keyID, r.sealed)
		if err != nil {
			return 0, err
		}
		keyID, sealed, err := v.seal(r.tenant, r.account, t)
		if err != nil {
			return 0, err
		}
		if _, err := tx.Exec(ctx, `
			UPDATE oauth_tokens SET key_id = $3, ciphertext = $4, update_time = now()
			WHERE tenant_id = $1::uuid AND account = $2`, r.tenant, r.account, keyID, sealed); err != nil {
			return 0, pg.MapError(err)
		}
	}
	return len(todo), nil
}

// now is the token source's clock.
var now = time.Now
