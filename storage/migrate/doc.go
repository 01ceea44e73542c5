// Package migrate applies footing's migrations, the application's own and River's in one
// [Migrator.Up], with goose (provider API, a Postgres advisory lock) and rivermigrate.
//
// footing's migrations (embedded, see [FS]) own versions 1 to [MaxFootingVersion]: roles,
// grants, the row-level security helpers and the tenancy tables (organizations, users,
// memberships), then the tables of the storage packages. The application passes its goose SQL
// migrations as an [fs.FS] (usually an embed.FS through fs.Sub) with versions above
// MaxFootingVersion (timestamps are fine); both sets are ordered into one goose history.
//
// Run migrations as [rls.OwnerRole] (or a superuser), never as the application role. When the
// database has a goose version newer than any this code knows, Up refuses with
// FailedPrecondition (MIGRATIONS_AHEAD) instead of running older code against a newer schema.
// It also keeps the SHA-256 of every applied goose file in [ChecksumTable] and refuses, with
// FailedPrecondition [ReasonMigrationChanged], to run while an applied file differs from
// what ran: goose compares versions only, so an edit to an applied file would never run.
package migrate
