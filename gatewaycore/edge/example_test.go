package edge_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/footingdev/footing/contracts/identity"
	"github.com/footingdev/footing/gatewaycore/edge"
)

func ExampleMetadata() {
	proxies, _ := edge.NewTrustedProxies("10.0.0.0/8")
	h := edge.Metadata(edge.WithTrustedProxies(proxies))(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		md, _ := identity.RequestMetadataFrom(r.Context())
		fmt.Println(md.GetRequestId(), md.GetClientIp(), md.GetProcedure())
	}))
	r := httptest.NewRequest(http.MethodPost, "/footing.ai.v1.AIGatewayService/Complete", nil)
	r.RemoteAddr = "10.0.0.5:51000"
	r.Header.Set("X-Forwarded-For", "198.51.100.7")
	r.Header.Set("X-Request-Id", "req-42")
	h.ServeHTTP(httptest.NewRecorder(), r)
	// Output: req-42 198.51.100.7 /footing.ai.v1.AIGatewayService/Complete
}

func ExampleNewTrustedProxies() {
	_, err := edge.NewTrustedProxies("10.0.0.0/8", "0.0.0.0/0")
	fmt.Println(err)
	// Output: trusted proxy "0.0.0.0/0": trusts every address, so any client could forge X-Forwarded-For; list your proxies' networks
}

func ExampleRecover() {
	h := edge.Recover(edge.WithPanicHook(func(_ context.Context, _ *http.Request, _ string, v any, _ []byte) {
		fmt.Println("logged:", v)
	}))(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Set-Cookie", "session=half-made") // the handler's answer, dropped
		w.Header().Set("Content-Type", "text/csv")
		panic("boom")
	}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	fmt.Println(rec.Code, rec.Header().Get("Content-Type"), rec.Header().Get("Cache-Control"), len(rec.Result().Cookies()))
	// Output:
	// logged: boom
	// 500 application/json no-store 0
}
