package edge_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/footingdev/footing/gatewaycore/edge"
)

// TestTimeoutsFollowTheRoutedPath sends escaped dot segments to a real server whose
// http.ServeMux serves "/admin/": ServeMux runs that handler for
// "/admin/%2e%2e/healthz", whose cleaned form "/healthz" has no deadline here, so the
// handler must still run under "/admin/"'s deadline. Judged on the cleaned path
// alone, it ran with none.
func TestTimeoutsFollowTheRoutedPath(t *testing.T) {
	t.Parallel()
	deadlines := make(chan bool, 8)
	mux := http.NewServeMux()
	mux.HandleFunc("/admin/", func(w http.ResponseWriter, r *http.Request) {
		_, ok := r.Context().Deadline()
		deadlines <- ok
		w.WriteHeader(http.StatusOK)
	})
	h := edge.Timeouts(edge.RouteTimeouts{Routes: map[string]time.Duration{"/admin/": time.Minute}})(mux)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	for _, target := range []string{"/admin/x", "/admin/%2e%2e/healthz", "/admin/..%2Fhealthz"} {
		resp, err := srv.Client().Get(srv.URL + target)
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: status %d, want the /admin/ handler's 200", target, resp.StatusCode)
		}
		if ok := <-deadlines; !ok {
			t.Errorf("%s: the /admin/ handler ran without /admin/'s deadline", target)
		}
	}
}
