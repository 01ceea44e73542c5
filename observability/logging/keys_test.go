package logging_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"slices"
	"strings"
	"testing"

	"github.com/footingdev/footing/observability/logging"
)

// Credentials that stand as keys rather than values: a JWT (jwt, and a second
// one), a bearer credential, and keyless ones (anthropicKey, githubClassic,
// awsKeyID, from keyless_test.go).
const (
	jwt2        = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIyIn0.c2lnbmF0dXJlMg"
	bearerToken = "bRr9x8YwVu7Ts6Rq5Po4"
)

// TestCredentialsAsKeysAreRedacted: the keys of a map passed with slog.Any (a
// session table keyed by JWT, a cache keyed by API key), alone, inside a
// struct or inside a slice, the keys of attributes and the names of groups
// were written as they were: only the values went through the value rules.
// They go through them too now; the parts of a key that hold a credential are
// replaced, as in a value, and keys without one stay.
func TestCredentialsAsKeysAreRedacted(t *testing.T) {
	t.Parallel()
	type cache struct {
		Name    string
		Entries map[string]string
		Shards  []map[string]int
	}
	tests := []struct {
		name    string
		log     func(l *slog.Logger)
		secrets []string
		keep    []string // in the JSON line
		keepTxt []string // in the text line
	}{
		{"map keys", func(l *slog.Logger) {
			l.Info("m", "sessions", map[string]int{jwt: 1, "user_id": 2, "sk-8": 3, "desk-top": 4})
		}, []string{jwt}, []string{`"sessions":{"desk-top":4,"[REDACTED]":1,"sk-8":3,"user_id":2}`},
			[]string{"sessions.[REDACTED]=1", "sessions.user_id=2", "sessions.sk-8=3", "sessions.desk-top=4"}},
		{"keyless and bearer map keys", func(l *slog.Logger) {
			l.Info("m", "teams", map[string]string{anthropicKey: "team-a", "Bearer " + bearerToken: "team-b", "user_id": "u"})
		}, []string{anthropicKey, bearerToken}, []string{`"Bearer [REDACTED]":"team-b"`, `"[REDACTED]":"team-a"`, `"user_id":"u"`},
			[]string{`"teams.Bearer [REDACTED]"=team-b`, "teams.[REDACTED]=team-a", "teams.user_id=u"}},
		{"secret pair as a map key", func(l *slog.Logger) {
			l.Info("m", "seen", map[string]bool{"password=hunter2s3cret": true})
		}, []string{"hunter2s3cret"}, []string{`"password=[REDACTED]":"[REDACTED]"`}, nil},
		{"map in a struct and in a slice", func(l *slog.Logger) {
			l.Info("m", "c", cache{Name: "keys", Entries: map[string]string{githubClassic: "x", "desk-top": "y"},
				Shards: []map[string]int{{awsKeyID: 1, jwt: 2, "user_id": 3}}})
		}, []string{githubClassic, awsKeyID, jwt},
			[]string{`"Name":"keys"`, `"Entries":{"desk-top":"y","[REDACTED]":"x"}`, `"user_id":3`}, []string{"c.Name=keys", "c.Entries.desk-top=y"}},
		{"slice of maps", func(l *slog.Logger) {
			l.Info("m", "list", []map[string]string{{"Bearer " + bearerToken: "a", "sk-8": "b"}})
		}, []string{bearerToken}, []string{`"list":[{"Bearer [REDACTED]":"a","sk-8":"b"}]`}, nil},
		{"attribute keys", func(l *slog.Logger) {
			l.Info("m", slog.String(jwt, "x"), slog.Int(anthropicKey, 1), slog.String("Bearer "+bearerToken, "v"), slog.Int("user_id", 7))
		}, []string{jwt, anthropicKey, bearerToken}, []string{`"[REDACTED]":"x"`, `"[REDACTED]":1`, `"Bearer [REDACTED]":"v"`, `"user_id":7`},
			[]string{"[REDACTED]=x", "user_id=7"}},
		{"attribute key that is also a secret key", func(l *slog.Logger) {
			l.Info("m", slog.String("token="+githubClassic, "v"))
		}, []string{githubClassic}, []string{`"token=[REDACTED]":"v"`}, nil},
		{"attribute keys in a group", func(l *slog.Logger) {
			l.Info("m", slog.Group("g", slog.String(githubClassic, "x"), slog.String("sk-8", "y")))
		}, []string{githubClassic}, []string{`"g":{"[REDACTED]":"x","sk-8":"y"}`}, []string{"g.[REDACTED]=x", "g.sk-8=y"}},
		{"With", func(l *slog.Logger) { l.With(jwt, "x", "desk-top", 1).Info("m") },
			[]string{jwt}, []string{`"[REDACTED]":"x"`, `"desk-top":1`}, nil},
		{"group names", func(l *slog.Logger) {
			l.Info("m", slog.Group(awsKeyID, "a", 1), slog.Group("user_id", "b", 2))
		}, []string{awsKeyID}, []string{`"[REDACTED]":{"a":1}`, `"user_id":{"b":2}`}, []string{"[REDACTED].a=1", "user_id.b=2"}},
		{"WithGroup names", func(l *slog.Logger) {
			l.WithGroup(jwt).WithGroup("Bearer "+bearerToken).With("b", 2).Info("m", "a", 1)
		}, []string{jwt, bearerToken}, []string{`"[REDACTED]":{"Bearer [REDACTED]":{"b":2,"a":1}}`}, []string{`"[REDACTED].Bearer [REDACTED].b"=2`}},
		{"benign keys stay", func(l *slog.Logger) {
			l.Info("m", "m", map[string]int{"user_id": 1, "sk-8": 2, "desk-top": 3, "a bearer of news": 4, "AKIA": 5},
				"sk-8", 1, slog.Group("desk-top", "task_live_x", 2))
		}, nil, []string{`"m":{"AKIA":5,"a bearer of news":4,"desk-top":3,"sk-8":2,"user_id":1}`, `"sk-8":1`, `"desk-top":{"task_live_x":2}`},
			[]string{"m.user_id=1", "m.sk-8=2", "sk-8=1", "desk-top.task_live_x=2"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			for _, format := range []logging.Format{logging.JSON, logging.Text} {
				var buf bytes.Buffer
				tc.log(slog.New(logging.NewHandler(&buf, &logging.Options{Format: format})))
				out := buf.String()
				for _, s := range tc.secrets {
					if strings.Contains(out, s) {
						t.Fatalf("format %d: %q in output: %s", format, s, out)
					}
				}
				keep := tc.keepTxt
				if format == logging.JSON {
					if !json.Valid(buf.Bytes()) {
						t.Fatalf("invalid JSON: %s", out)
					}
					keep = tc.keep
				}
				for _, k := range keep {
					if !strings.Contains(out, k) {
						t.Fatalf("format %d: output lacks %s: %s", format, k, out)
					}
				}
			}
		})
	}
}

// TestRedactedKeysStayDistinct: two keys of one map that both become
// [REDACTED] (two sessions keyed by JWT) are numbered, "[REDACTED]",
// "[REDACTED]#2", …, past any key the map has itself, so that the object keeps
// a member for each entry: inside a list, where the handler rebuilds the
// object as a Go map, one would otherwise overwrite the other. Attributes are
// not numbered: two attributes whose keys become [REDACTED] are written as two
// members of the same name, as slog writes any attributes of the same key
// (legal JSON; a decoder keeps the last).
func TestRedactedKeysStayDistinct(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	l := slog.New(logging.NewHandler(&buf, nil))
	sessions := map[string]int{jwt: 1, jwt2: 2, anthropicKey: 3, "[REDACTED]#2": 4, "user_id": 5}
	l.Info("m", "sessions", sessions, "list", []map[string]int{sessions}, slog.Int(jwt, 6), slog.Int(jwt2, 7))
	out := buf.String()
	for _, s := range []string{jwt, jwt2, anthropicKey} {
		if strings.Contains(out, s) {
			t.Fatalf("%q in output: %s", s, out)
		}
	}
	var line struct {
		Sessions map[string]int
		List     []map[string]int
	}
	if err := json.Unmarshal(buf.Bytes(), &line); err != nil {
		t.Fatalf("invalid JSON: %v: %s", err, out)
	}
	for _, m := range []map[string]int{line.Sessions, line.List[0]} {
		keys := make([]string, 0, len(m))
		vals := make([]int, 0, len(m))
		for k, v := range m {
			keys = append(keys, k)
			vals = append(vals, v)
		}
		slices.Sort(keys)
		slices.Sort(vals)
		if want := []string{"[REDACTED]", "[REDACTED]#2", "[REDACTED]#3", "[REDACTED]#4", "user_id"}; !slices.Equal(keys, want) {
			t.Fatalf("keys %q, want %q: %s", keys, want, out)
		}
		if !slices.Equal(vals, []int{1, 2, 3, 4, 5}) || m["[REDACTED]#2"] != 4 || m["user_id"] != 5 {
			t.Fatalf("values %v (%v), want each entry kept under its own member: %s", vals, m, out)
		}
	}
	if !strings.Contains(out, `"[REDACTED]":6,"[REDACTED]":7`) {
		t.Fatalf("the attributes' keys: %s", out)
	}
}
