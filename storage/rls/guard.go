package rls

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/footingdev/footing/contracts/errs"
	"github.com/footingdev/footing/storage/pg"
)

// ReasonRLSBypassed is the ErrorInfo reason of the error [CheckRole] returns when row-level
// security does not apply to the role it asked about.
const ReasonRLSBypassed = "RLS_BYPASSED"

// Causes [CheckRole] names in the "cause" metadata of its error, comma-separated.
const (
	CauseSuperuser = "superuser"
	CauseBypassRLS = "bypassrls"
	CauseOwner     = "owner"
)

// maxListedTables bounds how many table names a [CheckRole] error spells out.
const maxListedTables = 5

// A Querier runs a query that returns at most one row: [*pgxpool.Pool], [*pgx.Conn] and
// [pgx.Tx] are Queriers.
type Querier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// checkRoleSQL asks, in one round trip, whether row-level security binds current_user.
// Ownership is what Postgres itself checks (has_privs_of_role, which pg_has_role's USAGE
// is): owning a table directly or through an inherited role membership.
const checkRoleSQL = `SELECT r.rolname, r.rolsuper, r.rolbypassrls, t.n, coalesce(t.names, '{}')
FROM pg_roles r,
LATERAL (
	SELECT count(*) AS n, (array_agg(c.oid::regclass::text ORDER BY c.oid::regclass::text))[1:$1] AS names
	FROM pg_class c
	WHERE c.relkind IN ('r', 'p')
	  AND c.relrowsecurity
	  AND NOT c.relforcerowsecurity
	  AND pg_has_role(r.oid, c.relowner, 'USAGE')
) t
WHERE r.rolname = current_user`

// CheckRole reports whether Postgres row-level security applies to the role db is logged in
// as (current_user). Call it once when a service opens the pool it serves tenants from, and
// refuse to start on an error: Postgres silently skips RLS for a superuser, for a role with
// BYPASSRLS, and for the owner of a table that is not FORCE'd under RLS, so a DATABASE_URL
// that names such a role would serve every tenant's rows to every tenant, and no query would
// fail to say so.
//
// It returns nil when RLS binds the role: not a superuser, NOBYPASSRLS, and owning (directly
// or through an inherited role membership) no table in the current database that has RLS
// enabled but not forced. Tables without RLS enabled at all are not checked: as far as
// CheckRole knows they are not tenant tables (footing_enable_tenant_rls enables and forces
// RLS together).
//
// Otherwise it returns FailedPrecondition [ReasonRLSBypassed], with a message naming the role
// and why: a superuser, BYPASSRLS, or the tables it owns without FORCE ROW LEVEL SECURITY
// (the first five, then how many more), and the metadata "role" and "cause" (a
// comma-separated list of [CauseSuperuser], [CauseBypassRLS], [CauseOwner]). The error never
// holds a connection string. A failure of the query itself comes back mapped by
// [pg.MapError] (Unavailable, Internal keeping the cause, ...) and wrapped, never with
// reason [ReasonRLSBypassed].
func CheckRole(ctx context.Context, db Querier) error {
	var (
		role          string
		super, bypass bool
		ownedN        int64
		owned         []string
	)
	if err := db.QueryRow(ctx, checkRoleSQL, maxListedTables).Scan(&role, &super, &bypass, &ownedN, &owned); err != nil {
		return fmt.Errorf("rls: checking the database role: %w", pg.MapError(err))
	}
	var causes, why []string
	switch {
	case super:
		// A superuser bypasses RLS whatever else holds (initdb's superuser also has
		// BYPASSRLS, and it counts as the owner of every table): say that alone.
		causes, why = append(causes, CauseSuperuser), append(why, "it is a superuser")
	case bypass:
		causes, why = append(causes, CauseBypassRLS), append(why, "it has BYPASSRLS")
	}
	if ownedN > 0 && !super {
		causes = append(causes, CauseOwner)
		list := strings.Join(owned, ", ")
		if more := ownedN - int64(len(owned)); more > 0 {
			list += fmt.Sprintf(" and %d more", more)
		}
		why = append(why, "it owns tables without FORCE ROW LEVEL SECURITY: "+list)
	}
	if len(causes) == 0 {
		return nil
	}
	return errs.FailedPrecondition(ReasonRLSBypassed,
		fmt.Sprintf("row-level security does not apply to database role %q: %s", role, strings.Join(why, "; ")),
		errs.WithDomain(pg.Domain),
		errs.WithMetadata("role", role, "cause", strings.Join(causes, ",")))
}
