package adr

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode"

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

// Markdown renders a as a Markdown document: a heading with the title, a list with
// the status, superseded_by, tags, author and version, then the context, decision and
// consequences as sections.
//
// The title, superseded_by, tags and author are plain text: they are written on one line
// (line breaks and other control characters become spaces) with every character that
// Markdown or HTML would read as syntax escaped by a backslash, so that they cannot add
// lines to the document (a forged "- Author:") or carry raw HTML, links or images into
// it. The sections are the author's own Markdown and are written as they are: they may
// hold raw HTML, so a consumer that shows the document in a browser must render it
// with raw HTML disabled or sanitize the result, as for any user-written Markdown.
func Markdown(a *adrv1.ADR) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\n\n", inline(a.GetTitle()))
	status := strings.ToLower(strings.TrimPrefix(a.GetStatus().String(), "STATUS_"))
	fmt.Fprintf(&b, "- Status: %s\n", inline(status))
	if a.GetSupersededBy() != "" {
		fmt.Fprintf(&b, "- Superseded by: %s\n", inline(a.GetSupersededBy()))
	}
	if len(a.GetTags()) > 0 {
		tags := make([]string, len(a.GetTags()))
		for i, t := range a.GetTags() {
			tags[i] = inline(t)
		}
		fmt.Fprintf(&b, "- Tags: %s\n", strings.Join(tags, ", "))
	}
	fmt.Fprintf(&b, "- Author: %s\n- Version: %d\n", inline(a.GetAuthor()), a.GetVersion())
	for _, sec := range []struct{ title, text string }{
		{"Context", a.GetContext()}, {"Decision", a.GetDecision()}, {"Consequences", a.GetConsequences()},
	} {
		if sec.text != "" {
			fmt.Fprintf(&b, "\n## %s\n\n%s\n", sec.title, strings.TrimSpace(sec.text))
		}
	}
	return b.String()
}

// markdownSyntax are the characters that start Markdown or HTML syntax inside a line
// (emphasis, code, links and images, raw HTML and entities, GFM tables and strikethrough,
// a heading's closing sequence) and the backslash itself.
const markdownSyntax = "\\`*_[]<>&!|~#"

// inline returns s as plain text for one line of Markdown: runs of white space and
// control characters (line and paragraph separators included) become one space, and
// syntax characters are escaped. Invalid UTF-8 is replaced by U+FFFD.
func inline(s string) string {
	var b strings.Builder
	space := false
	for _, r := range strings.ToValidUTF8(s, "\uFFFD") {
		if unicode.IsSpace(r) || unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		if strings.ContainsRune(markdownSyntax, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}
