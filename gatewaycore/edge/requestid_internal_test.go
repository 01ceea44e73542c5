package edge

import (
	"encoding/hex"
	mathrand "math/rand/v2"
	"testing"
)

// TestRequestIDFromMatchesRead checks requestIDFrom against what NewRequestID did
// before: ChaCha8.Read of 16 bytes, hex-encoded — the same ids from the same seed.
func TestRequestIDFromMatchesRead(t *testing.T) {
	t.Parallel()
	for seed := range 8 {
		var s [32]byte
		s[0], s[31] = byte(seed), byte(3*seed+1)
		ours, theirs := mathrand.NewChaCha8(s), mathrand.NewChaCha8(s)
		for i := range 1000 {
			var b [16]byte
			_, _ = theirs.Read(b[:])
			want := hex.EncodeToString(b[:])
			if got := requestIDFrom(ours); got != want {
				t.Fatalf("seed %d, id %d: %q, Read gives %q", seed, i, got, want)
			}
		}
	}
}
