package logging_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/footingdev/footing/observability/logging"
)

// FuzzRedact feeds arbitrary text, as error messages and request dumps carry,
// to the string rules: they must not panic, must leave text without a
// credential's markers alone, must keep valid UTF-8 valid, and must not find
// more to replace in their own output. A keyless credential made from the
// text (plantKeyless) and planted in it, between spaces, must not show in the
// output; nor must a token (plantToken) planted as a bearer credential right
// after a '/' or a secret key's value followed by '/…' (in a path, a query,
// a fragment, plain text), as URLs in error messages hold them.
func FuzzRedact(f *testing.F) {
	for _, s := range []string{
		"GET / HTTP/1.1\r\nX-Api-Key: k\r\nCookie: a=1\r\n",
		`{\"password\": \"a\\\"b\"}`, `{"client_secret" : "x"}`, "{User:ann Password:pw}",
		"postgres://u:p@h/db?sslmode=disable password=x", "Authorization: Bearer abcdefgh",
		"https://b.s3.amazonaws.com/k?X-Amz-Signature=abc&sig=def", "/v1/token:revoke",
		"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abcdefghijk", "a\\\"password\\\":\\\"", "password:",
		"upstream said: invalid key sk-proj-abcdefghijklmnopqrstuvwxyz", "AKIAIOSFODNN7EXAMPLE", "desk-top task_live_x sk-8",
		"GET /t/Bearer abcdefgh HTTP/1.1", "GET /cb/access_token=abc/done", "password=abc/Bearer ", "https://h/p?token=a/b#x=1",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := logging.Redact(s)
		if again := logging.Redact(out); again != out {
			t.Fatalf("Redact is not stable:\n in  %q\n out %q\n again %q", s, out, again)
		}
		if utf8.ValidString(s) && !utf8.ValidString(out) {
			t.Fatalf("valid UTF-8 in, invalid out: %q -> %q", s, out)
		}
		if !strings.ContainsAny(s, "=:@") && !strings.Contains(strings.ToLower(s), "b") && !strings.Contains(s, "eyJ") &&
			!hasKeylessPrefix(s) && out != s {
			t.Fatalf("text without a credential's markers changed: %q -> %q", s, out)
		}
		for i := range keylessPrefixes {
			tok := plantKeyless(i, s)
			if strings.Contains(s, tok) {
				continue // the text holds the token itself, maybe where it is no token
			}
			at := len(s) / 2
			planted := s[:at] + " " + tok + " " + s[at:]
			if out := logging.Redact(planted); strings.Contains(out, tok) {
				t.Fatalf("planted %q shows:\n in  %q\n out %q", tok, planted, out)
			}
		}
		if tok := plantToken(s); !strings.Contains(s, tok) {
			at := len(s) / 2
			for _, form := range []string{
				"/Bearer " + tok + " ", "/basic " + tok + "/x ", "=Bearer " + tok + " ", "/Bearer ab/Bearer " + tok + " ",
				"/access_token=" + tok + "/", "?access_token=" + tok + "/x", "#access_token=" + tok + "/x",
				" password=" + tok + "/x ", " password=ab/Bearer " + tok + " ", " token=Bearer " + tok + "/x ",
			} {
				planted := s[:at] + form + s[at:]
				if out := logging.Redact(planted); strings.Contains(out, tok) {
					t.Fatalf("planted %q shows:\n in  %q\n out %q", form, planted, out)
				}
			}
		}
	})
}

// plantToken makes a credential of eight to 39 letters and digits from the
// bytes of seed, with no prefix that would name it.
func plantToken(seed string) string {
	b := []byte("t0K")
	for j := range 5 + len(seed)%32 {
		c := byte(j * 11)
		if len(seed) > 0 {
			c += seed[j%len(seed)]
		}
		b = append(b, alnum[int(c)%len(alnum)])
	}
	return string(b)
}

// keylessPrefixes are the prefixes of the keyless credentials, with the
// shortest body each needs and the bytes of that body.
var keylessPrefixes = []struct {
	prefix string
	min    int
	body   string
}{
	{"sk-", 40, b64url}, {"sk-proj-", 20, b64url}, {"sk-svcacct-", 20, b64url}, {"sk-admin-", 20, b64url},
	{"sk-ant-api03-", 20, b64url}, {"sk-ant-admin01-", 20, b64url},
	{"ghp_", 30, alnum}, {"gho_", 30, alnum}, {"ghu_", 30, alnum}, {"ghs_", 30, alnum}, {"ghr_", 30, alnum}, {"github_pat_", 30, b64url},
	{"AIza", 35, b64url}, {"xoxb-", 20, b64url}, {"xoxp-", 20, b64url}, {"xoxa-", 20, b64url}, {"xoxr-", 20, b64url}, {"xoxs-", 20, b64url},
	{"sk_live_", 20, alnum}, {"sk_test_", 20, alnum}, {"rk_live_", 20, alnum}, {"rk_test_", 20, alnum},
	{"AKIA", 16, upper}, {"ASIA", 16, upper},
}

const (
	b64url = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	alnum  = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	upper  = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
)

// plantKeyless makes a credential of keylessPrefixes[i]'s shape from the
// bytes of seed: its shortest body, longer when seed is (but for an AWS
// key id, 16 exactly).
func plantKeyless(i int, seed string) string {
	p := keylessPrefixes[i]
	n := p.min
	if p.prefix != "AKIA" && p.prefix != "ASIA" {
		n += len(seed) % 64
	}
	b := []byte(p.prefix)
	for j := range n {
		c := byte(j * 7)
		if len(seed) > 0 {
			c += seed[j%len(seed)]
		}
		b = append(b, p.body[int(c)%len(p.body)])
	}
	return string(b)
}

// hasKeylessPrefix reports whether s holds a keyless credential's prefix
// anywhere (or "gh", the start of every GitHub one).
func hasKeylessPrefix(s string) bool {
	for _, p := range []string{"sk-", "sk_", "rk_", "gh", "xox", "AIza", "AKIA", "ASIA"} {
		if strings.Contains(s, p) {
			return true
		}
	}
	return false
}
