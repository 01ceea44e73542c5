package rls_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/footingdev/footing/storage/rls"
)

// TestIsolationProperty runs random operations for random tenants over raw SQL through
// InTenant, many aimed at other tenants' ids, and checks against a model that no tenant ever
// reads, changes or removes another's row.
func TestIsolationProperty(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 1))
	tenants := make([]string, 5)
	for i := range tenants {
		tenants[i] = uuid.NewString()
	}
	type row struct{ tenant, body string }
	model := map[int64]row{}
	var ids []int64
	randomID := func() int64 {
		if len(ids) == 0 || rng.IntN(10) == 0 {
			return rng.Int64N(1000) + 1_000_000 // an id that does not exist
		}
		return ids[rng.IntN(len(ids))]
	}
	for op := range 400 {
		tenant := tenants[rng.IntN(len(tenants))]
		ctx := as(tenant, "u")
		err := rls.InTenant(ctx, db.App, func(tx pgx.Tx) error {
			switch rng.IntN(5) {
			case 0: // insert
				body := fmt.Sprintf("b%d", op)
				var id int64
				if err := tx.QueryRow(ctx, "INSERT INTO notes (tenant_id, body) VALUES ($1, $2) RETURNING id", tenant, body).Scan(&id); err != nil {
					return err
				}
				model[id] = row{tenant, body}
				ids = append(ids, id)
			case 1: // read by id
				id := randomID()
				var body string
				err := tx.QueryRow(ctx, "SELECT body FROM notes WHERE id = $1", id).Scan(&body)
				want, ok := model[id]
				if ok && want.tenant == tenant {
					if err != nil || body != want.body {
						return fmt.Errorf("own row %d: %q, %w", id, body, err)
					}
				} else if !errors.Is(err, pgx.ErrNoRows) {
					return fmt.Errorf("read row %d of another tenant: %q, %w", id, body, err)
				}
			case 2: // update by id
				id := randomID()
				body := fmt.Sprintf("u%d", op)
				tag, err := tx.Exec(ctx, "UPDATE notes SET body = $2 WHERE id = $1", id, body)
				if err != nil {
					return err
				}
				if want, ok := model[id]; ok && want.tenant == tenant {
					model[id] = row{tenant, body}
				} else if tag.RowsAffected() != 0 {
					return fmt.Errorf("updated row %d of another tenant", id)
				}
			case 3: // delete by id
				id := randomID()
				tag, err := tx.Exec(ctx, "DELETE FROM notes WHERE id = $1", id)
				if err != nil {
					return err
				}
				if want, ok := model[id]; ok && want.tenant == tenant {
					delete(model, id)
				} else if tag.RowsAffected() != 0 {
					return fmt.Errorf("deleted row %d of another tenant", id)
				}
			case 4: // list: exactly this tenant's rows
				rows, err := tx.Query(ctx, "SELECT id, tenant_id::text, body FROM notes")
				if err != nil {
					return err
				}
				got := 0
				for rows.Next() {
					var id int64
					var tid, body string
					if err := rows.Scan(&id, &tid, &body); err != nil {
						return err
					}
					if tid != tenant || model[id] != (row{tenant, body}) {
						return fmt.Errorf("listed row %d (%s, %q) not this tenant's", id, tid, body)
					}
					got++
				}
				if err := rows.Err(); err != nil {
					return err
				}
				want := 0
				for _, r := range model {
					if r.tenant == tenant {
						want++
					}
				}
				if got != want {
					return fmt.Errorf("listed %d rows, model has %d", got, want)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatalf("op %d (seed %d): %v", op, seed, err)
		}
	}
	// Every row is exactly what its own tenant left there.
	var n int
	err := rls.NewSystem(db.System).Do(context.Background(), "test: check the model", func(tx pgx.Tx) error {
		rows, err := tx.Query(context.Background(), "SELECT id, tenant_id::text, body FROM notes")
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			var r row
			if err := rows.Scan(&id, &r.tenant, &r.body); err != nil {
				return err
			}
			if model[id] != r {
				return fmt.Errorf("row %d is %+v, model %+v", id, r, model[id])
			}
			n++
		}
		return rows.Err()
	})
	if err != nil || n != len(model) {
		t.Fatalf("final check: %d rows (model %d), %v", n, len(model), err)
	}
}

// TestNoLeakThroughThePool runs thousands of interleaved transactions for different tenants
// on a pool of two connections, some failing, and then checks that no connection carries a
// tenant.
func TestNoLeakThroughThePool(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	pool := db.Pool(t, rls.AppRole, 2)
	tenants := make([]string, 8)
	for i := range tenants {
		tenants[i] = uuid.NewString()
		ctx := as(tenants[i], "u")
		if err := rls.InTenant(ctx, pool, func(tx pgx.Tx) error {
			_, err := tx.Exec(ctx, "INSERT INTO notes (tenant_id, body) SELECT $1, g::text FROM generate_series(1, $2::int) g", tenants[i], i+1)
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
	const workers, perWorker = 8, 300
	errc := make(chan error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(w), 2))
			for i := range perWorker {
				k := rng.IntN(len(tenants))
				ctx := as(tenants[k], fmt.Sprint("user", w))
				fail := errors.New("planned")
				err := rls.InTenant(ctx, pool, func(tx pgx.Tx) error {
					var tid string
					var n int
					if err := tx.QueryRow(ctx, "SELECT footing_current_tenant()::text, (SELECT count(*) FROM notes)").Scan(&tid, &n); err != nil {
						return err
					}
					if tid != tenants[k] || n != k+1 {
						return fmt.Errorf("tx for tenant %d saw tenant %s and %d rows", k, tid, n)
					}
					if i%7 == 0 {
						return fail
					}
					return nil
				})
				if err != nil && !errors.Is(err, fail) {
					errc <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		t.Fatal(err)
	}
	ctx := context.Background()
	c1, err := pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer c1.Release()
	c2, err := pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Release()
	for _, c := range []interface {
		QueryRow(context.Context, string, ...any) pgx.Row
	}{c1, c2} {
		var tenant, user *string
		var n int
		if err := c.QueryRow(ctx, "SELECT footing_current_tenant()::text, footing_current_user(), (SELECT count(*) FROM notes)").Scan(&tenant, &user, &n); err != nil {
			t.Fatal(err)
		}
		if tenant != nil || user != nil || n != 0 {
			t.Fatalf("idle connection carries tenant=%v user=%v and sees %d rows", tenant, user, n)
		}
	}
}
