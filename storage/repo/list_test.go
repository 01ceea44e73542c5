package repo_test

import (
	"fmt"
	"strings"
	"testing"

	"connectrpc.com/connect"
	"github.com/google/uuid"

	commonv1 "github.com/footingdev/footing/contracts/gen/go/footing/common/v1"
	"github.com/footingdev/footing/storage/repo"
)

func TestListPagesThroughEverything(t *testing.T) {
	t.Parallel()
	r, db := newRepo(t, repo.Config{})
	desc, err := repo.New[Note](db.App, repo.Config{Table: "notes", OrderColumn: "rank", Descending: true, TokenKey: tokenKey})
	if err != nil {
		t.Fatal(err)
	}
	a, b := as(uuid.NewString()), as(uuid.NewString())
	for i := range 25 {
		if _, err := r.Create(a, Note{Title: fmt.Sprint("a", i), Rank: int32(i % 5)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := r.Create(b, Note{Title: "b0"}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		r    *repo.Repo[Note]
		less func(x, y Note) bool
	}{
		{"by id", r, func(x, y Note) bool { return x.ID < y.ID }},
		{"by rank desc", desc, func(x, y Note) bool { return x.Rank > y.Rank || x.Rank == y.Rank && x.ID > y.ID }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var all []Note
			req := &commonv1.PageRequest{PageSize: 10}
			pages := 0
			for {
				items, resp, err := tc.r.List(a, req)
				if err != nil {
					t.Fatal(err)
				}
				pages++
				all = append(all, items...)
				if resp.GetNextPageToken() == "" {
					break
				}
				req.PageToken = resp.GetNextPageToken()
			}
			if pages != 3 || len(all) != 25 {
				t.Fatalf("%d pages, %d items; want 3, 25", pages, len(all))
			}
			for i := 1; i < len(all); i++ {
				if !tc.less(all[i-1], all[i]) {
					t.Fatalf("out of order at %d: %+v then %+v", i, all[i-1], all[i])
				}
			}
		})
	}
	items, _, err := r.List(a, nil, repo.Eq("rank", 4))
	if err != nil || len(items) != 5 {
		t.Fatalf("filtered list: %d items, %v", len(items), err)
	}
}

func TestListRejectsForeignAndForgedTokens(t *testing.T) {
	t.Parallel()
	r, db := newRepo(t, repo.Config{})
	a, b := as(uuid.NewString()), as(uuid.NewString())
	for i := range 3 {
		if _, err := r.Create(a, Note{Title: fmt.Sprint(i), Rank: 1}); err != nil {
			t.Fatal(err)
		}
	}
	_, resp, err := r.List(a, &commonv1.PageRequest{PageSize: 1}, repo.Eq("rank", 1))
	if err != nil || resp.GetNextPageToken() == "" {
		t.Fatalf("first page: %v %v", resp, err)
	}
	tok := resp.GetNextPageToken()
	otherKey, _ := repo.New[Note](db.App, repo.Config{Table: "notes", TokenKey: []byte(strings.Repeat("k", 32))})
	flipped := []byte(tok)
	flipped[3] ^= 1
	cases := []struct {
		name string
		call func() error
	}{
		{"other tenant", func() error {
			_, _, err := r.List(b, &commonv1.PageRequest{PageToken: tok}, repo.Eq("rank", 1))
			return err
		}},
		{"other filter", func() error {
			_, _, err := r.List(a, &commonv1.PageRequest{PageToken: tok}, repo.Eq("rank", 2))
			return err
		}},
		{"no filter", func() error { _, _, err := r.List(a, &commonv1.PageRequest{PageToken: tok}); return err }},
		{"other key", func() error {
			_, _, err := otherKey.List(a, &commonv1.PageRequest{PageToken: tok}, repo.Eq("rank", 1))
			return err
		}},
		{"altered", func() error {
			_, _, err := r.List(a, &commonv1.PageRequest{PageToken: string(flipped)}, repo.Eq("rank", 1))
			return err
		}},
		{"garbage", func() error { _, _, err := r.List(a, &commonv1.PageRequest{PageToken: "%%%"}); return err }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { wantErr(t, tc.call(), connect.CodeInvalidArgument, "PAGE_TOKEN_INVALID") })
	}
	_, _, err = r.List(a, &commonv1.PageRequest{PageSize: 1001})
	wantErr(t, err, connect.CodeInvalidArgument, "PAGE_SIZE_INVALID")
	_, _, err = r.List(a, nil, repo.Eq("title; DROP TABLE notes", 1))
	wantErr(t, err, connect.CodeInvalidArgument, "FILTER_INVALID")
}

func TestNewTableReportsAllProblems(t *testing.T) {
	t.Parallel()
	_, err := repo.NewTable[Note](repo.Config{Table: "notes", VersionColumn: "rev", OrderColumn: "nope", TokenKey: []byte("short")})
	wantErr(t, err, connect.CodeInvalidArgument, "REPO_CONFIG_INVALID")
	if n := len(errsFieldViolations(err)); n != 3 {
		t.Fatalf("%d violations, want 3 (token key, version column, order column): %v", n, err)
	}
}
