package repo

import (
	"strings"
	"testing"
	"unicode/utf8"

	"connectrpc.com/connect"

	"github.com/footingdev/footing/contracts/errs"
)

var fuzzKey = []byte("fuzz-key-fuzz-key-fuzz-key-fuzz!")

// FuzzDecodeToken feeds arbitrary page tokens to the parser: it never panics, accepts only
// tokens it signed for this listing, and otherwise returns PAGE_TOKEN_INVALID without echoing
// the input.
func FuzzDecodeToken(f *testing.F) {
	good, _ := encodeToken(fuzzKey, cursor{Listing: "L", Keys: []jsonRaw{jsonRaw(`42`)}})
	other, _ := encodeToken(fuzzKey, cursor{Listing: "M", Keys: []jsonRaw{jsonRaw(`42`)}})
	for _, s := range []string{good, other, "", ".", "a.b", good + "x", strings.Repeat("A", 3000), "eyJ2IjoxfQ.AAAA", good[:len(good)/2]} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, tok string) {
		c, err := decodeToken(fuzzKey, tok, "L", 1)
		if err == nil {
			if tok != good && !validSigned(tok) {
				t.Fatalf("accepted unsigned token %q", tok)
			}
			if c.Listing != "L" || len(c.Keys) != 1 {
				t.Fatalf("accepted %+v", c)
			}
			return
		}
		d := errs.From(err)
		if d.Code != connect.CodeInvalidArgument || d.Reason != "PAGE_TOKEN_INVALID" {
			t.Fatalf("error %v", err)
		}
		if len(tok) > 3 && utf8.ValidString(tok) && strings.Contains(err.Error(), tok) {
			t.Fatalf("error echoes the token")
		}
	})
}

// validSigned reports whether tok carries a correct MAC (the fuzzer cannot forge one, so an
// accepted token must be a re-encoding of the seed's payload).
func validSigned(tok string) bool {
	payload, _, _ := strings.Cut(tok, ".")
	good, _ := encodeToken(fuzzKey, cursor{Listing: "L", Keys: []jsonRaw{jsonRaw(`42`)}})
	gp, _, _ := strings.Cut(good, ".")
	return payload == gp
}

func TestTokenRoundTrip(t *testing.T) {
	t.Parallel()
	tok, err := encodeToken(fuzzKey, cursor{Listing: "L", Keys: []jsonRaw{jsonRaw(`"2026-01-01T00:00:00Z"`), jsonRaw(`7`)}})
	if err != nil {
		t.Fatal(err)
	}
	c, err := decodeToken(fuzzKey, tok, "L", 2)
	if err != nil || string(c.Keys[1]) != "7" {
		t.Fatalf("round trip: %+v %v", c, err)
	}
	if _, err := decodeToken(fuzzKey, tok, "L", 1); err == nil {
		t.Fatal("wrong key count accepted")
	}
}
