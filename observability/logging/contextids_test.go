package logging_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	commonv1 "github.com/footingdev/footing/contracts/gen/go/footing/common/v1"
	"github.com/footingdev/footing/contracts/identity"
	"github.com/footingdev/footing/observability/internal/accessline"
	"github.com/footingdev/footing/observability/logging"
)

// TestContextIDsAreRedacted: the request id, tenant and user a line takes
// from its context are redacted as the line's own values are. A request id
// is a client's header (gatewaycore/edge accepts [A-Za-z0-9._:-], which a JWT
// is made of), so it can hold a credential; a handler whose secret keys name
// one of the ids' keys redacts its value. Every way into the handler (a
// Logger, WriteRecord, the direct access line) writes what slog's own
// handler writes for the redacted ids.
func TestContextIDsAreRedacted(t *testing.T) {
	t.Parallel()
	const jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl"
	ctx := identity.WithRequestMetadata(context.Background(), &commonv1.RequestMetadata{RequestId: jwt})
	ctx = identity.WithPrincipal(ctx, &commonv1.Principal{TenantId: "api_key=k3y-s3cr3t", UserId: "Bearer u53r-t0k3n"})
	secrets := []string{jwt, "k3y-s3cr3t", "u53r-t0k3n"}
	plain := identity.WithPrincipal(context.Background(), &commonv1.Principal{TenantId: "acme-tenant", UserId: "u1"})
	ts := time.Date(2026, 12, 7, 20, 1, 2, 345678900, time.UTC)
	for _, tc := range []struct {
		name    string
		ctx     context.Context
		opts    *logging.Options
		group   bool
		secrets []string
		want    []string // in every line
	}{
		{name: "json", ctx: ctx, secrets: secrets, want: []string{`"request_id":"[REDACTED]"`, `"tenant":"api_key=[REDACTED]"`, `"user":"Bearer [REDACTED]"`}},
		{name: "text", ctx: ctx, opts: &logging.Options{Format: logging.Text}, secrets: secrets, want: []string{`request_id=[REDACTED]`}},
		{name: "group", ctx: ctx, group: true, secrets: secrets, want: []string{`"request_id":"[REDACTED]"`}},
		{name: "secret key names an id", ctx: plain, opts: &logging.Options{SecretKeys: []string{"tenant"}}, secrets: []string{"acme-tenant"}, want: []string{`"tenant":"[REDACTED]"`, `"user":"u1"`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			mk := func(b *bytes.Buffer) slog.Handler {
				h := slog.Handler(logging.NewHandler(b, tc.opts))
				if tc.group {
					h = h.WithGroup("g")
				}
				return h
			}
			var out [4]bytes.Buffer
			slog.New(mk(&out[0])).InfoContext(tc.ctx, accessline.Message, "n", 1)
			if h, ok := mk(&out[1]).(*logging.Handler); ok {
				if err := h.WriteRecord(tc.ctx, ts, slog.LevelInfo, accessline.Message, slog.Int("n", 1)); err != nil {
					t.Fatal(err)
				}
				l := accessline.Line{Method: "GET", Route: "/r", Path: "/r", Status: 200}
				h2 := mk(&out[2]).(*logging.Handler)
				took, err := accessline.Write(h2, tc.ctx, ts, slog.LevelInfo, accessline.Message, l)
				if err != nil {
					t.Fatal(err)
				}
				if !took {
					if err := h2.WriteRecord(tc.ctx, ts, slog.LevelInfo, accessline.Message, l.Attrs(nil)...); err != nil {
						t.Fatal(err)
					}
				}
				// slog's own handler (the fast path off), for the same line.
				r := slog.NewRecord(ts, slog.LevelInfo, accessline.Message, 0)
				r.AddAttrs(l.Attrs(nil)...)
				if err := logging.SlowForTest(mk(&out[3])).Handle(tc.ctx, r); err != nil {
					t.Fatal(err)
				}
				if out[2].String() != out[3].String() {
					t.Fatalf("direct access line and slog differ:\ndirect: %q\nslog:   %q", out[2].String(), out[3].String())
				}
			}
			for i := range out {
				got := out[i].String()
				if got == "" && i > 0 && tc.group {
					continue // a group handler is no *logging.Handler: only the Logger wrote
				}
				for _, s := range tc.secrets {
					if strings.Contains(got, s) {
						t.Errorf("line %d shows %q: %s", i, s, got)
					}
				}
				for _, w := range tc.want {
					if !strings.Contains(got, w) {
						t.Errorf("line %d lacks %s: %s", i, w, got)
					}
				}
			}
		})
	}
}

// TestContextIDNamedByTheRecord: a record that names an id keeps its own
// value, and the context's, credential or not, is left out as before, by the
// fast path and by slog's handler alike.
func TestContextIDNamedByTheRecord(t *testing.T) {
	t.Parallel()
	const jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl"
	ctx := identity.WithRequestMetadata(context.Background(), &commonv1.RequestMetadata{RequestId: jwt})
	var fb, sb bytes.Buffer
	slog.New(logging.NewHandler(&fb, nil)).InfoContext(ctx, "m", "request_id", "mine")
	slog.New(logging.SlowForTest(logging.NewHandler(&sb, nil))).InfoContext(ctx, "m", "request_id", "mine")
	for _, got := range []string{fb.String(), sb.String()} {
		if strings.Contains(got, jwt) || !strings.Contains(got, `"request_id":"mine"`) || strings.Count(got, "request_id") != 1 {
			t.Fatalf("got %s", got)
		}
	}
}
