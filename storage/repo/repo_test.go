package repo_test

import (
	"context"
	"strings"
	"testing"

	"connectrpc.com/connect"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/footingdev/footing/contracts/errs"
	"github.com/footingdev/footing/storage/pg"
	"github.com/footingdev/footing/storage/repo"
	"github.com/footingdev/footing/storage/rls"
)

func wantErr(t *testing.T, err error, code connect.Code, reason string) {
	t.Helper()
	d := errs.From(err)
	if d.Code != code || d.Reason != reason {
		t.Fatalf("got %v (%v %q), want %v %q", err, d.Code, d.Reason, code, reason)
	}
}

func TestCRUD(t *testing.T) {
	t.Parallel()
	r, _ := newRepo(t, repo.Config{})
	tenant := uuid.NewString()
	ctx := as(tenant)
	n, err := r.Create(ctx, Note{TenantID: uuid.NewString(), Title: "first", Rank: 3})
	if err != nil {
		t.Fatal(err)
	}
	if n.ID == 0 || n.TenantID != tenant || n.Version != 1 || n.CreateTime.IsZero() {
		t.Fatalf("created %+v; want id, this tenant, version 1, create_time", n)
	}
	got, err := r.Get(ctx, n.ID)
	if err != nil || got != n {
		t.Fatalf("Get = %+v, %v; want %+v", got, err, n)
	}
	stale := got
	got.Title = "renamed"
	upd, err := r.Update(ctx, got)
	if err != nil || upd.Version != 2 || upd.Title != "renamed" || !upd.UpdateTime.After(n.UpdateTime) && !upd.UpdateTime.Equal(n.UpdateTime) {
		t.Fatalf("Update = %+v, %v", upd, err)
	}
	stale.Title = "lost update"
	_, err = r.Update(ctx, stale)
	wantErr(t, err, connect.CodeAborted, "VERSION_CONFLICT")
	if err := r.Delete(ctx, n.ID); err != nil {
		t.Fatal(err)
	}
	_, err = r.Get(ctx, n.ID)
	wantErr(t, err, connect.CodeNotFound, "NOTE_NOT_FOUND")
	wantErr(t, r.Delete(ctx, n.ID), connect.CodeNotFound, "NOTE_NOT_FOUND")
	_, err = r.Update(ctx, upd)
	wantErr(t, err, connect.CodeNotFound, "NOTE_NOT_FOUND")
	_, err = r.Get(context.Background(), n.ID)
	wantErr(t, err, connect.CodeUnauthenticated, "NO_PRINCIPAL")
}

func TestPostgresErrorsMap(t *testing.T) {
	t.Parallel()
	r, db := newRepo(t, repo.Config{})
	ctx := as(uuid.NewString())
	if _, err := r.Create(ctx, Note{Title: "dup-secret"}); err != nil {
		t.Fatal(err)
	}
	_, err := r.Create(ctx, Note{Title: "dup-secret"})
	wantErr(t, err, connect.CodeAlreadyExists, "ALREADY_EXISTS")
	if errs.From(err).Metadata["constraint"] != "notes_tenant_id_title_key" {
		t.Fatalf("metadata %v lacks the constraint", errs.From(err).Metadata)
	}
	if strings.Contains(err.Error(), "dup-secret") {
		t.Fatalf("error leaks row values: %q", err)
	}
	_, err = r.Create(ctx, Note{Title: "negative", Rank: -1})
	wantErr(t, err, connect.CodeInvalidArgument, "CHECK_VIOLATION")
	err = rls.InTenant(ctx, db.App, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, "INSERT INTO attachments (note_id) VALUES (999999)")
		return pg.MapError(err)
	})
	wantErr(t, err, connect.CodeFailedPrecondition, "FOREIGN_KEY_VIOLATION")
	err = rls.InTenant(ctx, db.App, func(tx pgx.Tx) error {
		_, err := r.Table.Get(ctx, tx, "not-a-number")
		return err
	})
	wantErr(t, err, connect.CodeInvalidArgument, "INVALID_VALUE")
}
