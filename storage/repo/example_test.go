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
