package errs_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"connectrpc.com/connect"

	"github.com/footingdev/footing/contracts/errs"
)

// TestHTTPStatusIsConnects: HTTPStatus gives, for every code (and one past the last),
// the status connect-go itself answers a Connect unary request with, so that a
// plain HTTP handler and a Connect handler agree, and an upgrade of connect-go that
// changed its table would be noticed here.
func TestHTTPStatusIsConnects(t *testing.T) {
	t.Parallel()
	ew := connect.NewErrorWriter()
	for code := connect.CodeCanceled; code <= connect.CodeUnauthenticated+1; code++ {
		req := httptest.NewRequest(http.MethodPost, "/footing.ai.v1.AIGatewayService/Complete", strings.NewReader("{}"))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		if err := ew.Write(rec, req, connect.NewError(code, errors.New("x"))); err != nil {
			t.Fatalf("%v: %v", code, err)
		}
		if got := errs.HTTPStatus(code); got != rec.Code {
			t.Errorf("HTTPStatus(%v) = %d, connect-go answers %d", code, got, rec.Code)
		}
	}
}
