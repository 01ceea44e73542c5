package rls_test

import (
	"context"
	"testing"

	"connectrpc.com/connect"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/footingdev/footing/contracts/errs"
	"github.com/footingdev/footing/storage/rls"
)

// TestTxOptionsAreChecked checks that InTenantWith and System.DoWith accept only
// Postgres's isolation levels and access modes. They are written into the BEGIN that goes
// out with the tenant's set_config as one simple-protocol message, so any other text ran
// as SQL there: an IsoLevel carrying "; SELECT set_config('app.tenant_id', '<other>',
// false)" left another tenant on the pooled connection for whatever ran on it next.
func TestTxOptionsAreChecked(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	pool := db.Pool(t, rls.AppRole, 1)
	other := uuid.NewString()
	inject := "; SELECT set_config('app.tenant_id', '" + other + "', false)"
	for _, tc := range []struct {
		name string
		opts rls.TxOptions
	}{
		{"isolation level", rls.TxOptions{IsoLevel: pgx.Serializable + pgx.TxIsoLevel(inject)}},
		{"access mode", rls.TxOptions{AccessMode: pgx.ReadOnly + pgx.TxAccessMode(inject)}},
		{"unknown level", rls.TxOptions{IsoLevel: "snapshot"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := &countingBeginner{Beginner: pool}
			ran := false
			err := rls.InTenantWith(as(uuid.NewString(), "u"), b, tc.opts, func(pgx.Tx) error { ran = true; return nil })
			if d := errs.From(err); d.Code != connect.CodeInvalidArgument || d.Reason != "TX_OPTIONS_INVALID" {
				t.Errorf("InTenantWith: %v; want InvalidArgument TX_OPTIONS_INVALID", err)
			}
			err = rls.NewSystem(b).DoWith(context.Background(), "test", tc.opts, func(pgx.Tx) error { ran = true; return nil })
			if d := errs.From(err); d.Code != connect.CodeInvalidArgument || d.Reason != "TX_OPTIONS_INVALID" {
				t.Errorf("System.DoWith: %v; want InvalidArgument TX_OPTIONS_INVALID", err)
			}
			if ran || b.n != 0 {
				t.Errorf("fn ran=%v, transactions started=%d; want none", ran, b.n)
			}
			var tenant *string
			if err := pool.QueryRow(context.Background(), "SELECT footing_current_tenant()::text").Scan(&tenant); err != nil {
				t.Fatal(err)
			}
			if tenant != nil {
				t.Fatalf("the pooled connection carries tenant %s", *tenant)
			}
		})
	}
	// Every real option still works.
	for _, iso := range []pgx.TxIsoLevel{"", pgx.Serializable, pgx.RepeatableRead, pgx.ReadCommitted, pgx.ReadUncommitted} {
		for _, mode := range []pgx.TxAccessMode{"", pgx.ReadWrite, pgx.ReadOnly} {
			if err := rls.InTenantWith(as(uuid.NewString(), "u"), pool, rls.TxOptions{IsoLevel: iso, AccessMode: mode}, func(pgx.Tx) error { return nil }); err != nil {
				t.Fatalf("%q %q: %v", iso, mode, err)
			}
		}
	}
}
