package jobs_test

import (
	"context"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/footingdev/footing/storage/jobs"
	"github.com/footingdev/footing/storage/rls"
)

// SyncArgs is a unique job: one per account in a tenant.
type SyncArgs struct {
	Account string `json:"account"`
}

func (SyncArgs) Kind() string { return "sync" }

func (SyncArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// TestUniqueJobsAreUniquePerTenant checks that River's unique jobs are unique within a
// tenant, not across tenants: River computes the unique key from kind and args, where the
// tenant is not, so tenant B's job was skipped as a duplicate of tenant A's (and B's code
// got A's job row back, A's Principal in its metadata).
func TestUniqueJobsAreUniquePerTenant(t *testing.T) {
	t.Parallel()
	b := setup(t)
	c := b.client(t, jobs.Config{})

	enqueue := func(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) *rivertype.JobInsertResult {
		t.Helper()
		var res *rivertype.JobInsertResult
		if err := rls.InTenant(ctx, b.db.App, func(tx pgx.Tx) error {
			var err error
			res, err = c.Enqueue(ctx, tx, args, opts)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return res
	}
	tenantA, tenantB := uuid.NewString(), uuid.NewString()

	a := enqueue(as(tenantA), SyncArgs{Account: "google"}, nil)
	if a.UniqueSkippedAsDuplicate {
		t.Fatal("tenant A's first job was skipped")
	}
	bRes := enqueue(as(tenantB), SyncArgs{Account: "google"}, nil)
	if bRes.UniqueSkippedAsDuplicate || bRes.Job.ID == a.Job.ID {
		t.Fatalf("tenant B's job was skipped as a duplicate of tenant A's job %d", a.Job.ID)
	}
	if strings.Contains(string(bRes.Job.Metadata), tenantA) {
		t.Fatal("tenant B got a job row carrying tenant A's principal")
	}
	// The same tenant, spelled in upper case, is still one tenant: its duplicate is skipped.
	again := enqueue(as(strings.ToUpper(tenantA)), SyncArgs{Account: "google"}, nil)
	if !again.UniqueSkippedAsDuplicate || again.Job.ID != a.Job.ID {
		t.Fatalf("tenant A's duplicate: skipped %v, job %d; want skipped as job %d", again.UniqueSkippedAsDuplicate, again.Job.ID, a.Job.ID)
	}
	// Uniqueness without args (by kind and queue) is per tenant too.
	byQueue := &river.InsertOpts{UniqueOpts: river.UniqueOpts{ByQueue: true}}
	pa := enqueue(as(tenantA), ProbeArgs{Note: "a"}, byQueue)
	pb := enqueue(as(tenantB), ProbeArgs{Note: "b"}, byQueue)
	if pa.UniqueSkippedAsDuplicate || pb.UniqueSkippedAsDuplicate {
		t.Fatalf("kind-unique jobs: A skipped %v, B skipped %v; want neither", pa.UniqueSkippedAsDuplicate, pb.UniqueSkippedAsDuplicate)
	}
	// Jobs enqueued without a Principal (system work) stay unique among themselves.
	system := func() *rivertype.JobInsertResult {
		t.Helper()
		var res *rivertype.JobInsertResult
		ctx := context.Background()
		if err := rls.NewSystem(b.db.System).Do(ctx, "test", func(tx pgx.Tx) error {
			var err error
			res, err = c.Enqueue(ctx, tx, SyncArgs{Account: "system"}, nil)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return res
	}
	sys1, sys2 := system(), system()
	if sys1.UniqueSkippedAsDuplicate || !sys2.UniqueSkippedAsDuplicate {
		t.Fatalf("system jobs: first skipped %v, second skipped %v; want only the second", sys1.UniqueSkippedAsDuplicate, sys2.UniqueSkippedAsDuplicate)
	}
}
