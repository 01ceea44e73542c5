// Package adr is the reference service's domain: Architecture Decision Records kept
// per tenant. It implements footing.examples.adr.v1.ADRService on footing's parts:
// every query runs in a storage/rls tenant transaction, writes enqueue a River job
// in the same transaction (the tenant travels with it), reads are cached per
// tenant and invalidated on write, a feature flag gates one rule, and WatchADRs
// streams the caller's tenant's changes from any instance through Postgres
// LISTEN/NOTIFY.
//
// Its migrations (Migrations) run after footing's own, in one storage/migrate Up.
package adr

import (
	"embed"
	"io/fs"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Migrations returns the service's goose migrations, for storage/migrate's
// Config.Migrations.
func Migrations() fs.FS {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		panic(err) // The embedded folder is always there.
	}
	return sub
}
