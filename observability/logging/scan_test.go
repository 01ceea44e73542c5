package logging

import (
	"encoding/hex"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/otel/trace"
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

// fastTimeByYear is fastTime without the stamp: what slog writes.
func fastTimeByYear(t time.Time) bool {
	return !t.IsZero() && t.Year() >= 0 && t.Year() < 10000
}

// stampTimes are times in many locations, at the edges of the years slog
// writes and of a second.
func stampTimes(t *testing.T) []time.Time {
	t.Helper()
	locs := []*time.Location{time.UTC, time.Local, time.FixedZone("a", 5*3600+45*60), time.FixedZone("b", -(3*3600 + 30*60)),
		time.FixedZone("c", 30), time.FixedZone("d", -30), time.FixedZone("e", 0), time.FixedZone("f", 100*3600), time.FixedZone("g", -100*3600)}
	for _, name := range []string{"America/New_York", "Australia/Lord_Howe", "Asia/Kathmandu"} {
		if l, err := time.LoadLocation(name); err == nil {
			locs = append(locs, l)
		}
	}
	var ts []time.Time
	for _, base := range []time.Time{
		time.Date(2026, 11, 22, 9, 30, 1, 0, time.UTC),
		time.Date(2026, 3, 8, 7, 0, 0, 0, time.UTC), // a DST change in New York
		time.Date(2026, 11, 1, 6, 0, 0, 0, time.UTC),
		time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC),
		time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(-1, 12, 31, 23, 59, 59, 0, time.UTC),
		time.Date(1969, 12, 31, 23, 59, 59, 0, time.UTC),
		time.Unix(0, 0),
		time.Now(),
	} {
		for _, ns := range []int{0, 1, 10, 100, 999, 1000, 120000, 123456789, 500000000, 999999999, 100000000} {
			for _, l := range locs {
				for _, d := range []time.Duration{0, -time.Second, time.Second, -time.Hour, time.Hour} {
					ts = append(ts, base.Add(d).Add(time.Duration(ns)).In(l))
				}
			}
		}
	}
	return append(ts, time.Time{}, time.Time{}.Add(time.Nanosecond), time.Time{}.In(time.FixedZone("z", 3600)))
}

// TestAppendTimeMatchesAppendFormat checks appendTime and fastTime against
// time's RFC3339Nano and the year rule, for each time twice (a new stamp,
// then the kept one) and for neighbours that replace the stamp in between.
func TestAppendTimeMatchesAppendFormat(t *testing.T) {
	ts := stampTimes(t)
	for _, tm := range ts {
		for range 2 {
			if got, want := fastTime(tm), fastTimeByYear(tm); got != want {
				t.Fatalf("fastTime(%v) = %v, want %v", tm, got, want)
			}
			if !fastTimeByYear(tm) {
				continue
			}
			if got, want := string(appendTime([]byte("x"), tm)), "x"+tm.Format(time.RFC3339Nano); got != want {
				t.Fatalf("appendTime(%v) = %q, want %q", tm, got, want)
			}
		}
		// The zero time in the second of a stamp: still not written.
		if tm.Equal(time.Time{}.Add(time.Nanosecond)) {
			if fastTime(time.Time{}) {
				t.Fatal("fastTime accepts the zero time after a stamp of its second")
			}
		}
	}
	r := rand.New(rand.NewPCG(5, 6))
	lo, hi := time.Date(-2, 1, 1, 0, 0, 0, 0, time.UTC).Unix(), time.Date(10001, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	for range 100000 {
		tm := time.Unix(lo+r.Int64N(hi-lo), r.Int64N(1e9))
		if r.IntN(2) == 0 {
			tm = tm.In(time.FixedZone("r", r.IntN(48*3600)-24*3600))
		}
		if got, want := fastTime(tm), fastTimeByYear(tm); got != want {
			t.Fatalf("fastTime(%v) = %v, want %v", tm, got, want)
		}
		if fastTimeByYear(tm) {
			if got, want := string(appendTime(nil, tm)), tm.Format(time.RFC3339Nano); got != want {
				t.Fatalf("appendTime(%v) = %q, want %q", tm, got, want)
			}
		}
	}
}

// FuzzAppendTime compares appendTime and fastTime with time's RFC3339Nano and
// the year rule, for any instant and fixed zone, twice in a row.
func FuzzAppendTime(f *testing.F) {
	f.Add(int64(1795000000), int64(123456789), 0)
	f.Add(int64(-62135596800), int64(0), 3600)
	f.Add(int64(253402300799), int64(999999999), 86400)
	f.Fuzz(func(t *testing.T, sec, nsec int64, offset int) {
		tm := time.Unix(sec, nsec).In(time.FixedZone("f", offset))
		for range 2 {
			if got, want := fastTime(tm), fastTimeByYear(tm); got != want {
				t.Fatalf("fastTime(%v) = %v, want %v", tm, got, want)
			}
			if fastTimeByYear(tm) {
				if got, want := string(appendTime(nil, tm)), tm.Format(time.RFC3339Nano); got != want {
					t.Fatalf("appendTime(%v) = %q, want %q", tm, got, want)
				}
			}
		}
	})
}

// TestAppendIDs compares the trace and span ids' hexadecimal with encoding/hex.
func TestAppendIDs(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(7, 8))
	for i := range 1000 {
		var tid trace.TraceID
		var sid trace.SpanID
		for j := range tid {
			tid[j] = byte(r.IntN(256))
		}
		for j := range sid {
			sid[j] = byte(r.IntN(256))
		}
		if i < 256 {
			tid[i%16], sid[i%8] = byte(i), byte(255-i)
		}
		if got, want := string(appendTraceID([]byte("x"), tid)), "x"+hex.EncodeToString(tid[:]); got != want {
			t.Fatalf("appendTraceID = %q, want %q", got, want)
		}
		if got, want := string(appendSpanID(nil, sid)), sid.String(); got != want {
			t.Fatalf("appendSpanID = %q, want %q", got, want)
		}
	}
}

// TestScanClassesEveryPosition compares scanClasses with a byte-by-byte
// union for every length up to maxScan, every byte value at every position
// of an otherwise plain string, and the strings longer than maxScan.
func TestScanClassesEveryPosition(t *testing.T) {
	t.Parallel()
	union := func(s string) uint8 {
		var c uint8
		for i := range len(s) {
			c |= byteClass[s[i]]
		}
		return c
	}
	for n := 1; n <= maxScan; n++ {
		for pos := range n {
			for c := range 256 {
				b := []byte(strings.Repeat("a", n))
				b[pos] = byte(c)
				if got, want := scanClasses(string(b)), union(string(b)); got != want {
					t.Fatalf("scanClasses(%q) = %b, want %b", b, got, want)
				}
			}
		}
	}
	if got := scanClasses(""); got != 0 {
		t.Fatalf("scanClasses(\"\") = %b", got)
	}
	if got := scanClasses(strings.Repeat("a", maxScan+1)); got != classEscape|classCredential {
		t.Fatalf("a string longer than maxScan: %b, want both classes", got)
	}
}
