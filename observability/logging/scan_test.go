package logging

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// TestByteClasses checks the byte table against what it stands for: a byte
// without classEscape is one appendJSONString copies as it is, and the
// credential bytes are those of mayHoldCredential's markers.
func TestByteClasses(t *testing.T) {
	t.Parallel()
	for c := range 256 {
		s := string([]byte{byte(c)})
		escape := byteClass[c]&classEscape != 0
		if want := c >= 0x80 || !jsonSafe[c]; escape != want {
			t.Errorf("byte %#x: classEscape %v, want %v", c, escape, want)
		}
		if !escape && string(appendJSONString(nil, s)) != s {
			t.Errorf("byte %#x has no classEscape but appendJSONString changes it", c)
		}
		cred := byteClass[c]&classCredential != 0
		if want := strings.IndexByte("JbB=:", byte(c)) >= 0; cred != want {
			t.Errorf("byte %#x: classCredential %v, want %v", c, cred, want)
		}
	}
}

// credentialCorpus is text with and without the markers of a credential, in
// short and long strings.
var credentialCorpus = []string{
	"", "POST", "ok", "acme", "u-1", "req-1", "/grpc.health.v1.Health/Check", "http request",
	"eyJ", "xeyJx", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl", "J", "ey",
	"bearer", "Bearer abcdefgh", "BEARER abcdefgh", "basic", "Basic dXNlcjpwYXNz", "b", "B", "bb",
	"a=b", "password=hunter2", "?access_token=abc&x=1", "=", ":", "k:v", "Authorization: Bearer abcdefgh",
	"X-Api-Key: k", `{"client_secret":"x"}`, `{\"password\":\"x\"}`, "https://tok@github.com/o/r",
	"postgres://u:p@db/x", "u@h", "://", "@://", "10.0.0.1:5432", "/v1/token:revoke", "{User:ann Password:pw}",
	"sessionid=abc", "/mirror/https://TOKEN@github.com/o/r", "é", "\xff", "a\"b\\c\n",
}

// TestMayHoldCredentialOnePass checks that the one-pass answer for short
// strings is hasCredentialMarker's, for the corpus at every length around
// maxScan and for random strings made mostly of the markers' bytes.
func TestMayHoldCredentialOnePass(t *testing.T) {
	t.Parallel()
	rs := []*redactor{defaultRedactor, newRedactor([]string{"route", "x-custom"})}
	check := func(s string) {
		t.Helper()
		for _, r := range rs {
			if got, want := r.mayHoldCredential(s), r.hasCredentialMarker(s); got != want {
				t.Fatalf("mayHoldCredential(%q) = %v, hasCredentialMarker %v", s, got, want)
			}
		}
	}
	for _, s := range credentialCorpus {
		check(s)
		for _, n := range []int{maxScan - len(s) - 1, maxScan - len(s), maxScan - len(s) + 1} {
			if n >= 0 {
				pad := strings.Repeat("a", n)
				check(pad + s)
				check(s + pad)
			}
		}
	}
	r := rand.New(rand.NewPCG(3, 4))
	alphabet := []byte("JbBeyaiscr=:@/ _-.\"'kpwdtoken")
	for range 200000 {
		b := make([]byte, r.IntN(maxScan+8))
		for i := range b {
			if r.IntN(8) == 0 {
				b[i] = byte(r.IntN(256))
			} else {
				b[i] = alphabet[r.IntN(len(alphabet))]
			}
		}
		check(string(b))
	}
}

// FuzzMayHoldCredential compares the one-pass answer with hasCredentialMarker.
func FuzzMayHoldCredential(f *testing.F) {
	for _, s := range credentialCorpus {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := defaultRedactor.mayHoldCredential(s), defaultRedactor.hasCredentialMarker(s); got != want {
			t.Fatalf("mayHoldCredential(%q) = %v, hasCredentialMarker %v", s, got, want)
		}
	})
}
