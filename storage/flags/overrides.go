package flags

import (
	"context"
	"encoding/json"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/footingdev/footing/contracts/errs"
	"github.com/footingdev/footing/contracts/identity"
	"github.com/footingdev/footing/storage/pg"
	"github.com/footingdev/footing/storage/rls"
)

// maxUserIDLen matches the table's check constraint.
const maxUserIDLen = 256

// SetTenantOverride sets flag to value (any JSON-encodable value) for ctx's tenant.
//
// An error means the override was not written. Once the write has committed, the
// flag's cached entries are invalidated; if the cache refuses that invalidation even
// after three tries, the write still succeeds (it is durable, and a
// client retrying it would only repeat it): the failure is logged at Warn (tenant and
// flag, never the value) and the stale entries live at most until their cache TTL
// ([WithCacheTTL], default 30s) runs out.
func (p *Provider) SetTenantOverride(ctx context.Context, flag string, value any) error {
	return p.set(ctx, flag, "", value)
}

// SetUserOverride sets flag to value for one user of ctx's tenant.
func (p *Provider) SetUserOverride(ctx context.Context, flag, userID string, value any) error {
	if userID == "" || len(userID) > maxUserIDLen {
		return errs.InvalidArgument("FLAG_USER_INVALID", "flags: user id must be 1 to 256 bytes", errs.WithDomain(errDomain))
	}
	return p.set(ctx, flag, userID, value)
}

// DeleteOverride removes the override of flag for userID in ctx's tenant ("" for the
// tenant-wide one). Removing a missing override is not an error. Like the setters, it
// reports the outcome of the write: see [Provider.SetTenantOverride] for what happens
// when the cache cannot be invalidated afterwards.
func (p *Provider) DeleteOverride(ctx context.Context, flag, userID string) error {
	if err := checkFlag(flag); err != nil {
		return err
	}
	err := rls.InTenant(ctx, p.db, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `DELETE FROM feature_flag_overrides WHERE flag = $1 AND user_id = $2`, flag, userID)
		return pg.MapError(err)
	})
	if err != nil {
		return err
	}
	p.invalidate(ctx, flag)
	return nil
}

func (p *Provider) set(ctx context.Context, flag, userID string, value any) error {
	if err := checkFlag(flag); err != nil {
		return err
	}
	raw, err := json.Marshal(value)
	if err != nil {
		return errs.InvalidArgument("FLAG_VALUE_INVALID", "flags: value is not JSON-encodable", errs.WithDomain(errDomain))
	}
	err = rls.InTenant(ctx, p.db, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `
			INSERT INTO feature_flag_overrides (tenant_id, flag, user_id, value)
			VALUES (current_setting('app.tenant_id')::uuid, $1, $2, $3)
			ON CONFLICT (tenant_id, flag, user_id) DO UPDATE SET value = EXCLUDED.value, update_time = now()`,
			flag, userID, raw)
		return pg.MapError(err)
	})
	if err != nil {
		return err
	}
	// Invalidate after the commit. A load that read the old row before the commit
	// loses its lease here (storage/cache), so it does not store the old row after.
	p.invalidate(ctx, flag)
	return nil
}

// invalidateAttempts is how many times a write tries to invalidate the flag's cached
// entries after it committed; invalidateBackoff is the pause before the second try,
// doubled before each later one.
const (
	invalidateAttempts = 3
	invalidateBackoff  = 20 * time.Millisecond
)

// invalidate drops flag's cached entries in ctx's tenant after a committed write. The
// write has happened whatever this does, so a failure is not returned: it is retried
// a few times (even if the caller has gone: the stale entry would outlive it), then
// logged, and the entries expire with their TTL. The log names the tenant and flag only.
func (p *Provider) invalidate(ctx context.Context, flag string) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), invalidateTimeout)
	defer cancel()
	var err error
	wait := invalidateBackoff
	for i := range invalidateAttempts {
		if i > 0 {
			t := time.NewTimer(wait)
			select {
			case <-t.C:
			case <-ctx.Done():
				t.Stop()
			}
			wait *= 2
		}
		if err = p.raw.InvalidateTags(ctx, cacheTag(ctx, flag)); err == nil {
			return
		}
		if ctx.Err() != nil {
			break
		}
	}
	tenant, _ := identity.TenantID(ctx)
	p.logger.WarnContext(ctx, "flags: override written, but its cached entries could not be invalidated; they expire with the cache TTL",
		"tenant_id", tenant, "flag", flag, "ttl", p.ttl, "attempts", invalidateAttempts, "error", err)
}

// invalidateTimeout bounds all of one write's invalidation attempts together.
const invalidateTimeout = 5 * time.Second
