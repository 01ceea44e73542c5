package chain_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/footingdev/footing/gatewaycore/chain"
	"github.com/footingdev/footing/gatewaycore/edge"
)

func Example() {
	h := chain.Chain{
		Recover:   edge.Recover(),
		Metadata:  edge.Metadata(),
		BodyLimit: edge.BodyLimit(1 << 20),
		// Trace, Observe: observability; Auth: gatewaycore/auth; CORS, RateLimit: gatewaycore.
	}.ThenFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "ok") })

	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.Header.Set("X-Request-Id", "req-1")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	fmt.Println(rec.Body.String(), rec.Header().Get("X-Request-Id"))
	// Output: ok req-1
}
