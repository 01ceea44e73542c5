package sse

import (
	"bytes"
	"errors"
	"io"
	"testing"
	"testing/iotest"
)

// FuzzReader checks that any input is read without a panic, that reading it whole
// and byte by byte gives the same events, and that an event's data never holds a
// CR (it would have ended a line).
func FuzzReader(f *testing.F) {
	for _, s := range []string{
		"data: a\n\n", "event: x\r\ndata: a\r\n\r\n", "event: x\rdata: a\r\r", ": c\n\n",
		"id: 1\ndata\n\n", "data: [DONE]\n\n", "data: a\ndata: b\n", "\r\n\r", ":\r\rdata:\n\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		whole := collect(t, bytes.NewReader(in))
		bytewise := collect(t, iotest.OneByteReader(bytes.NewReader(in)))
		if len(whole) != len(bytewise) {
			t.Fatalf("whole read %d events, byte-wise %d", len(whole), len(bytewise))
		}
		for i := range whole {
			if whole[i] != bytewise[i] {
				t.Fatalf("event %d: %q vs %q", i, whole[i], bytewise[i])
			}
			if bytes.ContainsAny([]byte(whole[i].data), "\r") {
				t.Fatalf("event %d data holds a CR: %q", i, whole[i].data)
			}
		}
	})
}

func collect(t *testing.T, r io.Reader) []ev {
	t.Helper()
	sr := NewReader(r)
	sr.MaxEventSize = 1 << 16
	var out []ev
	for {
		e, err := sr.Next()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		out = append(out, ev{e.Type, string(e.Data), e.ID})
	}
}
