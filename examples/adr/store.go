package adr

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/footingdev/footing/contracts/errs"
	adrv1 "github.com/footingdev/footing/examples/gen/go/footing/examples/adr/v1"
	"github.com/footingdev/footing/storage/repo"
	"github.com/footingdev/footing/storage/rls"
)

// NotifyChannel is the Postgres channel a write notifies, with payload
// "<tenant id>:<change seq>".
const NotifyChannel = "adr_changes"

// Domain is the ErrorInfo domain of this service's errors.
const Domain = "adr.examples.footing.dev"

const columns = `id, title, status, superseded_by, context, decision, consequences, tags, author, version, create_time, update_time`

// Store reads and writes ADRs in the caller's tenant. Every method runs in an
// rls.InTenant transaction, so a query can only ever touch the caller's rows. Single
// rows go through a storage/repo Table on that transaction (create, get, version-checked
// update and delete), and so do listings (keyset pages with repo's page tokens, filtered
// by status and by tag with repo.Eq and repo.Contains).
type Store struct {
	pool  *pgxpool.Pool
	table *repo.Table[record]
	// afterWrite runs inside each write's transaction (to enqueue jobs atomically).
	afterWrite func(ctx context.Context, tx pgx.Tx, kind adrv1.WatchADRsResponse_Kind, a *adrv1.ADR) error
}

// record is an adrs row. tenant_id is not in it: the table's default and its RLS
// policy set and check it from the transaction's tenant.
type record struct {
	ID           string    `db:"id"`
	Title        string    `db:"title"`
	Status       int16     `db:"status"`
	SupersededBy *string   `db:"superseded_by"`
	Context      string    `db:"context"`
	Decision     string    `db:"decision"`
	Consequences string    `db:"consequences"`
	Tags         []string  `db:"tags"`
	Author       string    `db:"author"`
	Version      int64     `db:"version"`
	CreateTime   time.Time `db:"create_time"`
	UpdateTime   time.Time `db:"update_time"`
}

func newTable(tokenKey []byte) (*repo.Table[record], error) {
	return repo.NewTable[record](repo.Config{
		Table: "adrs", Resource: "ADR", TokenKey: tokenKey,
		// List: newest first, served by the adrs_list index (tenant_id, create_time DESC, id DESC).
		OrderColumn: "create_time", Descending: true,
		DefaultPageSize: DefaultPageSize, MaxPageSize: MaxPageSize,
	})
}

func toRecord(a *adrv1.ADR, author string) record {
	return record{
		ID: a.GetId(), Title: a.GetTitle(), Status: int16(a.GetStatus()), SupersededBy: nullable(a.GetSupersededBy()),
		Context: a.GetContext(), Decision: a.GetDecision(), Consequences: a.GetConsequences(),
		Tags: nonNil(a.GetTags()), Author: author, Version: a.GetVersion(),
	}
}

func scanADR(r pgx.Row) (*adrv1.ADR, error) {
	var x record
	if err := r.Scan(&x.ID, &x.Title, &x.Status, &x.SupersededBy, &x.Context, &x.Decision,
		&x.Consequences, &x.Tags, &x.Author, &x.Version, &x.CreateTime, &x.UpdateTime); err != nil {
		return nil, err
	}
	return fromRecord(x), nil
}

func fromRecord(x record) *adrv1.ADR {
	a := &adrv1.ADR{
		Id: x.ID, Title: x.Title, Status: adrv1.Status(x.Status), Context: x.Context,
		Decision: x.Decision, Consequences: x.Consequences, Tags: x.Tags, Author: x.Author,
		Version: x.Version, CreateTime: timestamppb.New(x.CreateTime), UpdateTime: timestamppb.New(x.UpdateTime),
	}
	if x.SupersededBy != nil {
		a.SupersededBy = *x.SupersededBy
	}
	return a
}

func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// Create inserts a and returns it as stored.
func (s *Store) Create(ctx context.Context, a *adrv1.ADR, author string) (*adrv1.ADR, error) {
	var out *adrv1.ADR
	err := rls.InTenant(ctx, s.pool, func(tx pgx.Tx) error {
		rec := toRecord(a, author)
		rec.ID, rec.Version = "", 0 // Server-assigned.
		if err := checkSupersededBy(ctx, tx, rec); err != nil {
			return err
		}
		stored, err := s.table.Create(ctx, tx, rec)
		if err != nil {
			return err
		}
		out = fromRecord(stored)
		return s.changed(ctx, tx, adrv1.WatchADRsResponse_KIND_CREATED, out)
	})
	return out, err
}

// Get returns the ADR with id, or NotFound (ADR_NOT_FOUND).
func (s *Store) Get(ctx context.Context, id string) (*adrv1.ADR, error) {
	var out *adrv1.ADR
	err := rls.InTenant(ctx, s.pool, func(tx pgx.Tx) error {
		rec, err := s.table.Get(ctx, tx, id)
		out = fromRecord(rec)
		return err
	})
	return out, err
}

// Update replaces the content of a.Id if its version is still a.Version, and
// returns it with the next version. A stale version is Aborted (VERSION_CONFLICT);
// a missing ADR is NotFound. The author stays the creator.
func (s *Store) Update(ctx context.Context, a *adrv1.ADR) (*adrv1.ADR, error) {
	var out *adrv1.ADR
	err := rls.InTenant(ctx, s.pool, func(tx pgx.Tx) error {
		current, err := s.table.Get(ctx, tx, a.GetId())
		if err != nil {
			return err
		}
		rec := toRecord(a, current.Author)
		if err := checkSupersededBy(ctx, tx, rec); err != nil {
			return err
		}
		stored, err := s.table.Update(ctx, tx, rec)
		if err != nil {
			return err
		}
		out = fromRecord(stored)
		return s.changed(ctx, tx, adrv1.WatchADRsResponse_KIND_UPDATED, out)
	})
	return out, err
}

// Delete removes id if its version is still version. Like Update, a stale version
// is Aborted (VERSION_CONFLICT) and a missing ADR NotFound (ADR_NOT_FOUND).
func (s *Store) Delete(ctx context.Context, id string, version int64) error {
	return rls.InTenant(ctx, s.pool, func(tx pgx.Tx) error {
		old, err := s.table.DeleteVersion(ctx, tx, id, version)
		if err != nil {
			return err
		}
		return s.changed(ctx, tx, adrv1.WatchADRsResponse_KIND_DELETED, fromRecord(old))
	})
}

// ChangeRetention is how long a change stays in adr_changes. The watch hubs read a change
// as soon as its write commits; kept for good, the table would hold a copy of every
// version of every ADR, deleted ones included.
const ChangeRetention = time.Hour

// pruneBatch bounds how many expired changes one write drops, so that a write's cost
// stays bounded however many have piled up; each write adds one.
const pruneBatch = 16

// changed records the change for WatchADRs, notifies the instances, and runs
// afterWrite, all in the write's transaction: if it rolls back, nothing happened. It
// also drops up to pruneBatch of the tenant's changes older than ChangeRetention (rows
// another write is dropping are skipped, not waited for).
func (s *Store) changed(ctx context.Context, tx pgx.Tx, kind adrv1.WatchADRsResponse_Kind, a *adrv1.ADR) error {
	b, err := proto.Marshal(a)
	if err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `DELETE FROM adr_changes WHERE seq IN (
		SELECT seq FROM adr_changes WHERE change_time < now() - make_interval(secs => $1)
		ORDER BY change_time LIMIT $2 FOR UPDATE SKIP LOCKED)`, ChangeRetention.Seconds(), pruneBatch); err != nil {
		return err
	}
	var tenant string
	var seq int64
	if err := tx.QueryRow(ctx, `INSERT INTO adr_changes (kind, adr) VALUES ($1, $2) RETURNING tenant_id, seq`,
		int16(kind), b).Scan(&tenant, &seq); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `SELECT pg_notify($1, $2)`, NotifyChannel, tenant+":"+strconv.FormatInt(seq, 10)); err != nil {
		return err
	}
	if s.afterWrite != nil {
		return s.afterWrite(ctx, tx, kind, a)
	}
	return nil
}

// checkSupersededBy refuses a superseded_by that names no other ADR of the tenant: the
// column has no foreign key (ADRs are deleted freely), and a reference to another
// tenant's id, or to the ADR itself, would otherwise be stored and rendered, for a
// consumer to follow.
func checkSupersededBy(ctx context.Context, tx pgx.Tx, rec record) error {
	if rec.SupersededBy == nil {
		return nil
	}
	var exists bool
	if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM adrs WHERE id = $1)`, *rec.SupersededBy).Scan(&exists); err != nil {
		return err
	}
	if !exists || strings.EqualFold(*rec.SupersededBy, rec.ID) {
		return errs.FailedPrecondition("SUPERSEDING_ADR_NOT_FOUND", "superseded_by must name another ADR of this tenant",
			errs.WithDomain(Domain), errs.WithFieldViolation("adr.superseded_by", "names no other ADR of this tenant", "adr.superseded_by_exists"))
	}
	return nil
}

// mapError maps a query error to the error model: no row is this service's
// ADR_NOT_FOUND; the rest is storage/pg's mapping (unique → AlreadyExists, check →
// InvalidArgument, serialization → Aborted, anything else → Internal).
func nonNil(tags []string) []string {
	if tags == nil {
		return []string{}
	}
	return tags
}
