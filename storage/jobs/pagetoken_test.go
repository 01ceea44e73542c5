package jobs

import (
	"strings"
	"testing"

	"connectrpc.com/connect"
	"github.com/riverqueue/river/rivertype"

	"github.com/footingdev/footing/contracts/errs"
)

var tokenKey = []byte("0123456789abcdef0123456789abcdef")

func TestPageTokenRoundTrip(t *testing.T) {
	t.Parallel()
	listing := listingID("8d5e2a34-6a5c-4f5e-9f0e-2b1f6c0b1a11", ListFilter{Kinds: []string{"a"}})
	tok, err := encodePageToken(tokenKey, pageCursor{Listing: listing, After: 42})
	if err != nil {
		t.Fatal(err)
	}
	c, err := decodePageToken(tokenKey, tok, listing)
	if err != nil || c.After != 42 {
		t.Fatalf("decoded %+v, %v", c, err)
	}
	if _, err := decodePageToken([]byte(strings.Repeat("k", 32)), tok, listing); errs.From(err).Code != connect.CodeInvalidArgument {
		t.Fatalf("token under another key: %v", err)
	}
}

// TestListingIDSeparatesFilters checks that filters that differ only in where an element
// sits (a kind or a queue) name different listings.
func TestListingIDSeparatesFilters(t *testing.T) {
	t.Parallel()
	tenant := "8d5e2a34-6a5c-4f5e-9f0e-2b1f6c0b1a11"
	ids := map[string]bool{}
	for _, f := range []ListFilter{
		{}, {Descending: true}, {Kinds: []string{"q"}}, {Queues: []string{"q"}}, {States: []rivertype.JobState{"q"}},
		{Kinds: []string{"a", "b"}}, {Kinds: []string{"ab"}}, {Kinds: []string{"a"}, Queues: []string{"b"}},
	} {
		id := listingID(tenant, f)
		if ids[id] {
			t.Fatalf("filter %+v shares its listing id with an earlier one", f)
		}
		ids[id] = true
	}
	if listingID(tenant, ListFilter{}) == listingID("9d5e2a34-6a5c-4f5e-9f0e-2b1f6c0b1a11", ListFilter{}) {
		t.Fatal("two tenants share a listing id")
	}
}

// FuzzDecodePageToken feeds arbitrary tokens: they never panic, and only a token this key
// signed for this listing decodes.
func FuzzDecodePageToken(f *testing.F) {
	listing := listingID("8d5e2a34-6a5c-4f5e-9f0e-2b1f6c0b1a11", ListFilter{})
	good, _ := encodePageToken(tokenKey, pageCursor{Listing: listing, After: 7})
	for _, s := range []string{"", ".", "a.b", good, good + "x", "x" + good, strings.Repeat("A", 3000)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, tok string) {
		c, err := decodePageToken(tokenKey, tok, listing)
		if err == nil && (c.After < 1 || c.Listing != listing) {
			t.Fatalf("accepted %q as %+v", tok, c)
		}
		if err != nil && errs.From(err).Code != connect.CodeInvalidArgument {
			t.Fatalf("token %q: %v; want InvalidArgument", tok, err)
		}
	})
}
