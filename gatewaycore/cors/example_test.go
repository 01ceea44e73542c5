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

func ExampleWithAllowedOrigins() {
	c, err := cors.New(cors.WithAllowedOrigins("https://app.example.com:443", "https://*.example.org"))
	if err != nil {
		panic(err)
	}
	// Browsers send no default port: the configured ":443" is dropped.
	fmt.Println(c.AllowsOrigin("https://app.example.com"), c.AllowsOrigin("https://a.example.org"))

	_, err = cors.New(cors.WithAllowedOrigins("https://*.com"))
	fmt.Println(err)
	// Output:
	// true true
	// cors: origin pattern "https://*.com" allows every site under ".com": the part after "*." needs two labels at least (https://*.example.com)
}
