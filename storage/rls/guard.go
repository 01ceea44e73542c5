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
	// CauseSystem: the role is [SystemRole] or has its privileges (a member of it, with
	// INHERIT), so the footing_system_access policy shows it every tenant's rows.
	CauseSystem = "system"
	// CauseView: the role can read views (or materialized views) over RLS tables whose
	// owner RLS does not bind, so they show every tenant's rows.
	CauseView = "view"
	// CausePartition: the role can read partitions, not under RLS, of RLS tables: a
	// partition named in a query is checked against its own policies, not its parent's.
	CausePartition = "partition"
)

// maxListedTables bounds how many table names a [CheckRole] error spells out.
const maxListedTables = 5

// maxViewDepth bounds how deep [CheckRole] follows views over views.
const maxViewDepth = "64"

// A Querier runs a query that returns at most one row: [*pgxpool.Pool], [*pgx.Conn] and
// [pgx.Tx] are Queriers.
type Querier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// checkRoleSQL asks, in one round trip, whether row-level security binds current_user.
// Ownership is what Postgres itself checks (has_privs_of_role, which pg_has_role's USAGE
// is): owning a table directly or through an inherited role membership.
//
// A policy applies to the roles it names and to every role that has their privileges, so
// footing_system and every member of it get footing_system_access: every tenant's rows.
//
// A view reads its tables with its owner's rights (unless security_invoker), and a
// materialized view holds what its owner's query saw: over an RLS table, an owner that
// RLS does not bind (a superuser, BYPASSRLS, the owner of a table not FORCE'd) shows every
// tenant's rows to whoever may read the view — also through other views: a view reads the
// views it names with its owner's rights (a security_invoker one with the query's user's,
// wherever it is named), so every view a readable view reaches, however deep, is checked
// (up to maxViewDepth levels), and the readable view is the one named.
const checkRoleSQL = `SELECT r.rolname, r.rolsuper, r.rolbypassrls, t.n, coalesce(t.names, '{}'), w.n, coalesce(w.names, '{}'),
	pt.n, coalesce(pt.names, '{}'),
	EXISTS (SELECT 1 FROM pg_roles s WHERE s.rolname = '` + SystemRole + `' AND pg_has_role(r.oid, s.oid, 'USAGE'))
FROM pg_roles r,
LATERAL (
	SELECT count(*) AS n, (array_agg(c.oid::regclass::text ORDER BY c.oid::regclass::text))[1:$1] AS names
	FROM pg_class c
	WHERE c.relkind IN ('r', 'p')
	  AND c.relrowsecurity
	  AND NOT c.relforcerowsecurity
	  AND pg_has_role(r.oid, c.relowner, 'USAGE')
) t,
LATERAL (
	WITH RECURSIVE reach(top, rel, depth) AS (
		SELECT v.oid, v.oid, 0 FROM pg_class v
		WHERE v.relkind IN ('v', 'm') AND has_table_privilege(r.oid, v.oid, 'SELECT')
	UNION
		SELECT reach.top, iv.oid, reach.depth + 1
		FROM reach
		JOIN pg_rewrite rw ON rw.ev_class = reach.rel
		JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass AND d.objid = rw.oid AND d.refclassid = 'pg_class'::regclass
		JOIN pg_class iv ON iv.oid = d.refobjid
		WHERE iv.oid <> reach.rel AND iv.relkind IN ('v', 'm') AND reach.depth < ` + maxViewDepth + `
	)
	SELECT count(*) AS n, (array_agg(x.name ORDER BY x.name))[1:$1] AS names
	FROM (
		SELECT DISTINCT reach.top::regclass::text AS name
		FROM reach JOIN pg_class v ON v.oid = reach.rel JOIN pg_roles o ON o.oid = v.relowner
		WHERE NOT EXISTS (SELECT 1 FROM unnest(v.reloptions) opt WHERE opt ~* '^security_invoker=(true|on|yes|1)$')
		  AND EXISTS (
			SELECT 1 FROM pg_rewrite rw
			JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass AND d.objid = rw.oid AND d.refclassid = 'pg_class'::regclass
			JOIN pg_class tb ON tb.oid = d.refobjid
			WHERE rw.ev_class = v.oid AND tb.oid <> v.oid AND tb.relrowsecurity
			  AND (o.rolsuper OR o.rolbypassrls OR (pg_has_role(o.oid, tb.relowner, 'USAGE') AND NOT tb.relforcerowsecurity))
		  )
	) x
) w,
LATERAL (
	SELECT count(*) AS n, (array_agg(p.oid::regclass::text ORDER BY p.oid::regclass::text))[1:$1] AS names
	FROM pg_class p
	WHERE p.relispartition AND NOT p.relrowsecurity
	  AND has_table_privilege(r.oid, p.oid, 'SELECT')
	  AND EXISTS (SELECT 1 FROM pg_partition_ancestors(p.oid) a JOIN pg_class pc ON pc.oid = a.relid WHERE pc.relrowsecurity)
) pt
WHERE r.rolname = current_user`

// CheckRole reports whether Postgres row-level security applies to the role db is logged in
// as (current_user). Call it once when a service opens the pool it serves tenants from, and
// refuse to start on an error: Postgres silently skips RLS for a superuser, for a role with
// BYPASSRLS, and for the owner of a table that is not FORCE'd under RLS, so a DATABASE_URL
// that names such a role would serve every tenant's rows to every tenant, and no query would
// fail to say so.
//
// It returns nil when RLS binds the role: not a superuser, NOBYPASSRLS, owning (directly
// or through an inherited role membership) no table in the current database that has RLS
// enabled but not forced, and neither [SystemRole] nor inheriting it (whose footing_system_access
// policy, on every table footing_enable_tenant_rls set up, shows every tenant's rows), and
// unable to read any view or materialized view over an RLS table that its owner reads
// without RLS (a superuser, BYPASSRLS, or the owner of a table not FORCE'd; a
// security_invoker view reads with the reader's rights and passes), also through the
// views it names, however deep (each read with its own owner's rights), nor any partition of
// an RLS table that is not under RLS itself (Postgres checks a partition named in a query
// against its own policies).
// [SystemRole] itself is refused too: it is the role of rls.System's pool, which must
// never serve tenants, so call CheckRole on the tenants' pool, not on System's. Tables
// without RLS enabled at all are not checked: as far as
// CheckRole knows they are not tenant tables (footing_enable_tenant_rls enables and forces
// RLS together).
//
// Otherwise it returns FailedPrecondition [ReasonRLSBypassed], with a message naming the role
// and why: a superuser, BYPASSRLS, the tables it owns without FORCE ROW LEVEL SECURITY
// (the first five, then how many more), membership of [SystemRole], or the views that
// show every tenant's rows or the partitions without RLS (the first five of each), and the
// metadata "role" and "cause" (a comma-separated list of [CauseSuperuser],
// [CauseBypassRLS], [CauseOwner], [CauseSystem], [CauseView], [CausePartition]). The error never
// holds a connection string. A failure of the query itself comes back mapped by
// [pg.MapError] (Unavailable, Internal keeping the cause, ...) and wrapped, never with
// reason [ReasonRLSBypassed].
func CheckRole(ctx context.Context, db Querier) error {
	var (
		role                  string
		super, bypass, system bool
		ownedN, viewN, partN  int64
		owned, views, parts   []string
	)
	if err := db.QueryRow(ctx, checkRoleSQL, maxListedTables).Scan(&role, &super, &bypass, &ownedN, &owned, &viewN, &views, &partN, &parts, &system); err != nil {
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
		why = append(why, "it owns tables without FORCE ROW LEVEL SECURITY: "+listed(owned, ownedN))
	}
	if system && !super {
		causes = append(causes, CauseSystem)
		if role == SystemRole {
			why = append(why, "it is "+SystemRole+", rls.System's role, whose policy shows every tenant's rows (log the tenants' pool in as "+AppRole+")")
		} else {
			why = append(why, "it has the privileges of "+SystemRole+", whose policy shows every tenant's rows")
		}
	}
	if viewN > 0 && !super {
		causes = append(causes, CauseView)
		why = append(why, "it can read views over RLS tables whose owner RLS does not bind, which show every tenant's rows (make them security_invoker, or owned by "+
			OwnerRole+"): "+listed(views, viewN))
	}
	if partN > 0 && !super {
		causes = append(causes, CausePartition)
		why = append(why, "it can read partitions of RLS tables that are not under RLS themselves (run footing_enable_tenant_rls on the parent again): "+
			listed(parts, partN))
	}
	if len(causes) == 0 {
		return nil
	}
	return errs.FailedPrecondition(ReasonRLSBypassed,
		fmt.Sprintf("row-level security does not apply to database role %q: %s", role, strings.Join(why, "; ")),
		errs.WithDomain(pg.Domain),
		errs.WithMetadata("role", role, "cause", strings.Join(causes, ",")))
}

// listed names the first of n things, then how many more.
func listed(names []string, n int64) string {
	list := strings.Join(names, ", ")
	if more := n - int64(len(names)); more > 0 {
		list += fmt.Sprintf(" and %d more", more)
	}
	return list
}
