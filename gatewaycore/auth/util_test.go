package auth_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/footingdev/footing/contracts/identity"
)

func serve(h http.Handler, path string, header http.Header) *httptest.ResponseRecorder {
	req := httptest.NewRequestWithContext(context.Background(), http.MethodGet, path, nil)
	for k, v := range header {
		req.Header[k] = v
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func principalOf(r *http.Request) (string, bool) {
	p, ok := identity.PrincipalFrom(r.Context())
	return p.GetSubject(), ok
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }
