package cors_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/footingdev/footing/gatewaycore/cors"
)

func Example() {
	c, err := cors.New(cors.WithAllowedOrigins("https://app.example.com"), cors.WithCredentials())
	if err != nil {
		panic(err)
	}
	h := c.Wrap(http.NotFoundHandler())

	r := httptest.NewRequest(http.MethodOptions, "/footing.ai.v1.AIGatewayService/Complete", nil)
	r.Header.Set("Origin", "https://app.example.com")
	r.Header.Set("Access-Control-Request-Method", "POST")
	r.Header.Set("Access-Control-Request-Headers", "content-type, connect-protocol-version")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	fmt.Println(rec.Code, rec.Header().Get("Access-Control-Allow-Origin"), rec.Header().Get("Access-Control-Max-Age"))
	// Output: 204 https://app.example.com 7200
}
