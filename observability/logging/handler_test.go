package logging_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
	"testing/slogtest"

	"go.opentelemetry.io/otel/trace"

	commonv1 "github.com/footingdev/footing/contracts/gen/go/footing/common/v1"
	"github.com/footingdev/footing/contracts/identity"
	"github.com/footingdev/footing/observability/logging"
)

func TestSlogtestJSON(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	h := logging.NewHandler(&buf, &logging.Options{Level: slog.LevelDebug})
	results := func() []map[string]any {
		var ms []map[string]any
		for line := range bytes.SplitSeq(bytes.TrimSpace(buf.Bytes()), []byte("\n")) {
			if len(line) == 0 {
				continue
			}
			var m map[string]any
			if err := json.Unmarshal(line, &m); err != nil {
				t.Fatalf("line %q: %v", line, err)
			}
			ms = append(ms, m)
		}
		return ms
	}
	if err := slogtest.TestHandler(h, results); err != nil {
		t.Fatal(err)
	}
}

func TestSlogtestText(t *testing.T) {
	t.Parallel()
	// slogtest.Run gives each case a fresh handler; a text line is parsed into
	// nested maps by its dotted keys.
	slogtest.Run(t, func(t *testing.T) slog.Handler {
		return logging.NewHandler(textSink(t), &logging.Options{Format: logging.Text})
	}, func(t *testing.T) map[string]any {
		return parseText(t, textSink(t).String())
	})
}

var sinks = map[string]*bytes.Buffer{}

// textSink returns the buffer of the subtest t; slogtest.Run runs its cases in
// sequence, so a plain map is enough.
func textSink(t *testing.T) *bytes.Buffer {
	if b, ok := sinks[t.Name()]; ok {
		return b
	}
	b := &bytes.Buffer{}
	sinks[t.Name()] = b
	return b
}

func parseText(t *testing.T, line string) map[string]any {
	t.Helper()
	m := map[string]any{}
	for _, field := range strings.Fields(strings.TrimSpace(line)) {
		k, v, ok := strings.Cut(field, "=")
		if !ok {
			t.Fatalf("text field %q has no =", field)
		}
		cur := m
		keys := strings.Split(k, ".")
		for _, g := range keys[:len(keys)-1] {
			sub, ok := cur[g].(map[string]any)
			if !ok {
				sub = map[string]any{}
				cur[g] = sub
			}
			cur = sub
		}
		cur[keys[len(keys)-1]] = v
	}
	return m
}

func TestContextIDs(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	l := slog.New(logging.NewHandler(&buf, nil))
	tid, _ := trace.TraceIDFromHex("0123456789abcdef0123456789abcdef")
	sid, _ := trace.SpanIDFromHex("0123456789abcdef")
	ctx := trace.ContextWithSpanContext(context.Background(), trace.NewSpanContext(trace.SpanContextConfig{TraceID: tid, SpanID: sid, TraceFlags: trace.FlagsSampled}))
	ctx = identity.WithPrincipal(ctx, &commonv1.Principal{TenantId: "t-1", UserId: "u-1"})
	ctx = identity.WithRequestMetadata(ctx, &commonv1.RequestMetadata{RequestId: "r-1"})

	l.WithGroup("g").InfoContext(ctx, "hello", "a", 1)
	logging.FromContext(logging.NewContext(ctx, l)).Info("bound")
	l.InfoContext(ctx, "own id wins", "request_id", "r-explicit")

	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 3 {
		t.Fatalf("%d lines", len(lines))
	}
	for i, line := range lines[:2] {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatal(err)
		}
		if m["trace_id"] != tid.String() || m["span_id"] != sid.String() || m["request_id"] != "r-1" || m["tenant"] != "t-1" || m["user"] != "u-1" {
			t.Fatalf("line %d lacks the context's ids at the top level: %s", i, line)
		}
	}
	if !strings.Contains(lines[0], `"g":{"a":1}`) {
		t.Fatalf("group lost: %s", lines[0])
	}
	if strings.Count(lines[2], "request_id") != 1 || !strings.Contains(lines[2], "r-explicit") {
		t.Fatalf("explicit request id duplicated or lost: %s", lines[2])
	}
}

func TestFromContextWithoutLogger(t *testing.T) {
	t.Parallel()
	if logging.FromContext(context.Background()) == nil {
		t.Fatal("FromContext returned nil")
	}
}
