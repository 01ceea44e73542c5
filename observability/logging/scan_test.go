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
		for _, k := range []struct {
			class uint8
			bytes string
		}{{classKeyLetter, "khx"}, {classKeySep, "-_"}, {classKeyA, "A"}, {classKeyI, "I"}, {classKeyZ, "z"}} {
			if got, want := byteClass[c]&k.class != 0, strings.IndexByte(k.bytes, byte(c)) >= 0; got != want {
				t.Errorf("byte %#x: class %b %v, want %v", c, k.class, got, want)
			}
		}
		upper := 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
		if got := byteClass[c]&classNotUpper != 0; got == upper {
			t.Errorf("byte %#x: classNotUpper %v", c, got)
		}
	}
}

// keylessSamples are keyless credentials of each family at their shortest,
// and near misses.
var keylessSamples = []string{
	"sk-" + strings.Repeat("a1B2", 10), "sk-proj-" + strings.Repeat("a-_1", 5), "sk-svcacct-" + strings.Repeat("Ab_1", 5),
	"sk-admin-" + strings.Repeat("Ab-1", 5), "sk-ant-api03-" + strings.Repeat("Ab-1", 4), "sk_live_" + strings.Repeat("Ab12", 5),
	"sk_test_" + strings.Repeat("Ab12", 5), "rk_live_" + strings.Repeat("Ab12", 5), "rk_test_" + strings.Repeat("Ab12", 5),
	"ghp_" + strings.Repeat("Ab1", 10), "gho_" + strings.Repeat("Ab1", 10), "ghu_" + strings.Repeat("Ab1", 10),
	"ghs_" + strings.Repeat("Ab1", 10), "ghr_" + strings.Repeat("Ab1", 10), "github_pat_" + strings.Repeat("Ab1", 10),
	"AIza" + strings.Repeat("Ab1_-", 7), "AKIAIOSFODNN7EXAMPLE", "ASIA2345ABCDEFGHIJ67", "AKIA0000000000000000",
	"xoxb-" + strings.Repeat("12-ab", 4), "xoxp-" + strings.Repeat("12-ab", 4), "xoxa-" + strings.Repeat("12-ab", 4),
	"xoxr-" + strings.Repeat("12-ab", 4), "xoxs-" + strings.Repeat("12-ab", 4),
	// Near misses: one short, no word start, not a prefix.
	"sk-" + strings.Repeat("a1B2", 10)[1:], "sk-proj-" + strings.Repeat("a-_1", 5)[1:], "xsk_live_" + strings.Repeat("Ab12", 5),
	"AKIAIOSFODNN7EXAMPL", "AKIAIOSFODNN7EXAMPLEx", "AIza" + strings.Repeat("Ab1_-", 7)[1:], "ghq_" + strings.Repeat("Ab1", 10),
	"xoxo-" + strings.Repeat("12-ab", 4), "AIGatewayService/Complete/AIGateway", "ASIAPACIFICREGION",
}

// scanReference is what scanClasses answers, computed the slow way: the
// union of the bytes' classes; classCredential also when the string is
// minKeyless to maxScan bytes long and holds a letter of classKeyLetter and
// a separator, or 'A' and 'I' with 'z' or eight upper-case letters or digits
// in a row at one of the words the scan reads (offsets 0, 8, … before the
// last byte, and the last eight bytes).
func scanReference(s string) uint8 {
	var c uint8
	for i := range len(s) {
		c |= byteClass[s[i]]
	}
	if len(s) > maxScan {
		return classEscape | classCredential
	}
	if len(s) < minKeyless {
		return c
	}
	allUpper := func(w string) bool {
		for i := range len(w) {
			if byteClass[w[i]]&classNotUpper != 0 {
				return false
			}
		}
		return true
	}
	run := allUpper(s[len(s)-8:])
	for off := 0; off+8 < len(s); off += 8 {
		run = run || allUpper(s[off:off+8])
	}
	has := func(class uint8) bool { return c&class != 0 }
	if has(classKeyLetter) && has(classKeySep) || has(classKeyA) && has(classKeyI) && (has(classKeyZ) || run) {
		c |= classCredential
	}
	return c
}

// TestScanClassesKeyless compares scanClasses with scanReference for the
// keyless samples at every offset of every length they fit in, in plain
// and upper-case padding, and for random strings of the bytes the keyless
// bits look at; and checks that a string holding a keyless credential
// always has classCredential (the one-pass answer never misses one).
func TestScanClassesKeyless(t *testing.T) {
	t.Parallel()
	check := func(s string) {
		t.Helper()
		got, want := scanClasses(s), scanReference(s)
		if len(s) <= maxScan && got != want || len(s) > maxScan && got != classEscape|classCredential {
			t.Fatalf("scanClasses(%q) = %b, want %b", s, got, want)
		}
		if hasKeylessToken(s) && got&classCredential == 0 {
			t.Fatalf("scanClasses(%q) = %b: a keyless credential without classCredential", s, got)
		}
	}
	for _, tok := range keylessSamples {
		for _, pad := range []string{"a", "B", "9", " ", "/"} {
			for n := len(tok); n <= maxScan+8; n++ {
				for off := 0; off+len(tok) <= n; off++ {
					check(strings.Repeat(pad, off) + tok + strings.Repeat(pad, n-off-len(tok)))
				}
			}
		}
	}
	r := rand.New(rand.NewPCG(9, 10))
	alphabet := []byte("khxgsrpAIzKSaiA0129-_ /.BX")
	for range 300000 {
		b := make([]byte, minKeyless+r.IntN(maxScan-minKeyless+9))
		for i := range b {
			b[i] = alphabet[r.IntN(len(alphabet))]
		}
		check(string(b))
	}
}

// TestHasKeylessToken compares hasKeylessToken, which looks only around
// '-', '_' and 'A', with keylessAt tried at every position.
func TestHasKeylessToken(t *testing.T) {
	t.Parallel()
	brute := func(s string) bool {
		for i := range len(s) {
			if _, ok := keylessAt(s, i); ok {
				return true
			}
		}
		return false
	}
	check := func(s string) {
		t.Helper()
		if got, want := hasKeylessToken(s), brute(s); got != want {
			t.Fatalf("hasKeylessToken(%q) = %v, want %v", s, got, want)
		}
	}
	for _, tok := range keylessSamples {
		for _, around := range []string{"", " ", "x", "_", "-", "A", ".", "é"} {
			check(tok)
			check(around + tok)
			check(tok + around)
			check("key " + around + tok + around + " and more")
		}
	}
	r := rand.New(rand.NewPCG(11, 12))
	prefixes := []string{"sk-", "sk-proj-", "sk-ant-", "sk_live_", "rk_test_", "ghp_", "ghs_", "github_pat_", "AIza", "AKIA", "ASIA", "xoxb-", "xoxs-", "", "x"}
	body := []byte("aB3-_Z9AIKS ")
	for range 200000 {
		var b strings.Builder
		for b.Len() < 60+r.IntN(60) {
			if r.IntN(3) == 0 {
				b.WriteString(prefixes[r.IntN(len(prefixes))])
			}
			for range r.IntN(45) {
				b.WriteByte(body[r.IntN(len(body))])
			}
		}
		check(b.String())
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
	"sk-proj-abcdefghijklmnopqrstu", "invalid key AKIAIOSFODNN7EXAMPLE", "ghp_abcdefghijklmnopqrstuvwxyz0123",
	"AIzaSyZx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Jh1Gf0EdCb", "xoxb-12345678901234567890", "sk_live_abcdefghijklmnopqrst",
	"desk-top", "task_live_abcdefghijklmnopqrst", "/footing.ai.v1.AIGatewayService/Complete",
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
	alphabet := []byte("JbBeyaiscr=:@/ _-.\"'kpwdtokenhxAIzKS0")
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
