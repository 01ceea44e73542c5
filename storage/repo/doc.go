// Package repo gives tenant-scoped CRUD over simple tables with pgx v5 and no ORM: rows scan
// into structs with [pgx.RowToStructByName] (db tags), List pages with keyset pagination and
// opaque, tamper-evident page tokens (contracts' PageRequest/PageResponse), filtered by
// equality ([Eq]) and array containment ([Contains]); Update and DeleteVersion check a
// version column (optimistic concurrency), and Postgres errors come back in the
// contracts/errs model ([pg.MapError]).
//
// A [Table] runs its statements on any [DBTX] — usually the pgx.Tx of rls.InTenant, next to
// sqlc-generated queries taking the same DBTX — and never sets the tenant itself: the table's
// RLS policy does the filtering, and tenant_id is written as footing_current_tenant(). A
// [Repo] is a Table bound to a pool, running each call in its own tenant transaction (Get in a
// single round trip).
package repo
