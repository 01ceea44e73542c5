package edge

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
)

func TestStripGzipETags(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, inm, ifMatch string
		wantINM, wantMatch string
		wantTags           []string
	}{
		{"none", "", "", "", "", nil},
		{"plain tags untouched", `"v1", W/"v2"`, `"v1"`, `"v1", W/"v2"`, `"v1"`, nil},
		{"gzip tag", `"v1--gzip"`, "", `"v1"`, "", []string{`"v1"`}},
		{"list", ` "a", W/"b--gzip" ,"c--gzip"`, `"c--gzip"`, `"a", W/"b", "c"`, `"c"`, []string{`"b"`, `"c"`}},
		{"only one suffix off", `"v1--gzip--gzip"`, "", `"v1--gzip"`, "", []string{`"v1--gzip"`}},
		{"bare suffix", `"--gzip"`, "", `"--gzip"`, "", nil},
		{"not a list", `v1--gzip", x`, "", `v1--gzip", x`, "", nil},
		{"unterminated", `"a", "b--gzip"`, `"c--gzip`, `"a", "b"`, `"c--gzip`, []string{`"b"`}},
		{"star", `*, "v1--gzip"`, "", `*, "v1--gzip"`, "", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			if tc.inm != "" {
				r.Header.Set("If-None-Match", tc.inm)
			}
			if tc.ifMatch != "" {
				r.Header.Set("If-Match", tc.ifMatch)
			}
			before := r.Header.Clone()
			got, tags := stripGzipETags(r)
			if g := got.Header.Get("If-None-Match"); g != tc.wantINM {
				t.Errorf("If-None-Match %q, want %q", g, tc.wantINM)
			}
			if g := got.Header.Get("If-Match"); g != tc.wantMatch {
				t.Errorf("If-Match %q, want %q", g, tc.wantMatch)
			}
			if !slices.Equal(tags, tc.wantTags) {
				t.Errorf("tags %q, want %q", tags, tc.wantTags)
			}
			for k, v := range before {
				if !slices.Equal(r.Header[k], v) {
					t.Errorf("the caller's request changed: %s %q, was %q", k, r.Header[k], v)
				}
			}
		})
	}
}

// FuzzStripGzipSuffixes: If-None-Match and If-Match come from the client.
func FuzzStripGzipSuffixes(f *testing.F) {
	for _, s := range []string{`"v1--gzip"`, ` "a", W/"b--gzip" ,"c"`, `*`, `W/`, `"`, `""`, `"--gzip"`, `,,,`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		out, bases, ok := stripGzipSuffixes(v)
		if !ok {
			return
		}
		if len(out) > 2*len(v)+2 {
			t.Fatalf("%q grew to %q", v, out)
		}
		again, _, ok := stripGzipSuffixes(out)
		if !ok {
			t.Fatalf("%q became %q, which is not a list of tags", v, out)
		}
		if strings.Count(again, `"`) != strings.Count(out, `"`) {
			t.Fatalf("%q: %q then %q: tags lost", v, out, again)
		}
		for _, b := range bases {
			if !strongETag(b) {
				t.Fatalf("%q: base %q is not a strong tag", v, b)
			}
		}
	})
}
