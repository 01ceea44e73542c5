package repo_test

import (
	"slices"
	"testing"

	"connectrpc.com/connect"
	"github.com/google/uuid"

	commonv1 "github.com/footingdev/footing/contracts/gen/go/footing/common/v1"
	"github.com/footingdev/footing/storage/repo"
)

// Tagged is a row of the test table with array columns.
type Tagged struct {
	TenantID string   `db:"tenant_id"`
	ID       int64    `db:"id"`
	Tags     []string `db:"tags"`
	Nums     []int32  `db:"nums"`
	Rank     int32    `db:"rank"`
	Version  int64    `db:"version"`
}

func TestListContains(t *testing.T) {
	t.Parallel()
	_, db := newRepo(t, repo.Config{})
	r, err := repo.New[Tagged](db.App, repo.Config{Table: "tagged", TokenKey: tokenKey})
	if err != nil {
		t.Fatal(err)
	}
	a, b := as(uuid.NewString()), as(uuid.NewString())
	// Row i has tag "even" or "odd", tag "db" when i%3 == 0, nums {i}, rank i%2.
	for i := range 30 {
		tags := []string{[]string{"even", "odd"}[i%2]}
		if i%3 == 0 {
			tags = append(tags, "db")
		}
		if _, err := r.Create(a, Tagged{Tags: tags, Nums: []int32{int32(i)}, Rank: int32(i % 2)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := r.Create(b, Tagged{Tags: []string{"db", "even"}, Nums: []int32{}}); err != nil {
		t.Fatal(err)
	}
	all := func(t *testing.T, size int32, filters ...repo.Filter) (items []Tagged, pages int) {
		t.Helper()
		req := &commonv1.PageRequest{PageSize: size}
		for {
			page, resp, err := r.List(a, req, filters...)
			if err != nil {
				t.Fatal(err)
			}
			pages++
			items = append(items, page...)
			if resp.GetNextPageToken() == "" {
				return items, pages
			}
			req.PageToken = resp.GetNextPageToken()
		}
	}
	for _, tc := range []struct {
		name    string
		filters []repo.Filter
		want    func(x Tagged) bool
		n       int
	}{
		{"contains", []repo.Filter{repo.Contains("tags", "db")}, func(x Tagged) bool { return slices.Contains(x.Tags, "db") }, 10},
		{"contains int", []repo.Filter{repo.Contains("nums", 7)}, func(x Tagged) bool { return slices.Equal(x.Nums, []int32{7}) }, 1},
		{"contains int64", []repo.Filter{repo.Contains("nums", int64(8))}, func(x Tagged) bool { return slices.Equal(x.Nums, []int32{8}) }, 1},
		{"contains uint8", []repo.Filter{repo.Contains("nums", uint8(9))}, func(x Tagged) bool { return slices.Equal(x.Nums, []int32{9}) }, 1},
		{"contains int32", []repo.Filter{repo.Contains("nums", int32(10))}, func(x Tagged) bool { return slices.Equal(x.Nums, []int32{10}) }, 1},
		{"contains and eq", []repo.Filter{repo.Contains("tags", "db"), repo.Eq("rank", 1)},
			func(x Tagged) bool { return slices.Contains(x.Tags, "db") && x.Rank == 1 }, 5},
		{"two contains", []repo.Filter{repo.Contains("tags", "db"), repo.Contains("tags", "even")},
			func(x Tagged) bool { return slices.Contains(x.Tags, "db") && slices.Contains(x.Tags, "even") }, 5},
		{"contains nothing", []repo.Filter{repo.Contains("tags", "none")}, nil, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			items, pages := all(t, 3, tc.filters...)
			if len(items) != tc.n || pages != max(1, (tc.n+2)/3) {
				t.Fatalf("%d items in %d pages; want %d in pages of 3", len(items), pages, tc.n)
			}
			for i, x := range items {
				if !tc.want(x) || i > 0 && items[i-1].ID >= x.ID {
					t.Fatalf("item %d %+v: does not match, or out of order", i, x)
				}
			}
		})
	}

	// A token is bound to its filters: kind, column and value.
	_, resp, err := r.List(a, &commonv1.PageRequest{PageSize: 2}, repo.Contains("tags", "db"))
	if err != nil || resp.GetNextPageToken() == "" {
		t.Fatalf("first page: %v %v", resp, err)
	}
	tok := resp.GetNextPageToken()
	for name, filters := range map[string][]repo.Filter{
		"eq same column and value": {repo.Eq("tags", "db")},
		"other value":              {repo.Contains("tags", "even")},
		"other column":             {repo.Contains("nums", 0)},
		"more filters":             {repo.Contains("tags", "db"), repo.Eq("rank", 1)},
		"no filter":                nil,
	} {
		t.Run("token/"+name, func(t *testing.T) {
			_, _, err := r.List(a, &commonv1.PageRequest{PageToken: tok}, filters...)
			wantErr(t, err, connect.CodeInvalidArgument, "PAGE_TOKEN_INVALID")
		})
	}
	t.Run("token/other tenant", func(t *testing.T) {
		_, _, err := r.List(b, &commonv1.PageRequest{PageToken: tok}, repo.Contains("tags", "db"))
		wantErr(t, err, connect.CodeInvalidArgument, "PAGE_TOKEN_INVALID")
	})
	if _, _, err := r.List(a, &commonv1.PageRequest{PageToken: tok}, repo.Contains("tags", "db")); err != nil {
		t.Fatalf("own token refused: %v", err)
	}
	// An Eq listing's token is not accepted by the Contains listing with the same column and value.
	_, resp, err = r.List(a, &commonv1.PageRequest{PageSize: 1}, repo.Eq("rank", 1))
	if err != nil || resp.GetNextPageToken() == "" {
		t.Fatalf("eq first page: %v %v", resp, err)
	}
	_, _, err = r.List(a, &commonv1.PageRequest{PageToken: resp.GetNextPageToken()}, repo.Contains("nums", 1))
	wantErr(t, err, connect.CodeInvalidArgument, "PAGE_TOKEN_INVALID")

	// Bad filters are refused before any query; values are parameters, never SQL.
	for name, f := range map[string]repo.Filter{
		"unknown column": repo.Contains("tags; DROP TABLE tagged", "x"),
		"not an array":   repo.Contains("rank", 1),
		"nil value":      repo.Contains("tags", nil),
		"string for int": repo.Contains("nums", "db"),
		"int for string": repo.Contains("tags", 7),
		"float for int":  repo.Contains("nums", 1.5),
		"overflows":      repo.Contains("nums", int64(1)<<40),
		"too big uint":   repo.Contains("nums", uint64(1)<<63),
		"slice as value": repo.Contains("tags", []string{"db"}),
	} {
		t.Run("bad/"+name, func(t *testing.T) {
			_, _, err := r.List(a, nil, f)
			wantErr(t, err, connect.CodeInvalidArgument, "FILTER_INVALID")
		})
	}
	items, _, err := r.List(a, nil, repo.Contains("tags", "db'] OR true --"))
	if err != nil || len(items) != 0 {
		t.Fatalf("quoted value: %d items, %v", len(items), err)
	}
	if items, _ := all(t, 100); len(items) != 30 {
		t.Fatalf("table has %d rows after the injection attempts, want 30", len(items))
	}
}
