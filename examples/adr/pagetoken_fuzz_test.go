package adr

import (
	"bytes"
	"encoding/base64"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"
)

// FuzzPageTokenDecode feeds ListADRs arbitrary page tokens, as any client can send:
// decode never panics, and it accepts a token only when its bytes are exactly what
// encode makes for the cursor it returns, in the same scope — so a token cannot be
// forged, altered, or moved to another tenant or filter.
func FuzzPageTokenDecode(f *testing.F) {
	p := &pageTokens{key: []byte("0123456789abcdef0123456789abcdef")}
	c := cursor{createTime: time.Date(2026, 12, 3, 19, 40, 0, 123, time.UTC), id: uuid.MustParse("6f1f4d8e-2b7c-4c1e-9a55-3d2a7f0c9b10")}
	valid := p.encode(c, "tenant-a|status=1")
	f.Add(valid, "tenant-a|status=1")
	f.Add(valid, "tenant-b|status=1")
	f.Add(valid[:len(valid)-1]+"A", "tenant-a|status=1")
	f.Add(valid+"=", "tenant-a|status=1")
	f.Add("", "")
	f.Add("not a token", "tenant-a")
	f.Add(base64.RawURLEncoding.EncodeToString(make([]byte, tokenLen)), "")
	f.Fuzz(func(t *testing.T, token, scope string) {
		got, err := p.decode(token, scope)
		if err != nil {
			if !errors.Is(err, errBadToken) {
				t.Fatalf("decode(%q): %v, want errBadToken", token, err)
			}
			return
		}
		raw, _ := base64.RawURLEncoding.DecodeString(token)
		want, _ := base64.RawURLEncoding.DecodeString(p.encode(got, scope))
		if !bytes.Equal(raw, want) {
			t.Fatalf("decode accepted %q in scope %q, which encode does not make for %+v", token, scope, got)
		}
		if scope != "tenant-a|status=1" {
			t.Fatalf("a token accepted in scope %q: only the seed's scope has a valid token", scope)
		}
	})
}
