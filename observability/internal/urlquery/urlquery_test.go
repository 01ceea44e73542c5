package urlquery_test

import (
	"strings"
	"testing"

	"github.com/footingdev/footing/observability/internal/urlquery"
)

func TestRedactText(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		`Get "https://h.example/cb?code=abc&state=x": EOF`:         `Get "https://h.example/cb?code=REDACTED&state=x": EOF`,
		"at https://h.example/S/M?connect=v1&message=e30: refused": "at https://h.example/S/M?connect=v1&message=REDACTED: refused",
		"see https://h.example/cb?key=k1,k2. Then retry":           "see https://h.example/cb?key=REDACTED. Then retry",
		"https://h.example/cb?a=1&ticket=t#otp=123&state=s":        "https://h.example/cb?a=1&ticket=REDACTED#otp=REDACTED&state=s",
		"two: /a?session=s1 and /b?x=Bearer%20abcdefgh":            "two: /a?session=REDACTED and /b?x=REDACTED",
		"why? is it so #1 and /q?page=2&sort=asc (a=b)":            "why? is it so #1 and /q?page=2&sort=asc (a=b)",
		"<https://h.example/?jwt=eyJhbGciOiJIUzI1NiJ9.e30.c2ln>":   "<https://h.example/?jwt=REDACTED>",
		"/p?token=[REDACTED]&code=x [REDACTED]":                    "/p?token=[REDACTED]&code=REDACTED [REDACTED]",
		"nothing here":                                             "nothing here",
		"/p?code=REDACTED":                                         "/p?code=REDACTED",
	} {
		if got := urlquery.RedactText(in); got != want {
			t.Errorf("RedactText(%q)\n got  %q\n want %q", in, got, want)
		}
	}
}

func TestRedactTextDoesNotAllocateWhenClean(t *testing.T) {
	s := `Get "https://h.example/v1/items?page=2&sort=asc": context deadline exceeded`
	if n := testing.AllocsPerRun(100, func() { _ = urlquery.RedactText(s) }); n != 0 {
		t.Fatalf("%v allocations for a clean text", n)
	}
}

// FuzzRedactText: any text is redacted without a panic, the same again, and
// a secret planted as ?code= or #ticket= of a URL in it never shows.
func FuzzRedactText(f *testing.F) {
	for _, s := range []string{`Get "https://h/cb?code=abc&state=x": EOF`, "a?b=c#d=e", "?", "#=", "x?&&=&", "/p?connect=v1&message=e30:"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := urlquery.RedactText(s)
		if again := urlquery.RedactText(out); again != out {
			t.Fatalf("not stable:\n in    %q\n out   %q\n again %q", s, out, again)
		}
		const tok = "Zq9tok3nQ"
		if strings.Contains(s, tok) {
			return
		}
		at := len(s) / 2
		for _, form := range []string{" https://h.example/cb?code=" + tok + " ", "?x=1&ticket=" + tok + "#", "#otp=" + tok + ": "} {
			planted := s[:at] + form + s[at:]
			if out := urlquery.RedactText(planted); strings.Contains(out, tok) {
				t.Fatalf("planted %q shows:\n in  %q\n out %q", form, planted, out)
			}
		}
	})
}
