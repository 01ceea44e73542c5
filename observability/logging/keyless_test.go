package logging_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	commonv1 "github.com/footingdev/footing/contracts/gen/go/footing/common/v1"
	"github.com/footingdev/footing/contracts/identity"
	"github.com/footingdev/footing/observability/internal/accessline"
	"github.com/footingdev/footing/observability/logging"
)

// fakeBody returns n characters of a made-up key body: letters of both
// cases and digits, as the providers' keys are, and '-' and '_' when dashes
// is set (OpenAI's project keys, Anthropic's, Google's have them).
func fakeBody(n int, dashes bool) string {
	const plain = "Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Jh1Gf0EdCbAa"
	const mixed = "Zx9Yw8-Vu7Ts6_Rq5Po4Nm3-Lk2Jh1_Gf0Ed"
	src := plain
	if dashes {
		src = mixed
	}
	var b strings.Builder
	for b.Len() < n {
		b.WriteString(src)
	}
	return b.String()[:n]
}

// Keys of the shapes the providers document (none of them real).
var (
	openAILegacy    = "sk-" + fakeBody(20, false) + "T3BlbkFJ" + fakeBody(20, false)
	openAIProject   = "sk-proj-" + fakeBody(156, true)
	openAIService   = "sk-svcacct-" + fakeBody(48, true)
	openAIAdmin     = "sk-admin-" + fakeBody(60, true)
	anthropicKey    = "sk-ant-api03-" + fakeBody(93, true) + "AA"
	anthropicAdmin  = "sk-ant-admin01-" + fakeBody(93, true) + "AA"
	githubClassic   = "ghp_" + fakeBody(36, false)
	githubOAuth     = "gho_" + fakeBody(36, false)
	githubUser      = "ghu_" + fakeBody(36, false)
	githubInstall   = "ghs_" + fakeBody(36, false)
	githubRefresh   = "ghr_" + fakeBody(76, false)
	githubFine      = "github_pat_" + fakeBody(22, false) + "_" + fakeBody(59, false)
	googleKey       = "AIzaSy" + fakeBody(33, true)
	slackBot        = "xoxb-1234567890123-1234567890123-" + fakeBody(24, false)
	slackUser       = "xoxp-1234567890-1234567890-1234567890123-" + fakeBody(32, false)
	slackApp        = "xoxa-2-" + fakeBody(40, false)
	slackRefresh    = "xoxr-" + fakeBody(40, false)
	slackSession    = "xoxs-" + fakeBody(40, false)
	stripeLive      = "sk_live_" + fakeBody(24, false)
	stripeTest      = "sk_test_" + fakeBody(99, false)
	stripeRestrict  = "rk_live_" + fakeBody(24, false)
	stripeRestrictT = "rk_test_" + fakeBody(24, false)
	awsKeyID        = "AKIAIOSFODNN7EXAMPLE"
	awsSessionKeyID = "ASIAY34FZKBOKMUTVV7A"
)

// keylessTokens are the keyless credentials each test plants.
var keylessTokens = []string{
	openAILegacy, openAIProject, openAIService, openAIAdmin, anthropicKey, anthropicAdmin,
	githubClassic, githubOAuth, githubUser, githubInstall, githubRefresh, githubFine, googleKey,
	slackBot, slackUser, slackApp, slackRefresh, slackSession,
	stripeLive, stripeTest, stripeRestrict, stripeRestrictT, awsKeyID, awsSessionKeyID,
}

// TestRedactKeylessTokens: a credential that names itself by its prefix is
// replaced wherever it stands in a string (alone, in an error message, a
// query, a JSON body), under any key; the words around it stay.
func TestRedactKeylessTokens(t *testing.T) {
	t.Parallel()
	for _, tok := range keylessTokens {
		for _, tc := range []struct{ in, want string }{
			{tok, "[REDACTED]"},
			{"upstream said: invalid key " + tok, "upstream said: invalid key [REDACTED]"},
			{"invalid key " + tok + ", retrying", "invalid key [REDACTED], retrying"},
			{"GET /v1/models?key=" + tok + "&alt=json", "GET /v1/models?key=[REDACTED]&alt=json"},
			{`{"error":{"message":"Incorrect API key provided: ` + tok + `."}}`, `{"error":{"message":"Incorrect API key provided: [REDACTED]."}}`},
			{"'" + tok + "'", "'[REDACTED]'"},
			{"(" + tok + ")\n" + tok, "([REDACTED])\n[REDACTED]"},
			{"/keys/" + tok + "/rotate", "/keys/[REDACTED]/rotate"},
			{"k=" + tok, "k=[REDACTED]"},
		} {
			if got := logging.Redact(tc.in); got != tc.want {
				t.Errorf("Redact(%q) =\n  %q\nwant\n  %q", tc.in, got, tc.want)
			}
		}
	}
}

// TestRedactKeylessNearMisses: words that start like a prefix, prefixes
// inside a word, and prefixes followed by less than a key's length stay.
func TestRedactKeylessNearMisses(t *testing.T) {
	t.Parallel()
	for _, s := range []string{
		"sk-8", "sk-", "desk-top", "task_live_", "the sk-learn model", "disk-usage-report-for-the-whole-cluster-2026",
		"task_live_" + fakeBody(40, false), "risk_test_" + fakeBody(40, false), "ask-proj-" + fakeBody(40, true),
		"sk-" + fakeBody(39, false), // a bare sk- needs 40 after it
		"sk-proj-" + fakeBody(19, true), "sk-ant-api03-" + fakeBody(6, true), "sk-svcacct-short", "sk-admin-x",
		"sk_live_" + fakeBody(19, false), "rk_test_short", "pk_live_" + fakeBody(24, false), // publishable: not a secret
		"ghp_" + fakeBody(29, false), "ghx_" + fakeBody(36, false), "xghp_" + fakeBody(36, false), "my_ghp_" + fakeBody(36, false),
		"github_pat_" + fakeBody(29, false), "mygithub_pat_" + fakeBody(82, false),
		"AIza" + fakeBody(34, true), "xAIza" + fakeBody(35, true), "AIzb" + fakeBody(35, true),
		"AKIAIOSFODNN7EXAMPL", "AKIAiosfodnn7example", "XAKIAIOSFODNN7EXAMPLE", "AKIAIOSFODNN7EXAMPLEX", "AKIA_IOSFODNN7EXAMPLE",
		"ASIAPACIFIC", "ASIA-PACIFIC-SOUTHEAST-REGION-2026",
		"xoxb-123", "xoxo-" + fakeBody(40, false), "xoxbx-" + fakeBody(40, false), "fooxoxb-" + fakeBody(40, false),
		"/footing.ai.v1.AIGatewayService/Complete", "/grpc.health.v1.Health/Check", "POST", "ok", "req-1",
		"deadline_exceeded", "resource_exhausted", "3f2a9c1e-7b4d-4e8a-9f0c-1d2e3f4a5b6c",
	} {
		if got := logging.Redact(s); got != s {
			t.Errorf("Redact(%q) = %q, want it unchanged", s, got)
		}
	}
}

// TestKeylessTokensEveryPath: a keyless token under an ordinary key, in the
// message, in an error, and in the context's ids, is redacted the same way
// through a Logger (JSON and text, with and without a group), WriteRecord,
// and the direct access line, whose output equals slog's own handler's.
func TestKeylessTokensEveryPath(t *testing.T) {
	t.Parallel()
	ts := time.Date(2026, 12, 7, 21, 0, 0, 0, time.UTC)
	for _, tok := range keylessTokens {
		t.Run(tok[:6], func(t *testing.T) {
			t.Parallel()
			ctx := identity.WithRequestMetadata(context.Background(), &commonv1.RequestMetadata{RequestId: tok})
			ctx = identity.WithPrincipal(ctx, &commonv1.Principal{TenantId: "acme", UserId: "u-1"})
			check := func(how, out string) {
				t.Helper()
				if strings.Contains(out, tok) {
					t.Fatalf("%s: token in output: %s", how, out)
				}
				if !strings.Contains(out, logging.Redacted) {
					t.Fatalf("%s: nothing redacted: %s", how, out)
				}
			}
			for _, opts := range []*logging.Options{nil, {Format: logging.Text}} {
				var b bytes.Buffer
				l := slog.New(logging.NewHandler(&b, opts))
				l.InfoContext(ctx, "m", "model", "gpt", "upstream", "invalid key "+tok)
				l.Info("upstream said: invalid key " + tok)
				l.Error("m", "err", fmt.Errorf("call: %w", errors.New("401: "+tok)))
				l.Info("m", "v", struct{ Note string }{"key " + tok}, "b", []byte(tok))
				l.WithGroup("g").InfoContext(ctx, "m", "note", tok)
				l.With("note", tok).Info("m")
				for _, line := range strings.Split(strings.TrimSpace(b.String()), "\n") {
					check("logger", line)
				}
			}
			// WriteRecord and the access line, against slog's own handler.
			l := accessline.Line{Method: "POST", Route: "/footing.ai.v1.AIGatewayService/Complete",
				Path: "/footing.ai.v1.AIGatewayService/Complete", Status: 401, Code: "unauthenticated", User: "u-1"}
			for name, line := range map[string]accessline.Line{
				"request id from context": l,
				"in the path":             func() accessline.Line { l := l; l.Path = "/v1/keys/" + tok; return l }(),
				"as the user":             func() accessline.Line { l := l; l.User = tok; return l }(),
				"in the code":             func() accessline.Line { l := l; l.Code = "bad key " + tok; return l }(),
				"in an extra":             func() accessline.Line { l := l; l.Extra = []slog.Attr{slog.String("upstream", tok)}; return l }(),
			} {
				var db, wb, sb bytes.Buffer
				dh := logging.NewHandler(&db, nil)
				took, err := accessline.Write(dh, ctx, ts, slog.LevelInfo, accessline.Message, line)
				if err != nil {
					t.Fatal(err)
				}
				if took {
					t.Fatalf("%s: the direct access line took a line to redact: %s", name, db.String())
				}
				if err := dh.WriteRecord(ctx, ts, slog.LevelInfo, accessline.Message, line.Attrs(nil)...); err != nil {
					t.Fatal(err)
				}
				if err := logging.NewHandler(&wb, nil).WriteRecord(ctx, ts, slog.LevelInfo, "key "+tok, line.Attrs(nil)...); err != nil {
					t.Fatal(err)
				}
				r := slog.NewRecord(ts, slog.LevelInfo, accessline.Message, 0)
				r.AddAttrs(line.Attrs(nil)...)
				if err := logging.SlowForTest(logging.NewHandler(&sb, nil)).Handle(ctx, r); err != nil {
					t.Fatal(err)
				}
				check(name+": access line", db.String())
				check(name+": WriteRecord", wb.String())
				if db.String() != sb.String() {
					t.Fatalf("%s: access line and slog differ:\n%s\n%s", name, db.String(), sb.String())
				}
			}
		})
	}
}

// ExampleRedact shows the keyless credentials Redact finds by their
// prefixes, here in an upstream's error message and in a query string.
func ExampleRedact() {
	key := "sk-proj-" + strings.Repeat("Ab1-", 10) // made up, of an OpenAI project key's shape
	fmt.Println(logging.Redact("upstream said: invalid key " + key))
	fmt.Println(logging.Redact("GET /v1/models?key=AIzaSyZx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Jh1Gf0EdCb&alt=json"))
	fmt.Println(logging.Redact("the sk-learn model runs on desk-top machines"))
	// Output:
	// upstream said: invalid key [REDACTED]
	// GET /v1/models?key=[REDACTED]&alt=json
	// the sk-learn model runs on desk-top machines
}
