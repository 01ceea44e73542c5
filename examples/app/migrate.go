package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/footingdev/footing/examples/adr"
	"github.com/footingdev/footing/storage/migrate"
	"github.com/footingdev/footing/storage/pg"
)

// Migrate applies footing's, River's and the ADR service's migrations to the
// database at url, which must connect as the owner role (or a superuser).
func Migrate(ctx context.Context, url string, logger *slog.Logger) error {
	pool, err := pg.New(ctx, pg.Config{URL: url, MaxConns: 2, DisableTracing: true})
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	defer pool.Close()
	m, err := migrate.New(pool, migrate.Config{Migrations: adr.Migrations(), Logger: logger})
	if err != nil {
		return err
	}
	upErr := m.Up(ctx)
	return errors.Join(upErr, m.Close())
}
