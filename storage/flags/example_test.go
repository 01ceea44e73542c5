package flags_test

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/open-feature/go-sdk/openfeature"

	"github.com/footingdev/footing/storage/flags"
	"github.com/footingdev/footing/storage/pgtest"
	"github.com/footingdev/footing/storage/rls"
)

func Example() {
	db, err := pgtest.Create(context.Background(), pgtest.WithoutRiver())
	if err != nil {
		fmt.Println(err)
		return
	}
	defer db.Close()
	tenant := uuid.NewString()
	admin := as(tenant, "admin")
	_ = rls.InTenant(admin, db.App, func(tx pgx.Tx) error {
		_, err := tx.Exec(admin, `INSERT INTO organizations (id, slug, display_name) VALUES ($1, 'acme', 'Acme')`, tenant)
		return err
	})

	// In a service the defaults come from the process environment: FEATURE_NEW_CHECKOUT=false.
	env := map[string]string{"FEATURE_NEW_CHECKOUT": "false"}
	p := flags.New(db.App, flags.WithEnv(func(k string) (string, bool) { v, ok := env[k]; return v, ok }))
	_ = openfeature.SetNamedProviderAndWait("example", p)
	client := openfeature.NewClient("example")

	alice := as(tenant, "alice")
	on, _ := client.BooleanValue(alice, "new-checkout", false, openfeature.EvaluationContext{})
	fmt.Println("from the environment:", on)

	_ = p.SetUserOverride(admin, "new-checkout", "alice", true)
	on, _ = client.BooleanValue(alice, "new-checkout", false, openfeature.EvaluationContext{})
	fmt.Println("alice's override:", on)

	on, _ = client.BooleanValue(as(tenant, "bob"), "new-checkout", false, openfeature.EvaluationContext{})
	fmt.Println("bob:", on)
	// Output:
	// from the environment: false
	// alice's override: true
	// bob: false
}
