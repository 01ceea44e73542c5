package repo_test

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/google/uuid"

	"github.com/footingdev/footing/contracts/errs"
	commonv1 "github.com/footingdev/footing/contracts/gen/go/footing/common/v1"
	"github.com/footingdev/footing/storage/repo"
)

// TestRepoIsolationProperty runs random repo operations for random tenants, many aimed at
// other tenants' ids, against a model: another tenant's row is always NotFound, and every
// tenant's listing is exactly its own rows.
func TestRepoIsolationProperty(t *testing.T) {
	t.Parallel()
	r, _ := newRepo(t, repo.Config{})
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 3))
	tenants := []string{uuid.NewString(), uuid.NewString(), uuid.NewString(), uuid.NewString()}
	model := map[int64]Note{}
	var ids []int64
	pick := func() int64 {
		if len(ids) == 0 || rng.IntN(8) == 0 {
			return 1_000_000 + rng.Int64N(100)
		}
		return ids[rng.IntN(len(ids))]
	}
	notFound := func(err error) bool { return errs.From(err).Code == connect.CodeNotFound }
	for op := range 300 {
		tenant := tenants[rng.IntN(len(tenants))]
		ctx := as(tenant)
		id := pick()
		want, exists := model[id]
		own := exists && want.TenantID == tenant
		fail := func(format string, args ...any) {
			t.Fatalf("op %d (seed %d): "+format, append([]any{op, seed}, args...)...)
		}
		switch rng.IntN(5) {
		case 0:
			n, err := r.Create(ctx, Note{Title: fmt.Sprint("n", op), Rank: int32(rng.IntN(3))})
			if err != nil {
				fail("create: %v", err)
			}
			model[n.ID] = n
			ids = append(ids, n.ID)
		case 1:
			got, err := r.Get(ctx, id)
			if own && (err != nil || got.Title != want.Title) {
				fail("get own %d: %+v %v", id, got, err)
			}
			if !own && !notFound(err) {
				fail("get foreign %d: %+v %v", id, got, err)
			}
		case 2:
			n := want
			n.ID, n.Title = id, fmt.Sprint("u", op)
			got, err := r.Update(ctx, n)
			if own {
				if err != nil {
					fail("update own %d: %v", id, err)
				}
				model[id] = got
			} else if !notFound(err) {
				fail("update foreign %d: %v", id, err)
			}
		case 3:
			err := r.Delete(ctx, id)
			if own {
				if err != nil {
					fail("delete own %d: %v", id, err)
				}
				delete(model, id)
			} else if !notFound(err) {
				fail("delete foreign %d: %v", id, err)
			}
		case 4:
			items, _, err := r.List(ctx, &commonv1.PageRequest{PageSize: 1000})
			if err != nil {
				fail("list: %v", err)
			}
			count := 0
			for _, m := range model {
				if m.TenantID == tenant {
					count++
				}
			}
			for _, it := range items {
				if m, ok := model[it.ID]; !ok || m.TenantID != tenant || m.Title != it.Title || m.Version != it.Version {
					fail("listed %+v, model %+v", it, m)
				}
			}
			if len(items) != count {
				fail("listed %d, model %d", len(items), count)
			}
		}
	}
}
