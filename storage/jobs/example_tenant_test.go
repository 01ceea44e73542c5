package jobs_test

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/footingdev/footing/contracts/errs"
	commonv1 "github.com/footingdev/footing/contracts/gen/go/footing/common/v1"
	"github.com/footingdev/footing/contracts/identity"
	"github.com/footingdev/footing/storage/jobs"
	"github.com/footingdev/footing/storage/pgtest"
	"github.com/footingdev/footing/storage/rls"
)

// ExportArgs is a tenant's export job.
type ExportArgs struct {
	Format string `json:"format"`
}

func (ExportArgs) Kind() string { return "export" }

// A "show / cancel my export" service: the tenant comes from the request's Principal, and
// another tenant's job answers like a job that does not exist.
func ExampleClient_Cancel() {
	ctx := context.Background()
	db, err := pgtest.Create(ctx) // a service passes its app-role pool instead
	if err != nil {
		fmt.Println(err)
		return
	}
	defer db.Close()
	client, err := jobs.New(db.App, jobs.Config{PageTokenKey: []byte("an example key of at least 32 bytes, random in real life")})
	if err != nil {
		fmt.Println(err)
		return
	}

	alice := identity.WithPrincipal(ctx, &commonv1.Principal{Subject: "alice", TenantId: "8d5e2a34-6a5c-4f5e-9f0e-2b1f6c0b1a11"})
	mallory := identity.WithPrincipal(ctx, &commonv1.Principal{Subject: "mallory", TenantId: "0b7f3c1e-2d4a-4e8b-9c6d-5a1f2e3d4c5b"})
	var id int64
	err = rls.InTenant(alice, db.App, func(tx pgx.Tx) error {
		res, err := client.Enqueue(alice, tx, ExportArgs{Format: "csv"}, nil)
		if err == nil {
			id = res.Job.ID
		}
		return err
	})
	if err != nil {
		fmt.Println(err)
		return
	}

	_, err = client.Get(mallory, id)
	fmt.Println("mallory gets it:", errs.From(err).Code, errs.Reason(err))
	_, err = client.Cancel(mallory, id)
	fmt.Println("mallory cancels it:", errs.From(err).Code)
	mine, _, err := client.List(alice, &commonv1.PageRequest{PageSize: 10}, jobs.ListFilter{Kinds: []string{"export"}})
	fmt.Println("alice lists:", len(mine), err)
	job, err := client.Cancel(alice, id)
	fmt.Println("alice cancels it:", job.State, err)
	// Output:
	// mallory gets it: not_found JOB_NOT_FOUND
	// mallory cancels it: not_found
	// alice lists: 1 <nil>
	// alice cancels it: cancelled <nil>
}
