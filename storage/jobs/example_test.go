package jobs_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	commonv1 "github.com/footingdev/footing/contracts/gen/go/footing/common/v1"
	"github.com/footingdev/footing/contracts/identity"
	"github.com/footingdev/footing/storage/jobs"
	"github.com/footingdev/footing/storage/pgtest"
	"github.com/footingdev/footing/storage/rls"
)

// WelcomeArgs is a job that greets a new member of a tenant.
type WelcomeArgs struct {
	Email string `json:"email"`
}

func (WelcomeArgs) Kind() string { return "welcome" }

func Example() {
	ctx := context.Background()
	db, err := pgtest.Create(ctx) // a service passes its app-role pool instead
	if err != nil {
		fmt.Println(err)
		return
	}
	defer db.Close()

	done := make(chan string, 1)
	workers := river.NewWorkers()
	river.AddWorker(workers, river.WorkFunc(func(ctx context.Context, job *river.Job[WelcomeArgs]) error {
		tenant, _ := identity.TenantID(ctx) // restored from the enqueuing request
		done <- job.Args.Email + " in " + tenant
		return nil
	}))
	client, err := jobs.New(db.App, jobs.Config{Workers: workers, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := client.Start(ctx); err != nil {
		fmt.Println(err)
		return
	}
	defer func() { _ = client.Stop(ctx) }()

	reqCtx := identity.WithPrincipal(ctx, &commonv1.Principal{Subject: "alice", TenantId: "8d5e2a34-6a5c-4f5e-9f0e-2b1f6c0b1a11"})
	err = rls.InTenant(reqCtx, db.App, func(tx pgx.Tx) error {
		// ... the request's own writes, then the job, committed together:
		_, err := client.Enqueue(reqCtx, tx, WelcomeArgs{Email: "bob@example.com"}, nil)
		return err
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(<-done)
	// Output: bob@example.com in 8d5e2a34-6a5c-4f5e-9f0e-2b1f6c0b1a11
}
