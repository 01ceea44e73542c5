package sse

import (
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

type ev struct{ typ, data, id string }

func readAll(t *testing.T, r io.Reader) ([]ev, error) {
	t.Helper()
	sr := NewReader(r)
	var out []ev
	for {
		e, err := sr.Next()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return out, nil
			}
			return out, err
		}
		out = append(out, ev{e.Type, string(e.Data), e.ID})
	}
}

func TestReader(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		want []ev
	}{
		{"lf", "data: a\n\ndata: b\n\n", []ev{{"", "a", ""}, {"", "b", ""}}},
		{"crlf", "event: x\r\ndata: a\r\n\r\n", []ev{{"x", "a", ""}}},
		{"cr", "event: x\rdata: a\r\r", []ev{{"x", "a", ""}}},
		{"multi-line data", "data: a\ndata:b\ndata:  c\n\n", []ev{{"", "a\nb\n c", ""}}},
		{"comments and ping", ": keep-alive\n\nevent: ping\ndata: {}\n\n", []ev{{"ping", "{}", ""}}},
		{"no data dropped", "event: x\n\ndata: y\n\n", []ev{{"", "y", ""}}},
		{"id persists", "id: 7\ndata: a\n\ndata: b\n\n", []ev{{"", "a", "7"}, {"", "b", "7"}}},
		{"field without colon", "data\n\n", []ev{{"", "", ""}}},
		{"unknown and retry ignored", "retry: 10\nfoo: bar\ndata: a\n\n", []ev{{"", "a", ""}}},
		{"unterminated event dropped", "data: a\n\ndata: b\n", []ev{{"", "a", ""}}},
		{"empty", "", nil},
		{"blank lines only", "\n\r\n\r\n", nil},
		{"data is [DONE]", "data: [DONE]\n\n", []ev{{"", "[DONE]", ""}}},
		{"byte order mark", "\ufeffdata: a\n\n\ufeffdata: b\n\n", []ev{{"", "a", ""}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			for _, wrap := range []struct {
				name string
				f    func(io.Reader) io.Reader
			}{{"whole", func(r io.Reader) io.Reader { return r }}, {"one byte", iotest.OneByteReader}, {"half", iotest.HalfReader}} {
				got, err := readAll(t, wrap.f(strings.NewReader(tc.in)))
				if err != nil {
					t.Fatalf("%s: %v", wrap.name, err)
				}
				if len(got) != len(tc.want) {
					t.Fatalf("%s: got %q, want %q", wrap.name, got, tc.want)
				}
				for i := range got {
					if got[i] != tc.want[i] {
						t.Fatalf("%s: event %d = %q, want %q", wrap.name, i, got[i], tc.want[i])
					}
				}
			}
		})
	}
}

func TestReaderLimits(t *testing.T) {
	t.Parallel()
	long := "data: " + strings.Repeat("x", 100) + "\n\n"
	r := NewReader(iotest.OneByteReader(strings.NewReader(long)))
	r.MaxEventSize = 50
	if _, err := r.Next(); !errors.Is(err, ErrEventTooLarge) {
		t.Fatalf("long line: err = %v, want ErrEventTooLarge", err)
	}
	many := strings.Repeat("data: "+strings.Repeat("x", 20)+"\n", 10) + "\n"
	r = NewReader(strings.NewReader(many))
	r.MaxEventSize = 100
	if _, err := r.Next(); !errors.Is(err, ErrEventTooLarge) {
		t.Fatalf("many lines: err = %v, want ErrEventTooLarge", err)
	}
}

func TestReaderPassesErrors(t *testing.T) {
	t.Parallel()
	boom := errors.New("boom")
	r := NewReader(io.MultiReader(strings.NewReader("data: a\n\ndata: b"), iotest.ErrReader(boom)))
	if e, err := r.Next(); err != nil || string(e.Data) != "a" {
		t.Fatalf("first = %q, %v", e.Data, err)
	}
	if _, err := r.Next(); !errors.Is(err, boom) {
		t.Fatalf("err = %v, want boom", err)
	}
}

func TestReaderAllocs(t *testing.T) {
	in := strings.Repeat("event: content_block_delta\ndata: {\"type\":\"content_block_delta\"}\n\n", 1000)
	r := NewReader(strings.NewReader(in))
	_, _ = r.Next() // grow buffers, intern the name
	allocs := testing.AllocsPerRun(500, func() {
		if _, err := r.Next(); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Fatalf("allocs per event = %v, want 0", allocs)
	}
}
