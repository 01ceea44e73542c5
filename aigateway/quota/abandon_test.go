package quota_test

import (
	"context"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/footingdev/footing/contracts/errs"
	commonv1 "github.com/footingdev/footing/contracts/gen/go/footing/common/v1"

	"github.com/footingdev/footing/aigateway/quota"
)

// heldReplies runs each script on Redis at once but holds its reply until release
// is closed: a reply still on its way when the caller gives up. As a Scripter of
// its own (not a *redis.Client), the store waits for it on a goroutine, as it does
// for a *redis.ClusterClient or *redis.Ring without ContextTimeoutEnabled.
type heldReplies struct {
	*redis.Client
	sent    chan struct{}
	release chan struct{}
}

func (h *heldReplies) hold(cmd *redis.Cmd) *redis.Cmd {
	h.sent <- struct{}{}
	<-h.release
	return cmd
}

func (h *heldReplies) EvalSha(_ context.Context, sha1 string, keys []string, args ...any) *redis.Cmd {
	return h.hold(h.Client.EvalSha(context.Background(), sha1, keys, args...))
}

func (h *heldReplies) Eval(_ context.Context, script string, keys []string, args ...any) *redis.Cmd {
	return h.hold(h.Client.Eval(context.Background(), script, keys, args...))
}

// TestAbandonedReserveTakesNothing: a Reserve whose script ran in Redis must not
// leave its worst case taken when the caller stops waiting for the reply. Before,
// the store returned at the caller's cancellation (a client that hung up) or at
// the deadline, the script reserved anyway, and nobody settled it: the worst case
// stayed on the tenant's budget for the rest of the period. Now a cancellation
// waits for the reply (the reservation is returned, and settled as any other), and
// a reservation the deadline abandoned is taken back once its reply arrives.
func TestAbandonedReserveTakesNothing(t *testing.T) {
	t.Parallel()
	c := redisClient(t)
	p := &commonv1.Principal{TenantId: "acme", UserId: "u1"}
	worst := quota.Request{Tokens: 100, Cost: 1000}
	cfg := quota.Config{Tenant: quota.Limits{Budget: 1000, TokensPerMinute: 100}, User: quota.Limits{Budget: 1000}}
	for _, tc := range []struct {
		name string
		stop func(cancel context.CancelFunc) // how the caller stops waiting
		ctx  func() (context.Context, context.CancelFunc)
	}{
		{"cancelled", func(cancel context.CancelFunc) { cancel() }, func() (context.Context, context.CancelFunc) {
			return context.WithCancel(t.Context())
		}},
		{"deadline", func(context.CancelFunc) {}, func() (context.Context, context.CancelFunc) {
			return context.WithTimeout(t.Context(), 20*time.Millisecond)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := cfg
			cfg.KeyPrefix = prefix(t, c)
			held := &heldReplies{Client: c, sent: make(chan struct{}, 8), release: make(chan struct{})}
			heldLimiter, err := quota.New(quota.NewRedisStore(held), cfg)
			if err != nil {
				t.Fatal(err)
			}
			plain, err := quota.New(quota.NewRedisStore(c), cfg)
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := tc.ctx()
			defer cancel()
			type result struct {
				res *quota.Reservation
				err error
			}
			done := make(chan result, 1)
			go func() {
				res, err := heldLimiter.Reserve(ctx, p, worst)
				done <- result{res, err}
			}()
			<-held.sent // the script has run in Redis
			tc.stop(cancel)
			if tc.name == "deadline" {
				<-ctx.Done()
				r := <-done // the store gave up at the deadline
				if r.err == nil {
					t.Fatal("Reserve past its deadline returned a reservation")
				}
			}
			close(held.release)
			if tc.name == "cancelled" {
				r := <-done
				if r.err == nil {
					if err := r.res.Settle(context.WithoutCancel(ctx), 0, 0); err != nil {
						t.Fatal(err)
					}
				}
			}
			// The budget affords one worst case: it must come back, at once after a
			// settle, or once the abandoned reply has arrived.
			for i := 0; ; i++ {
				res, err := plain.Reserve(t.Context(), p, worst)
				if err == nil {
					_ = res.Settle(t.Context(), 0, 0)
					break
				}
				if errs.From(err).Reason != "BUDGET_EXHAUSTED" && errs.From(err).Reason != "TOKENS_PER_MINUTE_EXCEEDED" {
					t.Fatal(err)
				}
				if i == 500 {
					t.Fatalf("the abandoned reservation is still taken 10 s later: %v", err)
				}
				time.Sleep(20 * time.Millisecond)
			}
		})
	}
}
