package flags

import (
	"context"
	"encoding/json"

	"github.com/jackc/pgx/v5"

	"github.com/footingdev/footing/contracts/errs"
	"github.com/footingdev/footing/storage/pg"
	"github.com/footingdev/footing/storage/rls"
)

// maxUserIDLen matches the table's check constraint.
const maxUserIDLen = 256

// SetTenantOverride sets flag to value (any JSON-encodable value) for ctx's tenant.
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
// tenant-wide one). Removing a missing override is not an error.
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
	return p.raw.InvalidateTags(ctx, cacheTag(flag))
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
	return p.raw.InvalidateTags(ctx, cacheTag(flag))
}
