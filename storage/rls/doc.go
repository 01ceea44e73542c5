// Package rls runs tenant-scoped transactions under Postgres row-level security.
//
// [InTenant] reads the tenant and user from the [commonv1.Principal] in the context
// (contracts/identity), and in one round trip begins a transaction and sets app.tenant_id and
// app.user_id with set_config(..., true), so that they vanish at commit or rollback and never
// stay on a pooled connection. Tables put under RLS by the SQL helper
// footing_enable_tenant_rls (created by storage/migrate's first migration) then show and
// accept only that tenant's rows; a transaction without a tenant sees none and can write none.
// Without a Principal, InTenant returns an error and runs no query at all.
//
// Work that must cross tenants goes through [System], on a pool that logs in as [SystemRole]:
// a separate role, never the default, and every use is logged with its reason.
//
// # Roles
//
// The first migration creates three roles (NOLOGIN unless they already exist; give them LOGIN
// and passwords yourself):
//
//   - [OwnerRole] owns the tables and runs migrations. Tables are FORCE'd under RLS, so even
//     the owner sees only the current tenant's rows.
//   - [AppRole] is what the service logs in as: not the owner, NOBYPASSRLS, DML only. It cannot
//     ALTER a table, so it cannot turn RLS off, and with row_security=off its queries fail.
//   - [SystemRole] is for [System]: a policy on every RLS table lets it see all rows.
//
// # Checking the role at start-up
//
// Postgres applies no policy at all to a superuser, to a role with BYPASSRLS, or to a
// table's owner unless the table is FORCE'd under RLS, and it says nothing: a service whose
// DATABASE_URL names such a role serves every tenant's rows to every tenant. [CheckRole]
// asks the database, in one query, whether RLS binds the pool's role, and returns
// FailedPrecondition [ReasonRLSBypassed] naming the role and why when it does not. Call it
// where the service opens its tenant pool and refuse to start on an error.
//
// # Behind a transaction pooler (PgBouncer)
//
// The tenant scope is safe on a transaction-mode pooler, where consecutive transactions of
// one client run on different server connections and one server connection serves many
// clients: InTenant's settings are transaction-local and its BEGIN, queries and COMMIT stay
// on one server connection; InTenantBatch's queries are one implicit transaction ending at
// the batch's single Sync. Never set app.tenant_id at session level (SET, or set_config with
// false): on a pooler it stays on the server connection for whichever client comes next.
// pgx's default query mode prepares named statements, which a pooler before PgBouncer 1.21
// (or without max_prepared_statements) breaks (42P05 "already exists"): add
// default_query_exec_mode=exec (or cache_describe) to DATABASE_URL. Migrations (session
// advisory locks) and River's LISTEN need a session: migrate on a direct connection, and
// run River with PollOnly (jobs.Config.River). The storage README has the details.
//
// RLS here guards against mistakes in the service's code (a forgotten WHERE tenant_id = ...);
// it does not stop an attacker who can run arbitrary SQL as the app role, since any session may
// call set_config itself.
package rls
