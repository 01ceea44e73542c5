package cache_test

import (
	"context"
	"testing"

	"github.com/redis/go-redis/v9"
	"go.uber.org/goleak"
)

type quietLogger struct{}

func (quietLogger) Printf(context.Context, string, ...any) {}

func TestMain(m *testing.M) {
	// go-redis logs every failed dial; the tests cut Redis on purpose.
	redis.SetLogger(quietLogger{})
	goleak.VerifyTestMain(m,
		// After failed dials go-redis probes the address once a second and notices
		// the pool's Close only on its next wake-up.
		goleak.IgnoreAnyFunction("github.com/redis/go-redis/v9/internal/pool.(*ConnPool).tryDial"))
}
