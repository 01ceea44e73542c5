package repo

import (
	"context"
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/footingdev/footing/contracts/errs"
	commonv1 "github.com/footingdev/footing/contracts/gen/go/footing/common/v1"
	"github.com/footingdev/footing/contracts/identity"
	"github.com/footingdev/footing/storage/internal/tenantid"
)

// A Filter narrows a List to rows whose column equals a value ([Eq]) or, for an array
// column, contains it ([Contains]). A Filter literal without a constructor is [Eq].
type Filter struct {
	Column string
	Value  any
	// contains makes the filter column @> ARRAY[value] instead of column = value.
	contains bool
}

// Eq returns the [Filter] column = value, or column IS NULL when value is nil (untyped, or
// a nil pointer, map or slice, which pgx sends as NULL): column = NULL is never true.
func Eq(column string, value any) Filter { return Filter{Column: column, Value: value} }

// isNil reports whether v is nil or a nil pointer, map, slice or interface.
func isNil(v any) bool {
	if v == nil {
		return true
	}
	switch rv := reflect.ValueOf(v); rv.Kind() {
	case reflect.Pointer, reflect.Map, reflect.Slice, reflect.Interface:
		return rv.IsNil()
	}
	return false
}

// Contains returns the [Filter] "array column contains value": column @> ARRAY[value], which
// a GIN index on the column serves. The column must be a slice field of T (not []byte) and
// value one element of it, non-nil: of the element type, or a string, integer or float
// that converts to it without loss (7 for an []int32 column).
func Contains(column string, value any) Filter {
	return Filter{Column: column, Value: value, contains: true}
}

func errFilter(msg, violation string) error {
	return errs.InvalidArgument("FILTER_INVALID", msg, errs.WithDomain(domain),
		errs.WithFieldViolation("filter", violation, "FILTER_INVALID"))
}

// where returns f's condition with its value as parameter $n, the value to pass (nil
// when the condition takes none: Eq with a nil value is col IS NULL), and the filter's
// part of the listing id.
func (t *Table[T]) where(f Filter, n int) (cond string, arg any, part string, err error) {
	c, ok := t.byName[f.Column]
	if !ok {
		return "", nil, "", errFilter("no such column to filter on", "unknown column "+f.Column)
	}
	if !f.contains {
		if isNil(f.Value) {
			// col = NULL is never true: nil asks for the rows without a value.
			return ident(f.Column) + " IS NULL", nil, f.Column, nil
		}
		return fmt.Sprintf("%s = $%d", ident(f.Column), n), f.Value, f.Column, nil
	}
	if (c.typ.Kind() != reflect.Slice && c.typ.Kind() != reflect.Array) || c.typ.Elem().Kind() == reflect.Uint8 {
		return "", nil, "", errFilter("contains needs an array column", "column "+f.Column+" is not an array")
	}
	if f.Value == nil {
		return "", nil, "", errFilter("contains needs a value", "no value to look for in "+f.Column)
	}
	v, err := elementOf(c.typ, f.Column, f.Value)
	if err != nil {
		return "", nil, "", err
	}
	// A one-element slice of the element type as $n: Postgres types $n from the column
	// (int[] @> $n is int[]), where ARRAY[$n] would default an untyped $n to text.
	one := reflect.MakeSlice(reflect.SliceOf(v.Type()), 1, 1)
	one.Index(0).Set(v)
	// A NUL byte cannot be in a Postgres column name, so no Eq filter has this part.
	return fmt.Sprintf("%s @> $%d", ident(f.Column), n), one.Interface(), f.Column + "\x00@>", nil
}

// elementOf returns value as an element of the array column of type col (a slice or
// array, or of what its elements point to): the value itself when it is assignable, or
// converted when both are strings, both integers (signed or not) or both floats
// and the value fits (7 for an int32 column; a string for a column of a named string
// type). Anything else is InvalidArgument (FILTER_INVALID) naming both types, before any
// query: Postgres would only say that it cannot encode the value.
func elementOf(col reflect.Type, column string, value any) (reflect.Value, error) {
	elem := col.Elem()
	if elem.Kind() == reflect.Pointer {
		elem = elem.Elem()
	}
	v := reflect.ValueOf(value)
	if v.Type().AssignableTo(elem) {
		return v, nil
	}
	fits := false
	switch k := v.Kind(); {
	case k == reflect.String && elem.Kind() == reflect.String:
		fits = true
	case v.CanInt() && reflect.Zero(elem).CanInt():
		fits = !reflect.Zero(elem).OverflowInt(v.Int())
	case v.CanUint() && reflect.Zero(elem).CanUint():
		fits = !reflect.Zero(elem).OverflowUint(v.Uint())
	case v.CanInt() && reflect.Zero(elem).CanUint():
		fits = v.Int() >= 0 && !reflect.Zero(elem).OverflowUint(uint64(v.Int()))
	case v.CanUint() && reflect.Zero(elem).CanInt():
		fits = v.Uint() <= math.MaxInt64 && !reflect.Zero(elem).OverflowInt(int64(v.Uint()))
	case v.CanFloat() && reflect.Zero(elem).CanFloat():
		fits = !reflect.Zero(elem).OverflowFloat(v.Float())
	}
	if !fits {
		return reflect.Value{}, errFilter("contains value does not fit the column",
			fmt.Sprintf("column %s holds %s, not %T", column, elem, value))
	}
	return v.Convert(elem), nil
}

// List returns one page of rows in (OrderColumn, IDColumn) order, filtered by filters (all
// must hold), and the token for the next page (empty on the last). A page_token must come
// from the same listing (table, tenant, filters: column, kind and value) or List returns
// InvalidArgument (PAGE_TOKEN_INVALID); a filter on no column of T, or Contains on a column
// that is not an array or with a value that does not fit its elements, is InvalidArgument
// (FILTER_INVALID).
// page_size 0 means DefaultPageSize; above MaxPageSize is InvalidArgument.
func (t *Table[T]) List(ctx context.Context, db DBTX, req *commonv1.PageRequest, filters ...Filter) ([]T, *commonv1.PageResponse, error) {
	size := req.GetPageSize()
	switch {
	case size == 0:
		size = t.cfg.DefaultPageSize
	case size < 0 || size > t.cfg.MaxPageSize:
		return nil, nil, errs.InvalidArgument("PAGE_SIZE_INVALID", fmt.Sprintf("page_size must be between 0 and %d", t.cfg.MaxPageSize),
			errs.WithDomain(domain), errs.WithFieldViolation("page_size", "out of range", "PAGE_SIZE_INVALID"))
	}
	// The tenant as rls scopes it, so that a token survives another spelling of it.
	tenant, _ := identity.TenantID(ctx)
	if c, ok := tenantid.Canonical(tenant); ok {
		tenant = c
	}
	parts := []string{t.cfg.Table, tenant, t.cfg.OrderColumn, fmt.Sprint(t.cfg.Descending)}
	var where []string
	var args []any
	for _, f := range filters {
		cond, arg, part, err := t.where(f, len(args)+1)
		if err != nil {
			return nil, nil, err
		}
		if arg != nil {
			args = append(args, arg)
		}
		where = append(where, cond)
		b, _ := json.Marshal(f.Value)
		parts = append(parts, part, string(b))
	}
	listing := listingID(parts...)

	keyCols := []column{t.byName[t.cfg.OrderColumn]}
	if t.cfg.OrderColumn != t.cfg.IDColumn {
		keyCols = append(keyCols, t.byName[t.cfg.IDColumn])
	}
	if tok := req.GetPageToken(); tok != "" {
		c, err := decodeToken(t.cfg.TokenKey, tok, listing, len(keyCols))
		if err != nil {
			return nil, nil, err
		}
		keys := make([]any, len(keyCols))
		for i, kc := range keyCols {
			p := reflect.New(kc.typ)
			if err := json.Unmarshal(c.Keys[i], p.Interface()); err != nil {
				return nil, nil, errToken("malformed")
			}
			keys[i] = p.Elem().Interface()
		}
		var cond string
		cond, args = t.after(keyCols, keys, args)
		where = append(where, cond)
	}
	// Postgres sorts NULLs last ascending and first descending; after() pages in that order.
	dir := " ASC"
	if t.cfg.Descending {
		dir = " DESC"
	}
	var order []string
	for _, kc := range keyCols {
		order = append(order, ident(kc.name)+dir)
	}
	sql := "SELECT " + t.selectList + " FROM " + ident(t.cfg.Table)
	if len(where) > 0 {
		sql += " WHERE " + strings.Join(where, " AND ")
	}
	sql += " ORDER BY " + strings.Join(order, ", ") + fmt.Sprintf(" LIMIT %d", size+1)
	rows, err := db.Query(ctx, sql, args...)
	if err != nil {
		return nil, nil, t.mapErr(err)
	}
	items, err := pgx.CollectRows(rows, pgx.RowToStructByName[T])
	if err != nil {
		return nil, nil, t.mapErr(err)
	}
	resp := &commonv1.PageResponse{}
	if len(items) > int(size) {
		items = items[:size]
		last := reflect.ValueOf(&items[len(items)-1]).Elem()
		c := cursor{Listing: listing}
		for _, kc := range keyCols {
			b, err := json.Marshal(field(last, kc).Interface())
			if err != nil {
				return nil, nil, errs.Internal(err)
			}
			c.Keys = append(c.Keys, b)
		}
		if resp.NextPageToken, err = encodeToken(t.cfg.TokenKey, c); err != nil {
			return nil, nil, err
		}
	}
	return items, resp, nil
}

// after is the keyset condition for the rows after the cursor keys (the order column's
// value, then the id's when the order column is another), with the values it needs
// appended to args as parameters. A row comparison alone, (col, id) > ($1, $2), is never
// true for a NULL on either side, so on a nullable order column it would end the listing
// at the first NULL: ascending (NULLs last) the rows after a value are also those whose
// value is NULL, and after a NULL only NULLs with a higher id; descending (NULLs first)
// after a NULL come NULLs with a lower id and then every row with a value.
func (t *Table[T]) after(keyCols []column, keys []any, args []any) (string, []any) {
	param := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	op := ">"
	if t.cfg.Descending {
		op = "<"
	}
	if len(keyCols) == 1 {
		return ident(keyCols[0].name) + " " + op + " " + param(keys[0]), args
	}
	col, id := ident(keyCols[0].name), ident(keyCols[1].name)
	nullable := canBeNull(keyCols[0].typ)
	switch {
	case nullable && isNullValue(keys[0]) && !t.cfg.Descending:
		return "(" + col + " IS NULL AND " + id + " > " + param(keys[1]) + ")", args
	case nullable && isNullValue(keys[0]):
		return "((" + col + " IS NULL AND " + id + " < " + param(keys[1]) + ") OR " + col + " IS NOT NULL)", args
	}
	cond := "(" + col + ", " + id + ") " + op + " (" + param(keys[0]) + ", " + param(keys[1]) + ")"
	if nullable && !t.cfg.Descending {
		cond = "(" + cond + " OR " + col + " IS NULL)"
	}
	return cond, args
}

// canBeNull reports whether a field of type typ holds NULLs: a pointer (or map, slice,
// interface), or a type whose zero value is sent as NULL (sql.NullString, pgtype.Text,
// ...: not Valid). pgx refuses to scan a NULL into other types (string, time.Time),
// so a listing through them never meets one.
func canBeNull(typ reflect.Type) bool {
	switch typ.Kind() {
	case reflect.Pointer, reflect.Map, reflect.Slice, reflect.Interface:
		return true
	}
	return isNullValue(reflect.Zero(typ).Interface())
}

// isNullValue reports whether pgx sends v as NULL: nil, a nil pointer (map, slice,
// interface), or a driver.Valuer whose value is nil (sql.NullString, pgtype.Text, ...
// not Valid).
func isNullValue(v any) bool {
	if isNil(v) {
		return true
	}
	if dv, ok := v.(driver.Valuer); ok {
		val, err := dv.Value()
		return err == nil && val == nil
	}
	return false
}
