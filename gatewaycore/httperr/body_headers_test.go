package httperr_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/footingdev/footing/contracts/errs"
	"github.com/footingdev/footing/gatewaycore/httperr"
)

// TestErrorBodyIsNotDescribedByTheHandlersHeaders: a handler that set its own
// body's Content-Length, Content-Encoding or Content-Range and then failed had the
// error's JSON sent under them — cut to the declared length, or labelled gzip — so
// the caller could not read the error at all.
func TestErrorBodyIsNotDescribedByTheHandlersHeaders(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(httperr.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) error {
		w.Header().Set("Content-Length", "7")
		w.Header().Set("Content-Encoding", "gzip")
		w.Header().Set("Content-Range", "bytes 0-6/100")
		w.Header().Set("X-Kept", "yes")
		return errs.NotFound("REPORT_NOT_FOUND", "no such report")
	}))
	defer srv.Close()
	req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
	req.Header.Set("Accept-Encoding", "gzip")
	res, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	var we wireError
	if jerr := json.Unmarshal(body, &we); jerr != nil || we.Code != "not_found" || res.StatusCode != http.StatusNotFound {
		t.Fatalf("status %d, Content-Encoding %q, body %q (%v): want a readable not_found", res.StatusCode, res.Header.Get("Content-Encoding"), body, jerr)
	}
	if res.Header.Get("Content-Range") != "" || res.Header.Get("X-Kept") != "yes" {
		t.Fatalf("headers %v: want Content-Range gone and the handler's other headers kept", res.Header)
	}
}
