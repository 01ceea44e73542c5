package rls

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/footingdev/footing/storage/pg"
)

// A BatchSender sends a [pgx.Batch]: [*pgxpool.Pool], [*pgx.Conn] and [pgx.Tx] are.
type BatchSender interface {
	SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults
}

// InTenantBatch sends b in one round trip, scoped to the tenant of the Principal in ctx, and
// runs the queued queries' callbacks ([pgx.QueuedQuery.QueryRow] and friends). It queues the
// set_config of app.tenant_id and app.user_id before b's queries: Postgres runs a pipelined
// batch as one implicit transaction, so the settings hold for exactly these queries, which
// commit or fail together in Postgres, and if setting the scope fails none of them runs. b
// must not hold transaction control statements (BEGIN, COMMIT).
//
// On a [pgx.Tx] the batch runs inside that transaction instead: the settings then hold
// for the rest of it (its later queries run as this tenant and user too), and b's writes
// commit or roll back with it.
//
// The callbacks run as the results come back, after the whole batch and its Sync were
// sent: an error a callback returns is returned (a plain error as Internal, through
// [pg.MapError]) but does not undo the batch's writes, which Postgres has committed. When
// Go must check a result before the transaction commits, use [InTenant].
//
// It is the fast path for a few statements that need no Go logic between them; errors are
// as for [InTenant], mapped by [pg.MapError] when they come from Postgres.
func InTenantBatch(ctx context.Context, db BatchSender, b *pgx.Batch) error {
	scope, err := ScopeFrom(ctx)
	if err != nil {
		return err
	}
	scoped := &pgx.Batch{QueuedQueries: make([]*pgx.QueuedQuery, 0, len(b.QueuedQueries)+1)}
	scoped.Queue("SELECT set_config('"+TenantSetting+"', $1, true), set_config('"+UserSetting+"', $2, true)", scope.TenantID, scope.UserID)
	scoped.QueuedQueries = append(scoped.QueuedQueries, b.QueuedQueries...)
	if err := db.SendBatch(ctx, scoped).Close(); err != nil {
		return pg.MapError(err)
	}
	return nil
}
