package repo_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/uuid"

	commonv1 "github.com/footingdev/footing/contracts/gen/go/footing/common/v1"
	"github.com/footingdev/footing/storage/repo"
)

// TestPageTokenFollowsTheTenantNotItsSpelling checks that a page token is bound to the
// tenant, not to how the Principal spells it: rls scopes "ABC…" and "abc…" (and the
// unhyphenated form) as one tenant, so the same listing's next page must not be refused
// as "from another listing" when the spelling differs between requests.
func TestPageTokenFollowsTheTenantNotItsSpelling(t *testing.T) {
	t.Parallel()
	r, _ := newRepo(t, repo.Config{})
	tenant := uuid.NewString()
	for i := range 3 {
		if _, err := r.Create(as(tenant), Note{Title: fmt.Sprint("n", i)}); err != nil {
			t.Fatal(err)
		}
	}
	_, resp, err := r.List(as(strings.ToUpper(tenant)), &commonv1.PageRequest{PageSize: 2})
	if err != nil || resp.GetNextPageToken() == "" {
		t.Fatalf("first page: %v, token %q", err, resp.GetNextPageToken())
	}
	for _, spelling := range []string{tenant, strings.ReplaceAll(tenant, "-", "")} {
		items, _, err := r.List(as(spelling), &commonv1.PageRequest{PageSize: 2, PageToken: resp.GetNextPageToken()})
		if err != nil || len(items) != 1 {
			t.Fatalf("next page as %s: %d items, %v; want the last note", spelling, len(items), err)
		}
	}
	// Another tenant still cannot use it.
	if _, _, err := r.List(as(uuid.NewString()), &commonv1.PageRequest{PageSize: 2, PageToken: resp.GetNextPageToken()}); err == nil {
		t.Fatal("another tenant used the token")
	}
}
