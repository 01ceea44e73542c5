package pg

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/footingdev/footing/contracts/errs"
)

// New opens a pool from c. It checks c first ([Config.Validate]) and does not wait for a
// connection: call [Health] to find out whether the database answers.
func New(ctx context.Context, c Config) (*pgxpool.Pool, error) {
	pc, err := c.PoolConfig()
	if err != nil {
		return nil, err
	}
	return NewFromPoolConfig(ctx, pc)
}

// NewFromPoolConfig opens a pool from a pgxpool configuration.
func NewFromPoolConfig(ctx context.Context, pc *pgxpool.Config) (*pgxpool.Pool, error) {
	pool, err := pgxpool.NewWithConfig(ctx, pc)
	if err != nil {
		return nil, errs.Unavailable("DB_UNAVAILABLE", "cannot open the database pool")
	}
	return pool, nil
}

// A Pinger is what [Health] checks; [*pgxpool.Pool] is one.
type Pinger interface {
	Ping(ctx context.Context) error
}

// Health reports whether the database answers: nil, or an Unavailable error. It is meant
// for readiness probes; bound ctx with a deadline.
func Health(ctx context.Context, db Pinger) error {
	if err := db.Ping(ctx); err != nil {
		return errs.Unavailable("DB_UNAVAILABLE", "database does not answer", errs.WithMetadata("cause", pingCause(err)))
	}
	return nil
}

// pingCause says what kind of failure a ping hit without echoing a connection string.
func pingCause(err error) string {
	switch {
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return "timeout"
	default:
		return fmt.Sprintf("%T", err)
	}
}
