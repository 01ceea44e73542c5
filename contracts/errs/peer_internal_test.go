package errs

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzPeerMessage: a peer's message comes out valid UTF-8, at most MaxPeerMessageLen
// bytes, and unchanged when it was both already.
func FuzzPeerMessage(f *testing.F) {
	f.Add("no such ADR", 1)
	f.Add("é\xff", 3000)
	f.Add("—", 2000)
	f.Fuzz(func(t *testing.T, unit string, n int) {
		if n < 0 || n > 5000 || len(unit)*n > 1<<20 {
			return
		}
		msg := strings.Repeat(unit, n)
		got := peerMessage(msg)
		if !utf8.ValidString(got) || len(got) > MaxPeerMessageLen {
			t.Fatalf("peerMessage gave %d bytes, valid %v", len(got), utf8.ValidString(got))
		}
		if utf8.ValidString(msg) && len(msg) <= MaxPeerMessageLen && got != msg {
			t.Fatal("a short valid message was changed")
		}
		if utf8.ValidString(msg) && !strings.HasPrefix(msg, strings.TrimSuffix(got, "…")) {
			t.Fatal("the cut message is not a prefix")
		}
	})
}
