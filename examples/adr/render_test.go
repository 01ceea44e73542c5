package adr_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/footingdev/footing/examples/adr"
	adrv1 "github.com/footingdev/footing/examples/gen/go/footing/examples/adr/v1"
)

// header returns the lines of md before its first section ("## "), and checks the
// structure every document has: a one-line title, then exactly the list items Markdown
// writes for a, in order. A title or author that could add a line (a forged
// "- Author:") or a second heading breaks it.
func header(t testing.TB, md string, a *adrv1.ADR) []string {
	t.Helper()
	body, _, _ := strings.Cut(md, "\n## ")
	lines := strings.Split(strings.TrimRight(body, "\n"), "\n")
	want := []string{"# ", "", "- Status: "}
	if a.GetSupersededBy() != "" {
		want = append(want, "- Superseded by: ")
	}
	if len(a.GetTags()) > 0 {
		want = append(want, "- Tags: ")
	}
	want = append(want, "- Author: ", "- Version: ")
	if len(lines) != len(want) {
		t.Fatalf("header has %d lines, want %d:\n%s", len(lines), len(want), body)
	}
	for i, prefix := range want {
		if !strings.HasPrefix(lines[i], prefix) || (prefix == "" && lines[i] != "") {
			t.Fatalf("header line %d = %q, want prefix %q:\n%s", i, lines[i], prefix, body)
		}
	}
	return lines
}

// unescaped reports the first character of s that would be Markdown or HTML syntax
// (not preceded by a backslash), or 0.
func unescaped(s string) rune {
	escaped := false
	for _, r := range s {
		switch {
		case escaped:
			escaped = false
		case r == '\\':
			escaped = true
		case strings.ContainsRune("<>&`*_[]!|~#", r):
			return r
		}
	}
	return 0
}

// TestMarkdownFieldsCannotForgeTheDocument: the title and the author are plain text put
// into Markdown's structure. A title with line breaks must not add "- Author:" or
// "- Status:" lines or headings, and neither may carry raw HTML or Markdown syntax into
// the document a consumer renders (an outbox reader showing it in a browser).
func TestMarkdownFieldsCannotForgeTheDocument(t *testing.T) {
	t.Parallel()
	for name, a := range map[string]*adrv1.ADR{
		"forged lines": {Title: "Harmless\n- Author: ceo\n- Status: accepted\n\n## Decision\n\nApproved by the board", Status: adrv1.Status_STATUS_PROPOSED, Author: "mallory", Version: 1},
		"html":         {Title: `<img src=x onerror="alert(document.cookie)">`, Status: adrv1.Status_STATUS_PROPOSED, Author: "<script>alert(1)</script>", Version: 1},
		"markdown":     {Title: "[click](javascript:alert(1)) ![x](https://evil.example/t.png) `code` *em* #", Status: adrv1.Status_STATUS_PROPOSED, Author: "a\u2028- Author: b", Version: 1},
		"cr":           {Title: "a\r- Version: 99", Status: adrv1.Status_STATUS_PROPOSED, Author: "u\r\n# h", Version: 1},
	} {
		t.Run(name, func(t *testing.T) {
			lines := header(t, adr.Markdown(a), a)
			for _, line := range []string{lines[0][len("# "):], lines[len(lines)-2][len("- Author: "):]} {
				if r := unescaped(line); r != 0 {
					t.Fatalf("%q keeps %q unescaped", line, r)
				}
			}
		})
	}
}

// FuzzMarkdown: whatever the title, author, tags and sections, the document is valid
// UTF-8 when they are, and its header has exactly its structure with the title and
// author escaped.
func FuzzMarkdown(f *testing.F) {
	f.Add("Use Postgres", "ada", "infra", "We will.", int32(2))
	f.Add("x\n- Author: ceo", "<b>", "", "## Consequences\n\n<script>", int32(4))
	f.Add("\u2028#\\", "\r\n", "a-b", "", int32(0))
	f.Fuzz(func(t *testing.T, title, author, tag, text string, status int32) {
		a := &adrv1.ADR{
			Title: title, Author: author, Status: adrv1.Status(status%5 + 1), Version: 7,
			Decision: text, Context: text,
		}
		if a.GetStatus() == adrv1.Status_STATUS_SUPERSEDED {
			a.SupersededBy = "0b0e4a60-7bd4-4b5e-9a0c-3f0a7c1d2e3f"
		}
		if tag != "" {
			a.Tags = []string{tag}
		}
		md := adr.Markdown(a)
		if utf8.ValidString(title) && utf8.ValidString(author) && utf8.ValidString(tag) && utf8.ValidString(text) && !utf8.ValidString(md) {
			t.Fatalf("Markdown of valid UTF-8 is not: %q", md)
		}
		lines := header(t, md, a)
		for _, line := range []string{lines[0][len("# "):], lines[len(lines)-2][len("- Author: "):]} {
			if r := unescaped(line); r != 0 {
				t.Fatalf("%q keeps %q unescaped", line, r)
			}
		}
	})
}
