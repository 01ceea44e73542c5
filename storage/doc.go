// Package storage is footing's Postgres, jobs and cache layer: a pgx pool with per-tenant
// row-level security, migrations, repositories, River jobs that carry the tenant, a Redis cache,
// an encrypted token vault and feature flags.
package storage
