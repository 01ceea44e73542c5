package repo_test

import (
	"context"
	"fmt"

	"github.com/footingdev/footing/contracts/errs"
	commonv1 "github.com/footingdev/footing/contracts/gen/go/footing/common/v1"
	"github.com/footingdev/footing/contracts/identity"
	"github.com/footingdev/footing/storage/pgtest"
	"github.com/footingdev/footing/storage/repo"
)

func Example() {
	db, err := pgtest.Create(context.Background(), pgtest.WithMigrations(schema), pgtest.WithoutRiver())
	if err != nil {
		fmt.Println(err)
		return
	}
	defer db.Close()

	notes, err := repo.New[Note](db.App, repo.Config{Table: "notes", TokenKey: []byte("0123456789abcdef0123456789abcdef")})
	if err != nil {
		fmt.Println(err)
		return
	}
	acme := identity.WithPrincipal(context.Background(), &commonv1.Principal{Subject: "a", TenantId: "8d5e2a34-6a5c-4f5e-9f0e-2b1f6c0b1a11"})
	globex := identity.WithPrincipal(context.Background(), &commonv1.Principal{Subject: "g", TenantId: "1b4e28ba-2fa1-11d2-883f-0016d3cca427"})

	n, _ := notes.Create(acme, Note{Title: "hello"})
	n.Title = "hello, world"
	n, _ = notes.Update(acme, n)
	fmt.Println(n.Title, n.Version)

	_, err = notes.Get(globex, n.ID) // another tenant's row does not exist for globex
	fmt.Println(errs.From(err).Code, errs.From(err).Reason)

	page, next, _ := notes.List(acme, &commonv1.PageRequest{PageSize: 10})
	fmt.Println(len(page), next.GetNextPageToken() == "")
	// Output:
	// hello, world 2
	// not_found NOTE_NOT_FOUND
	// 1 true
}

func ExampleRepo_DeleteVersion() {
	db, err := pgtest.Create(context.Background(), pgtest.WithMigrations(schema), pgtest.WithoutRiver())
	if err != nil {
		fmt.Println(err)
		return
	}
	defer db.Close()

	notes, err := repo.New[Note](db.App, repo.Config{Table: "notes", TokenKey: []byte("0123456789abcdef0123456789abcdef")})
	if err != nil {
		fmt.Println(err)
		return
	}
	acme := identity.WithPrincipal(context.Background(), &commonv1.Principal{Subject: "a", TenantId: "8d5e2a34-6a5c-4f5e-9f0e-2b1f6c0b1a11"})

	n, _ := notes.Create(acme, Note{Title: "draft"})
	read := n // version 1
	n.Title = "final"
	n, _ = notes.Update(acme, n) // version 2

	_, err = notes.DeleteVersion(acme, read.ID, read.Version) // changed since it was read
	fmt.Println(errs.From(err).Code, errs.From(err).Reason)

	old, err := notes.DeleteVersion(acme, n.ID, n.Version)
	fmt.Println(old.Title, err)

	_, err = notes.DeleteVersion(acme, n.ID, n.Version)
	fmt.Println(errs.From(err).Code, errs.From(err).Reason)
	// Output:
	// aborted VERSION_CONFLICT
	// final <nil>
	// not_found NOTE_NOT_FOUND
}

func ExampleContains() {
	db, err := pgtest.Create(context.Background(), pgtest.WithMigrations(schema), pgtest.WithoutRiver())
	if err != nil {
		fmt.Println(err)
		return
	}
	defer db.Close()

	tagged, err := repo.New[Tagged](db.App, repo.Config{Table: "tagged", TokenKey: []byte("0123456789abcdef0123456789abcdef")})
	if err != nil {
		fmt.Println(err)
		return
	}
	acme := identity.WithPrincipal(context.Background(), &commonv1.Principal{Subject: "a", TenantId: "8d5e2a34-6a5c-4f5e-9f0e-2b1f6c0b1a11"})
	for i, tags := range [][]string{{"db"}, {"db", "ops"}, {"ops"}, {"db"}} {
		if _, err := tagged.Create(acme, Tagged{Tags: tags, Nums: []int32{}, Rank: int32(i % 2)}); err != nil {
			fmt.Println(err)
			return
		}
	}

	// tags @> ARRAY['db'] AND rank = 1, one per page.
	page, resp, _ := tagged.List(acme, &commonv1.PageRequest{PageSize: 1}, repo.Contains("tags", "db"), repo.Eq("rank", 1))
	fmt.Println(page[0].Tags, page[0].Rank, resp.GetNextPageToken() != "")
	page, resp, _ = tagged.List(acme, &commonv1.PageRequest{PageSize: 1, PageToken: resp.GetNextPageToken()},
		repo.Contains("tags", "db"), repo.Eq("rank", 1))
	fmt.Println(page[0].Tags, page[0].Rank, resp.GetNextPageToken() != "")

	// The token belongs to its listing: with other filters it is refused.
	_, first, _ := tagged.List(acme, &commonv1.PageRequest{PageSize: 1}, repo.Contains("tags", "db"))
	_, _, err = tagged.List(acme, &commonv1.PageRequest{PageToken: first.GetNextPageToken()}, repo.Contains("tags", "ops"))
	fmt.Println(errs.From(err).Reason)
	// Output:
	// [db ops] 1 true
	// [db] 1 false
	// PAGE_TOKEN_INVALID
}
