package repo

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/footingdev/footing/contracts/errs"
	"github.com/footingdev/footing/storage/pg"
)

// DBTX is what a [Table] runs statements on, the same interface sqlc generates: pgx.Tx,
// *pgx.Conn and *pgxpool.Pool all satisfy it.
type DBTX interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// Config describes a table. Only Table and TokenKey are required.
type Config struct {
	// Table is the table name (may be schema-qualified: "billing.invoices").
	Table string
	// Resource names the rows in errors (NOTE_NOT_FOUND); default: Table without plural s.
	Resource string
	// IDColumn is the primary key (default "id").
	IDColumn string
	// TenantColumn is written as footing_current_tenant() on Create (default "tenant_id").
	TenantColumn string
	// VersionColumn holds the optimistic-concurrency version (default "version"): 1 on Create,
	// +1 on each Update, which must carry the version it read.
	VersionColumn string
	// UpdateTimeColumn, when the struct has it, is set to now() on Update (default "update_time").
	UpdateTimeColumn string
	// DefaultedColumns take the database default on Create when the struct's value is zero
	// (default: IDColumn, "create_time", "update_time").
	DefaultedColumns []string
	// OrderColumn orders List (default IDColumn); IDColumn breaks ties. Descending reverses both.
	// It may hold NULLs (map it to a pointer, sql.Null* or pgtype field): they sort last
	// ascending and first descending, as Postgres sorts them, and page like any value.
	OrderColumn string
	Descending  bool
	// DefaultPageSize (default 50) and MaxPageSize (default 1000) bound List pages.
	DefaultPageSize, MaxPageSize int32
	// TokenKey signs page tokens (HMAC-SHA256); at least 32 bytes, kept secret, shared by all
	// instances. Rotating it invalidates outstanding tokens.
	TokenKey []byte
}

func (c *Config) defaults() {
	def := func(p *string, v string) {
		if *p == "" {
			*p = v
		}
	}
	def(&c.IDColumn, "id")
	def(&c.TenantColumn, "tenant_id")
	def(&c.VersionColumn, "version")
	def(&c.UpdateTimeColumn, "update_time")
	def(&c.OrderColumn, c.IDColumn)
	base := c.Table[strings.LastIndex(c.Table, ".")+1:]
	def(&c.Resource, strings.TrimSuffix(base, "s"))
	if c.DefaultedColumns == nil {
		c.DefaultedColumns = []string{c.IDColumn, "create_time", "update_time"}
	}
	if c.DefaultPageSize == 0 {
		c.DefaultPageSize = 50
	}
	if c.MaxPageSize == 0 {
		c.MaxPageSize = 1000
	}
}

// column is one struct field mapped to a column.
type column struct {
	name  string
	index []int
	typ   reflect.Type
}

// A Table is tenant-scoped CRUD for rows of type T (a struct with db tags naming its
// columns). It is safe for concurrent use.
type Table[T any] struct {
	cfg        Config
	cols       []column
	byName     map[string]column
	selectList string
	notFound   string
}

// NewTable checks cfg against T and returns a [Table]; it reports every problem at once.
func NewTable[T any](cfg Config) (*Table[T], error) {
	var problems []errs.Option
	bad := func(field, msg string) { problems = append(problems, errs.WithFieldViolation(field, msg, "INVALID")) }
	if cfg.Table == "" {
		bad("Table", "required")
	} else {
		cfg.defaults()
	}
	if len(cfg.TokenKey) < 32 {
		bad("TokenKey", "at least 32 bytes")
	}
	if cfg.DefaultPageSize < 0 || cfg.MaxPageSize < 0 || cfg.DefaultPageSize > cfg.MaxPageSize {
		bad("DefaultPageSize", "must be between 1 and MaxPageSize")
	}
	t := &Table[T]{cfg: cfg, byName: map[string]column{}}
	rt := reflect.TypeFor[T]()
	if rt.Kind() != reflect.Struct {
		bad("T", "must be a struct")
	} else {
		for _, f := range reflect.VisibleFields(rt) {
			name, ok := f.Tag.Lookup("db")
			if !f.IsExported() || f.Anonymous || name == "-" {
				continue
			}
			if !ok || name == "" {
				name = strings.ToLower(f.Name)
			}
			name, _, _ = strings.Cut(name, ",")
			c := column{name: name, index: f.Index, typ: f.Type}
			t.cols = append(t.cols, c)
			t.byName[name] = c
		}
	}
	if cfg.Table != "" && rt.Kind() == reflect.Struct {
		for field, col := range map[string]string{"IDColumn": cfg.IDColumn, "VersionColumn": cfg.VersionColumn, "OrderColumn": cfg.OrderColumn} {
			if _, ok := t.byName[col]; !ok {
				bad(field, fmt.Sprintf("struct has no field for column %q", col))
			}
		}
	}
	if len(problems) > 0 {
		return nil, errs.InvalidArgument("REPO_CONFIG_INVALID", "invalid table configuration", problems...)
	}
	names := make([]string, len(t.cols))
	for i, c := range t.cols {
		names[i] = ident(c.name)
	}
	t.selectList = strings.Join(names, ", ")
	t.notFound = strings.ToUpper(strings.ReplaceAll(cfg.Resource, " ", "_")) + "_NOT_FOUND"
	return t, nil
}

// ident quotes a column or table name; "schema.table" keeps its dot.
func ident(name string) string {
	return pgx.Identifier(strings.Split(name, ".")).Sanitize()
}

// field returns the value of column c in v.
func field(v reflect.Value, c column) reflect.Value {
	return v.FieldByIndex(c.index)
}

func mapError(err error) error { return pg.MapError(err) }

const domain = pg.Domain

// mapErr maps a Postgres error, naming the resource in NotFound.
func (t *Table[T]) mapErr(err error) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return t.errNotFound()
	}
	return mapError(err)
}

func (t *Table[T]) errNotFound() error {
	return errs.NotFound(t.notFound, t.cfg.Resource+" not found", errs.WithDomain(domain))
}
