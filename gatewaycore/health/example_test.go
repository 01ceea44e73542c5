package health_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/footingdev/footing/gatewaycore/health"
)

func Example() {
	// Every caller shares runs of the checks; a completed run answers for a second
	// (health.WithCacheFor), so a flood of /readyz costs "cache" one run per second.
	c := health.New()
	c.Register("cache", time.Second, func(context.Context) error { return nil })
	mux := http.NewServeMux()
	c.Mount(mux) // /healthz, /readyz and grpc.health.v1.Health

	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/readyz", nil))
	fmt.Println(rec.Code)

	c.SetReady(false) // what gatewaycore/server does when a shutdown starts; never cached
	rec = httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/readyz", nil))
	fmt.Println(rec.Code, rec.Body.String())
	// Output:
	// 200
	// 503 {"status":"draining","checks":{}}
}
