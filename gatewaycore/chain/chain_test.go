package chain_test

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/footingdev/footing/gatewaycore/chain"
)

func TestOrder(t *testing.T) {
	t.Parallel()
	var got []string
	mark := func(name string) chain.Middleware {
		return func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				got = append(got, name)
				next.ServeHTTP(w, r)
			})
		}
	}
	c := chain.Chain{
		Timeout: mark("timeout"), Auth: mark("auth"), Recover: mark("recover"), CORS: mark("cors"),
		RateLimit: mark("rate_limit"), Metadata: mark("metadata"), Observe: mark("observe"),
		BodyLimit: mark("body_limit"), Trace: mark("trace"), Compress: mark("compress"),
		PreAuthRateLimit: mark("pre_auth_rate_limit"),
	}
	c.ThenFunc(func(http.ResponseWriter, *http.Request) { got = append(got, "handler") }).
		ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/", nil))
	want := append(chain.StepNames(), "handler")
	if !slices.Equal(got, want) {
		t.Fatalf("order %s, want %s", strings.Join(got, ","), strings.Join(want, ","))
	}

	got = nil
	chain.Chain{Auth: mark("auth")}.ThenFunc(func(http.ResponseWriter, *http.Request) { got = append(got, "handler") }).
		ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/", nil))
	if !slices.Equal(got, []string{"auth", "handler"}) {
		t.Fatalf("with empty slots: %v", got)
	}
}
