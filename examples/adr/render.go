package adr

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"
	"google.golang.org/protobuf/types/known/timestamppb"

	commonv1 "github.com/footingdev/footing/contracts/gen/go/footing/common/v1"
	adrv1 "github.com/footingdev/footing/examples/gen/go/footing/examples/adr/v1"
	"github.com/footingdev/footing/storage/rls"
)

// EventTypeRendered is the event type the render job records in the outbox.
const EventTypeRendered = "dev.footing.examples.adr.v1.rendered"

// RenderArgs asks for one version of an ADR to be rendered to Markdown and
// announced in the outbox. The tenant is not in the args: storage/jobs carries the
// enqueuing request's Principal to the worker, whose queries then run under it.
type RenderArgs struct {
	ID      string `json:"id"`
	Version int64  `json:"version"`
}

// Kind names the job for River.
func (RenderArgs) Kind() string { return "adr.render" }

// RenderWorker renders ADRs. It must be registered with the River client.
type RenderWorker struct {
	river.WorkerDefaults[RenderArgs]
	Pool *pgxpool.Pool
}

// Work renders job's ADR under the job's tenant. A version that is no longer
// current is skipped: the job of the newer version renders that one.
func (w *RenderWorker) Work(ctx context.Context, job *river.Job[RenderArgs]) error {
	scope, err := rls.ScopeFrom(ctx)
	if err != nil {
		// Without a tenant nothing can be read; retrying will not help.
		return river.JobCancel(fmt.Errorf("render job carries no valid tenant: %w", err))
	}
	tenant := scope.TenantID // canonical, however the enqueuing token spelled it
	return rls.InTenant(ctx, w.Pool, func(tx pgx.Tx) error {
		a, err := scanADR(tx.QueryRow(ctx, `SELECT `+columns+` FROM adrs WHERE id = $1`, job.Args.ID))
		if errors.Is(err, pgx.ErrNoRows) {
			return nil // Deleted since; nothing to render.
		}
		if err != nil {
			return err
		}
		if a.GetVersion() != job.Args.Version {
			return nil
		}
		data, err := anypb.New(a)
		if err != nil {
			return err
		}
		env := &commonv1.EventEnvelope{
			Id:              uuid.NewString(),
			Source:          "//" + Domain + "/tenants/" + tenant,
			Type:            EventTypeRendered,
			Subject:         a.GetId(),
			Time:            timestamppb.Now(),
			Tenant:          tenant,
			Specversion:     "1.0",
			Datacontenttype: "application/protobuf",
			Data:            data,
		}
		b, err := proto.Marshal(env)
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO outbox (id, type, subject, envelope, markdown) VALUES ($1, $2, $3, $4, $5)`,
			env.GetId(), env.GetType(), env.GetSubject(), b, Markdown(a))
		return err
	})
}

// Markdown renders a as a Markdown document.
func Markdown(a *adrv1.ADR) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\n\n", a.GetTitle())
	status := strings.ToLower(strings.TrimPrefix(a.GetStatus().String(), "STATUS_"))
	fmt.Fprintf(&b, "- Status: %s\n", status)
	if a.GetSupersededBy() != "" {
		fmt.Fprintf(&b, "- Superseded by: %s\n", a.GetSupersededBy())
	}
	if len(a.GetTags()) > 0 {
		fmt.Fprintf(&b, "- Tags: %s\n", strings.Join(a.GetTags(), ", "))
	}
	fmt.Fprintf(&b, "- Author: %s\n- Version: %d\n", a.GetAuthor(), a.GetVersion())
	for _, sec := range []struct{ title, text string }{
		{"Context", a.GetContext()}, {"Decision", a.GetDecision()}, {"Consequences", a.GetConsequences()},
	} {
		if sec.text != "" {
			fmt.Fprintf(&b, "\n## %s\n\n%s\n", sec.title, strings.TrimSpace(sec.text))
		}
	}
	return b.String()
}
