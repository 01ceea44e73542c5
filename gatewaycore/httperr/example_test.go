package httperr_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/footingdev/footing/contracts/errs"
	"github.com/footingdev/footing/gatewaycore/httperr"
)

func Example() {
	h := httperr.HandlerFunc(func(w http.ResponseWriter, r *http.Request) error {
		return errs.NotFound("ADR_NOT_FOUND", "no such ADR")
	})
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/adrs/7", nil))
	fmt.Println(rec.Code, rec.Header().Get("Content-Type"))
	// Output: 404 application/json
}
