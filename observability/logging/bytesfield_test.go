package logging_test

import (
	"bytes"
	"encoding/base64"
	"log/slog"
	"strings"
	"testing"

	"github.com/footingdev/footing/observability/logging"
)

// TestByteFieldsInStructsAreRedacted: encoding/json writes a []byte field of a struct
// (or a []byte in a map or slice) passed with slog.Any in base64, so a credential in
// it — a JWT, a "Bearer …" header line, an API key — passed every value rule, and its
// base64 gave it back to anyone reading the log. Such a field is now decoded and, when
// its text holds a credential, written as [REDACTED]; other bytes stay as they were.
func TestByteFieldsInStructsAreRedacted(t *testing.T) {
	t.Parallel()
	const token = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"
	type message struct {
		ID      int
		Payload []byte
		Headers map[string][]byte
	}
	harmless := []byte("just some ordinary bytes, no secret in them")
	m := message{ID: 7, Payload: []byte("GET / HTTP/1.1\r\nAuthorization: Bearer " + token + "\r\n"),
		Headers: map[string][]byte{"X-Trace": []byte(token), "X-Note": harmless}}
	for _, format := range []logging.Format{logging.JSON, logging.Text} {
		var buf bytes.Buffer
		l := slog.New(logging.NewHandler(&buf, &logging.Options{Format: format}))
		l.Info("m", "msg", m, "list", [][]byte{[]byte(token)})
		out := buf.String()
		for _, leak := range []string{token, base64.StdEncoding.EncodeToString([]byte(token)), base64.StdEncoding.EncodeToString(m.Payload)} {
			if strings.Contains(out, leak) {
				t.Fatalf("format %d: a credential (or its base64) in output: %s", format, out)
			}
		}
		if !strings.Contains(out, base64.StdEncoding.EncodeToString(harmless)) {
			t.Fatalf("format %d: harmless bytes were changed: %s", format, out)
		}
	}
}
