package logging_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	commonv1 "github.com/footingdev/footing/contracts/gen/go/footing/common/v1"
	"github.com/footingdev/footing/contracts/identity"
	"github.com/footingdev/footing/observability/logging"
)

// Tokens of the shapes GitHub and GitLab issue (not real ones).
const (
	ghToken = "ghp_Z9yX8wV7uT6sR5qP4oN3mL2kJ1iH0gF9eD8c"
	glToken = "glpat-Zx9Yw8Vu7Ts6Rq5Po4Nm"
)

const jwt = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"

type credentials struct {
	User     string            `json:"user"`
	Password string            `json:"password"`
	APIKey   string            // no tag: the key is the field name
	Nested   map[string]string `json:"nested"`
	hidden   string
}

func TestRedaction(t *testing.T) {
	t.Parallel()
	const s = "hunter2-s3cr3t"
	tests := []struct {
		name   string
		log    func(l *slog.Logger)
		secret string
		keep   []string // what must still be there
	}{
		{"password", func(l *slog.Logger) { l.Info("m", "password", s) }, s, []string{`"password":"[REDACTED]"`}},
		{"any case", func(l *slog.Logger) { l.Info("m", "PassWord", s) }, s, nil},
		{"access_token", func(l *slog.Logger) { l.Info("m", "access_token", s) }, s, nil},
		{"refresh-token", func(l *slog.Logger) { l.Info("m", "Refresh-Token", s) }, s, nil},
		{"authorization", func(l *slog.Logger) { l.Info("m", "Authorization", s) }, s, nil},
		{"cookie", func(l *slog.Logger) { l.Info("m", "cookie", s) }, s, nil},
		{"set-cookie", func(l *slog.Logger) { l.Info("m", "Set-Cookie", s) }, s, nil},
		{"api_key", func(l *slog.Logger) { l.Info("m", "API_KEY", s) }, s, nil},
		{"x-api-key", func(l *slog.Logger) { l.Info("m", "x-api-key", s) }, s, nil},
		{"compound suffix", func(l *slog.Logger) { l.Info("m", "db_password", s, "github_token", s) }, s, nil},
		{"secret", func(l *slog.Logger) { l.Info("m", "client_secret", s) }, s, nil},
		{"secret word inside a key", func(l *slog.Logger) {
			l.Info("m", "aws_secret_access_key", s, "secret_key", s, "password_confirmation", s, "private_key_pem", s,
				"ssh_passphrase", s, "PasswdHash", s)
		}, s, []string{`"aws_secret_access_key":"[REDACTED]"`, `"password_confirmation":"[REDACTED]"`}},
		{"secret word inside a struct field", func(l *slog.Logger) {
			l.Info("m", "cfg", struct{ SecretAccessKey, Region string }{s, "eu-west-1"})
		}, s, []string{`"Region":"eu-west-1"`}},
		{"token words that are counts", func(l *slog.Logger) {
			l.Info("m", "tokens_used", 42, "token_count", 7, "max_tokens", 100, "output_tokens", 5)
		}, "", []string{`"tokens_used":42`, `"token_count":7`, `"max_tokens":100`, `"output_tokens":5`}},
		{"non-secret int", func(l *slog.Logger) { l.Info("m", "password", 12345678) }, "12345678", nil},
		{"token counts are not tokens", func(l *slog.Logger) { l.Info("m", "input_tokens", 42) }, "", []string{`"input_tokens":42`}},
		{"in a group", func(l *slog.Logger) { l.Info("m", slog.Group("req", slog.Group("headers", "authorization", s))) }, s,
			[]string{`"req":{"headers":{"authorization":"[REDACTED]"}}`}},
		{"WithGroup", func(l *slog.Logger) { l.WithGroup("a").WithGroup("b").Info("m", "token", s) }, s, []string{`"a":{"b":{"token":"[REDACTED]"}}`}},
		{"WithAttrs", func(l *slog.Logger) { l.With("password", s).Info("m") }, s, nil},
		{"WithAttrs in group", func(l *slog.Logger) { l.WithGroup("g").With("secret", s).Info("m") }, s, nil},
		{"secret group name", func(l *slog.Logger) { l.Info("m", slog.Group("credentials", "value", s)) }, s, nil},
		{"secret WithGroup name", func(l *slog.Logger) { l.WithGroup("authorization").Info("m", "value", s) }, s, nil},
		{"struct", func(l *slog.Logger) {
			l.Info("m", "creds", credentials{User: "ann", Password: s, APIKey: s, Nested: map[string]string{"Cookie": s, "ok": "fine"}, hidden: s})
		}, s, []string{`"user":"ann"`, `"ok":"fine"`}},
		{"pointer to struct", func(l *slog.Logger) { l.Info("m", "creds", &credentials{Password: s}) }, s, nil},
		{"map", func(l *slog.Logger) {
			l.Info("m", "headers", map[string]any{"Authorization": []string{s}, "accept": "json"})
		}, s, []string{`"accept":"json"`}},
		{"slice of maps", func(l *slog.Logger) { l.Info("m", "list", []map[string]string{{"token": s}}) }, s, nil},
		{"bearer value", func(l *slog.Logger) { l.Info("m", "header", "Bearer "+s) }, s, []string{`"header":"Bearer [REDACTED]"`}},
		{"bearer in message", func(l *slog.Logger) { l.Info("calling with bearer " + s + " now") }, s, []string{"calling with bearer [REDACTED] now"}},
		{"basic credential", func(l *slog.Logger) { l.Info("m", "h", "Basic "+s) }, s, nil},
		{"jwt value", func(l *slog.Logger) { l.Info("m", "x", "got "+jwt+" back") }, jwt, []string{`"x":"got [REDACTED] back"`}},
		{"jwt in error", func(l *slog.Logger) { l.Info("m", "err", errors.New("bad token "+jwt)) }, jwt, nil},
		{"jwt in struct field", func(l *slog.Logger) { l.Info("m", "v", struct{ Header string }{jwt}) }, jwt, nil},
		{"jwt bytes", func(l *slog.Logger) { l.Info("m", "raw", []byte(jwt)) }, jwt, nil},
		{"LogValuer", func(l *slog.Logger) { l.Info("m", "v", valuer{s}) }, s, nil},
		{"plain words stay", func(l *slog.Logger) { l.Info("a bearer of news", "note", "basic plan") }, "", []string{"a bearer of news", "basic plan"}},
		// Secrets inside text: URLs, query strings, DSNs, header lists, JSON bodies.
		{"URL password", func(l *slog.Logger) { l.Info("m", "db", "postgres://app:"+s+"@db:5432/x?sslmode=disable") }, s,
			[]string{`"db":"postgres://[REDACTED]@db:5432/x?sslmode=disable"`}},
		{"URL password with @", func(l *slog.Logger) { l.Info("m", "u", "https://bob:pa@"+s+"@host/") }, s, nil},
		{"URL password in error", func(l *slog.Logger) {
			l.Info("m", "error", errors.New(`connect "redis://:`+s+`@cache:6379/0": refused`))
		}, s, []string{`redis://[REDACTED]@cache:6379/0`}},
		// A URL's user info goes whole: many hosts take a token as the user name.
		{"URL user name token", func(l *slog.Logger) { l.Info("m", "remote", "https://"+ghToken+"@github.com/acme/app.git") }, ghToken,
			[]string{`"remote":"https://[REDACTED]@github.com/acme/app.git"`}},
		{"URL x-access-token", func(l *slog.Logger) { l.Info("m", "remote", "https://x-access-token:"+ghToken+"@github.com/acme/app") }, ghToken,
			[]string{`"remote":"https://[REDACTED]@github.com/acme/app"`}},
		{"URL oauth2 user", func(l *slog.Logger) { l.Info("m", "remote", "https://oauth2:"+glToken+"@gitlab.com/acme/app.git") }, glToken,
			[]string{`"remote":"https://[REDACTED]@gitlab.com/acme/app.git"`}},
		{"URL token with dummy password", func(l *slog.Logger) { l.Info("m", "remote", "https://"+ghToken+":x-oauth-basic@github.com/o/r") }, ghToken,
			[]string{`"remote":"https://[REDACTED]@github.com/o/r"`}},
		{"URL user name token in git error", func(l *slog.Logger) {
			l.Error("clone failed", "err", errors.New("fatal: unable to access 'https://"+ghToken+"@github.com/o/r.git/': 403"))
		}, ghToken, []string{`'https://[REDACTED]@github.com/o/r.git/': 403`}},
		{"URL user name token in message", func(l *slog.Logger) { l.Info("pushing to https://" + glToken + "@gitlab.com/o/r") }, glToken,
			[]string{`"msg":"pushing to https://[REDACTED]@gitlab.com/o/r"`}},
		{"URL user name token in url.URL", func(l *slog.Logger) {
			u, _ := url.Parse("https://" + ghToken + "@github.com/o/r")
			l.Info("m", "u", u, "v", *u, "p", &url.URL{Scheme: "https", User: url.User(ghToken), Host: "github.com"})
		}, ghToken, []string{`"u":"https://[REDACTED]@github.com/o/r"`, `"p":"https://[REDACTED]@github.com"`}},
		{"URL user name token in a path", func(l *slog.Logger) { l.Info("m", "path", "/mirror/https://"+ghToken+"@github.com/o/r") }, ghToken,
			[]string{`"path":"/mirror/https://[REDACTED]@github.com/o/r"`}},
		{"ssh URL user", func(l *slog.Logger) { l.Info("m", "remote", "ssh://"+ghToken+"@git.example.com/o/r") }, ghToken,
			[]string{`"remote":"ssh://[REDACTED]@git.example.com/o/r"`}},
		{"addresses that are not user info stay", func(l *slog.Logger) {
			l.Info("m", "scp", "git@github.com:o/r.git", "mail", "ops@example.com", "p", "https://example.com/@ann", "q", "https://h.example/?to=a@b", "e", "https://@h.example/")
		}, "", []string{`"scp":"git@github.com:o/r.git"`, `"mail":"ops@example.com"`, `"p":"https://example.com/@ann"`, `"q":"https://h.example/?to=a@b"`, `"e":"https://@h.example/"`}},
		{"query access_token", func(l *slog.Logger) { l.Info("m", "url", "https://api.example.com/v1?access_token="+s+"&page=2") }, s,
			[]string{`"url":"https://api.example.com/v1?access_token=[REDACTED]&page=2"`}},
		{"query api_key in client error", func(l *slog.Logger) {
			l.Info("m", "error", &url.Error{Op: "Get", URL: "https://api.example.com/v1?api_key=" + s, Err: errors.New("timeout")})
		}, s, []string{`api_key=[REDACTED]`, `timeout`}},
		{"query token in message", func(l *slog.Logger) { l.Info("GET /cb?code=abc&id_token=" + s + " failed") }, s,
			[]string{`"msg":"GET /cb?code=abc&id_token=[REDACTED] failed"`}},
		{"key/value DSN", func(l *slog.Logger) { l.Info("m", "db", "host=db user=app password="+s+" dbname=x") }, s,
			[]string{`host=db user=app password=[REDACTED] dbname=x`}},
		{"quoted key/value DSN", func(l *slog.Logger) { l.Info("m", "db", "user=app password='"+s+" x' dbname=x") }, s,
			[]string{`password='[REDACTED]' dbname=x`}},
		{"header list", func(l *slog.Logger) { l.Info("m", "h", "x-api-key="+s+",tenant=acme") }, s, []string{`tenant=acme`}},
		{"url.URL", func(l *slog.Logger) {
			u, _ := url.Parse("https://bob:" + s + "@h.example/p?q=1&client_secret=" + s)
			l.Info("m", "u", u, "v", *u)
		}, s, []string{`"u":"https://[REDACTED]@h.example/p?q=1&client_secret=[REDACTED]"`}},
		{"JSON bytes", func(l *slog.Logger) { l.Info("m", "body", []byte(`{"user":"ann","password": "`+s+`"}`)) }, s,
			[]string{`\"user\":\"ann\"`}},
		{"JSON text", func(l *slog.Logger) { l.Info("m", "body", `{"refresh_token":"`+s+`","n":1}`) }, s, nil},
		{"counts and plain pairs stay", func(l *slog.Logger) {
			l.Info("m", "q", "tokens_used=42&page=2", "u", "https://example.com:8443/a@b", "j", `{"token_count":"7"}`)
		}, "", []string{`tokens_used=42&page=2`, `https://example.com:8443/a@b`, `{\"token_count\":\"7\"}`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			for _, format := range []logging.Format{logging.JSON, logging.Text} {
				var buf bytes.Buffer
				tc.log(slog.New(logging.NewHandler(&buf, &logging.Options{Format: format})))
				out := buf.String()
				if tc.secret != "" && strings.Contains(out, tc.secret) {
					t.Fatalf("format %d: secret in output: %s", format, out)
				}
				if format == logging.JSON {
					if !json.Valid(buf.Bytes()) {
						t.Fatalf("invalid JSON: %s", out)
					}
					for _, k := range tc.keep {
						if !strings.Contains(out, k) {
							t.Fatalf("output lacks %s: %s", k, out)
						}
					}
				}
				if tc.secret != "" && !strings.Contains(out, logging.Redacted) {
					t.Fatalf("format %d: nothing marked redacted: %s", format, out)
				}
			}
		})
	}
}

type valuer struct{ s string }

func (v valuer) LogValue() slog.Value { return slog.GroupValue(slog.String("api_key", v.s)) }

// FuzzRedaction logs a fuzzed secret under secret keys in every shape the handler
// supports and checks that it never appears in the output, raw or escaped. It
// also plants a keyless credential made from the secret (plantKeyless) under
// ordinary keys, in the message, an error and the context's request id, and,
// with a JWT, "Bearer <secret>" and "<secret key>=<secret>", as keys: of maps
// passed with slog.Any (alone, in a struct, in a slice), of attributes and of
// groups.
func FuzzRedaction(f *testing.F) {
	f.Add("password", "hunter2hunter2", "msg")
	f.Add("Set-Cookie", "session=abc123def456", "")
	f.Add("X_API_KEY", "sk-live-0123456789", "Bearer sk-live-0123456789")
	f.Add("authorization", "Bearer "+jwt, jwt)
	f.Add("refresh.token", "\u00e9\u00e8\"quoted\"\n", "a\x00b")
	f.Add("cLiEnT-sEcReT", "<>&'\\", "eyJ")
	f.Add("token", "ghp_Z9yX8wV7uT6sR5qP4oN3mL2kJ1iH0gF9eD8c", "")
	f.Add("x-access-token", "ghs_0123456789abcdefABCDEF", "push")
	f.Add("oauth2", "glpat-Zx9Yw8Vu7Ts6Rq5Po4Nm", "clone")
	f.Add("user", "percent%40encoded%3Atoken", "m")
	f.Add("note", "AKIAIOSFODNN7EXAMPLE", "upstream said: invalid key")
	f.Add("k", "abc-def_ghi", "desk-top")
	f.Fuzz(func(t *testing.T, key, secret, msg string) {
		keys := []string{"password", "token", "authorization", "cookie", "set-cookie", "api_key", "secret", "access_token", "refresh_token"}
		k := keys[len(key)%len(keys)]
		// Vary the case and separators of the fixed key with the fuzzed one.
		if len(key) > 0 && key[0]%2 == 0 {
			k = strings.ToUpper(k)
		}
		if len(secret) < 6 || strings.TrimSpace(secret) != secret {
			t.Skip("too short to tell apart from the rest of the line")
		}
		render := func(format logging.Format, secret string) string {
			var buf bytes.Buffer
			l := slog.New(logging.NewHandler(&buf, &logging.Options{Format: format, ReplaceAttr: dropTime}))
			l.InfoContext(context.Background(), msg, k, secret)
			l.Info(msg, slog.Group("outer", slog.Group("inner", k, secret)))
			l.WithGroup("g").With(k, secret).Info(msg)
			l.Info(msg, "m", map[string]any{k: secret, "nested": map[string]string{k: secret}})
			l.Info(msg, "s", struct {
				Password string
				Inner    struct{ Token string }
			}{secret, struct{ Token string }{secret}})
			if isToken68(secret) {
				l.Info(msg, "bearer", "Bearer "+secret)
				// In a URL of a request line or an error: after a '/', and
				// after a secret key's value that ends in '/'.
				l.Info(msg, "line", "GET /t/Bearer "+secret+" HTTP/1.1", "err", errors.New(`get "https://h.example/x/bearer `+secret+`": EOF`))
				l.Info(msg, "swallow", "access_token=abc/Bearer "+secret, "b", "Bearer abc/Bearer "+secret)
			}
			if !strings.ContainsAny(secret, " \t\n\r&,;\"')]}>#/?") {
				l.Info(msg, "path", "GET /cb/"+k+"="+secret+"/done", "err", errors.New(`get "https://h.example/v1/`+k+`=`+secret+`/x?y=1": EOF`))
			}
			l.Info(msg, "jwt", jwt)
			// A URL's user info ends at a delimiter, a quote or a control byte.
			if !strings.ContainsFunc(secret, func(r rune) bool { return r <= ' ' || r == 0x7f || strings.ContainsRune("/?#@:\"'\\", r) }) {
				l.Info(msg, "url", "https://user:"+secret+"@host.example/x", "err", errors.New("get postgres://u:"+secret+"@db/x: refused"))
				// The user name alone, as Git hosts take tokens.
				l.Info(msg, "remote", "https://"+secret+"@github.com/o/r.git", "oauth", "https://oauth2:"+secret+"@gitlab.com/o/r",
					"dummy", "https://"+secret+":x-oauth-basic@github.com", "err", errors.New("fatal: unable to access 'https://"+secret+"@github.com/o/r/'"))
				l.Info("cloning https://"+secret+"@github.com/o/r", "u", &url.URL{Scheme: "https", User: url.User(secret), Host: "github.com", Path: "/o/r"})
			}
			if !strings.ContainsAny(secret, " \t\n\r&,;\"')]}>#") {
				l.Info(msg, "query", "/cb?page=2&"+k+"="+secret, "text", "connecting with "+k+"="+secret+" now")
			}
			tok := plantKeyless(len(key)%len(keylessPrefixes), secret)
			// Credentials as keys: of a map passed with slog.Any (alone, in a
			// struct, in a slice), of an attribute, of a group.
			type keyed struct{ Cache map[string]string }
			l.Info(msg, "sessions", map[string]int{jwt: 1, tok: 2, "user_id": 3}, "c", keyed{map[string]string{tok: "team"}},
				"list", []map[string]int{{tok: 1, jwt: 2}}, slog.String(tok, "v"), slog.Group(jwt, "a", 1))
			l.WithGroup(tok).With(jwt, 1).Info(msg, "a", 1)
			if isToken68(secret) {
				l.Info(msg, "keys", map[string]int{"Bearer " + secret: 1}, slog.Int("Bearer "+secret, 2))
			}
			if !strings.ContainsAny(secret, " \t\n\r&,;\"')]}>#") {
				l.Info(msg, "keys", []map[string]int{{k + "=" + secret: 1}}, slog.Int("note "+k+"="+secret, 2))
			}
			ctx := identity.WithRequestMetadata(context.Background(), &commonv1.RequestMetadata{RequestId: tok})
			l.InfoContext(ctx, msg, "upstream", "invalid key "+tok+", retrying", "err", fmt.Errorf("call: %w", errors.New("401 "+tok)))
			l.Info(msg+" "+tok, "m", map[string]any{"note": tok}, "raw", []byte(tok+"\n"))
			if h, ok := l.Handler().(*logging.Handler); ok {
				_ = h.WriteRecord(ctx, time.Now(), slog.LevelInfo, msg, slog.String("route", "/v1/keys/"+tok), slog.String("user", tok))
			}
			return buf.String()
		}
		for _, format := range []logging.Format{logging.JSON, logging.Text} {
			// A secret that the line holds anyway (a key, a level, the marker)
			// cannot be told apart; skip it.
			if leaked(render(format, "placeholder"), secret, msg) {
				continue
			}
			out := render(format, secret)
			if leaked(out, secret, msg) {
				t.Fatalf("format %d: secret %q leaked: %s", format, secret, out)
			}
			if strings.Contains(out, jwt) {
				t.Fatalf("jwt leaked: %s", out)
			}
			if tok := plantKeyless(len(key)%len(keylessPrefixes), secret); strings.Contains(out, tok) && !strings.Contains(msg, tok) {
				t.Fatalf("format %d: keyless credential %q leaked: %s", format, tok, out)
			}
		}
	})
}

// leaked reports whether secret shows in out in any encoding a handler uses,
// other than where the caller put it in the message itself.
func leaked(out, secret, msg string) bool {
	enc, _ := json.Marshal(secret)
	forms := []string{secret, string(enc[1 : len(enc)-1]), strings.Trim(strconv.Quote(secret), `"`)}
	for _, f := range forms {
		if len(f) == 0 || !strings.Contains(out, f) {
			continue
		}
		// The message is not a secret key's value; ignore matches that the message
		// explains (the secret is part of the message, or the message of it).
		if strings.Contains(msg, secret) || strings.Contains(msg, f) {
			continue
		}
		return true
	}
	return false
}

// isToken68 reports whether s could be the credential of an Authorization header.
func isToken68(s string) bool {
	for _, c := range []byte(s) {
		alnum := 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
		if !alnum && strings.IndexByte("-._~+/=", c) < 0 {
			return false
		}
	}
	return true
}

// dropTime removes the time, which changes between two renderings of a line.
func dropTime(groups []string, a slog.Attr) slog.Attr {
	if len(groups) == 0 && a.Key == slog.TimeKey {
		return slog.Attr{}
	}
	return a
}

// TestLineKeysMatchSwitch keeps the access-log keys' list and switch in step.
func TestLineKeysMatchSwitch(t *testing.T) {
	t.Parallel()
	for _, k := range logging.LineKeysForTest() {
		if !logging.LineKeyForTest(k) {
			t.Errorf("%q is in lineKeys but not in lineKey's switch", k)
		}
	}
	if logging.LineKeyForTest("password") {
		t.Error("lineKey accepts password")
	}
}

// TestLineKeyJSON checks the JSON member start of each line key: the key
// written as appendJSONString writes it, between a comma and a colon.
func TestLineKeyJSON(t *testing.T) {
	t.Parallel()
	for _, k := range logging.LineKeysForTest() {
		want := `,` + strconv.Quote(k) + `:`
		if got := logging.LineKeyJSONForTest(k); got != want {
			t.Errorf("lineKeyJSON(%q) = %q, want %q", k, got, want)
		}
	}
	for _, k := range []string{"trace_id", "span_id", "password", "", "Method"} {
		if got := logging.LineKeyJSONForTest(k); got != "" {
			t.Errorf("lineKeyJSON(%q) = %q, want none", k, got)
		}
	}
}
