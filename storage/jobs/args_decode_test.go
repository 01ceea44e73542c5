package jobs_test

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/footingdev/footing/storage/jobs"
)

// The args a job was enqueued with, and the narrower ones its worker (a later release,
// say) decodes them into.
type pinSent struct {
	Code int64 `json:"code"`
}

func (pinSent) Kind() string { return "pin" }

type pinArgs struct {
	Code int16 `json:"code"`
}

func (pinArgs) Kind() string { return "pin" }

type expirySent struct {
	At string `json:"at"`
}

func (expirySent) Kind() string { return "expiry" }

type expiryArgs struct {
	At time.Time `json:"at"`
}

func (expiryArgs) Kind() string { return "expiry" }

type pinWorker struct {
	river.WorkerDefaults[pinArgs]
}

func (*pinWorker) Work(context.Context, *river.Job[pinArgs]) error { return nil }

type expiryWorker struct {
	river.WorkerDefaults[expiryArgs]
}

func (*expiryWorker) Work(context.Context, *river.Job[expiryArgs]) error { return nil }

// TestArgsThatDoNotDecodeAreNotQuoted: River decodes a job's args inside footing's
// worker middleware, and a decoding failure came back as encoding/json's or the field
// type's own error, which quotes the value: "cannot unmarshal number 4111111111111111
// into ... int16", `parsing time "sk-live-…"`. The span recorded it, River logged it at
// every attempt and kept it in the job row. The error now names the field, the kind of
// problem and the byte offset, never the value.
func TestArgsThatDoNotDecodeAreNotQuoted(t *testing.T) {
	t.Parallel()
	b := setup(t)
	const card, token = "4111111111111111", "sk-live-0123456789abcdef"
	workers := river.NewWorkers()
	river.AddWorker(workers, &pinWorker{})
	river.AddWorker(workers, &expiryWorker{})
	logs := &lockedBuffer{}
	c, err := jobs.New(b.db.App, jobs.Config{
		Workers: workers, TracerProvider: b.tp, MeterProvider: b.mp,
		Logger: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx := as(uuid.NewString())
	once := &river.InsertOpts{MaxAttempts: 1}
	pin, err := c.River().Insert(ctx, pinSent{Code: 4111111111111111}, once)
	if err != nil {
		t.Fatal(err)
	}
	expiry, err := c.River().Insert(ctx, expirySent{At: token}, once)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	var rows []*rivertype.JobRow
	for _, id := range []int64{pin.Job.ID, expiry.Job.ID} {
		deadline := time.Now().Add(60 * time.Second)
		for {
			job, err := c.River().JobGet(context.Background(), id)
			if err != nil {
				t.Fatal(err)
			}
			if job.State == rivertype.JobStateDiscarded {
				rows = append(rows, job)
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("job %d (%s) still %s", id, job.Kind, job.State)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	if err := c.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}

	leaks := func(s string) bool { return strings.Contains(s, card) || strings.Contains(s, token) }
	for _, job := range rows {
		if len(job.Errors) != 1 {
			t.Fatalf("%s job: %d errors recorded, want 1", job.Kind, len(job.Errors))
		}
		if e := job.Errors[0].Error; leaks(e) || !strings.Contains(e, "args") {
			t.Errorf("%s job's recorded error = %q; want one about its args that quotes no value", job.Kind, e)
		}
	}
	if out := logs.String(); leaks(out) {
		t.Errorf("the logs quote the job's args:\n%s", out)
	}
	spans := 0
	for _, s := range b.spans.Ended() {
		if !strings.HasPrefix(s.Name(), "job ") {
			continue
		}
		spans++
		for _, ev := range s.Events() {
			for _, kv := range ev.Attributes {
				if leaks(kv.Value.String()) {
					t.Errorf("span %s event %s quotes the job's args: %s", s.Name(), ev.Name, kv.Value.String())
				}
			}
		}
	}
	if spans != 2 {
		t.Fatalf("%d job spans, want 2", spans)
	}
}
