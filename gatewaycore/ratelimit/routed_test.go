package ratelimit_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/footingdev/footing/gatewaycore/ratelimit"
)

// TestRulesFollowTheRoutedPath sends escaped dot segments to a real server whose
// http.ServeMux serves "/admin/" and "/healthz": ServeMux runs the "/admin/" handler
// for "/admin/%2e%2e/healthz", whose cleaned form is "/healthz", so the "/admin/"
// rule must count it. A rule judged on the cleaned path alone let every such request
// through to the admin handler unlimited.
func TestRulesFollowTheRoutedPath(t *testing.T) {
	t.Parallel()
	var adminRuns int
	mux := http.NewServeMux()
	mux.HandleFunc("/admin/", func(w http.ResponseWriter, _ *http.Request) { adminRuns++; w.WriteHeader(http.StatusOK) })
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) })
	limits := mustMiddleware(t, ratelimit.NewLocal(ratelimit.WithClock(newFakeClock().Now)), ratelimit.Rule{
		Prefix: "/admin/",
		Policy: ratelimit.Policy{Name: "admin", Key: ratelimit.KeyIP, Limit: ratelimit.Limit{Rate: 1, Period: time.Hour}},
	})
	srv := httptest.NewServer(limits(mux))
	t.Cleanup(srv.Close)

	var codes []int
	for _, target := range []string{"/admin/%2e%2e/healthz", "/admin/%2E%2E/healthz", "/admin/..%2Fhealthz", "/admin/x"} {
		resp, err := srv.Client().Get(srv.URL + target)
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()
		codes = append(codes, resp.StatusCode)
	}
	if adminRuns != 1 {
		t.Errorf("the /admin/ handler ran %d times under a limit of 1 (statuses %v)", adminRuns, codes)
	}
	for i, code := range codes[1:] {
		if code != http.StatusTooManyRequests {
			t.Errorf("request %d after the first: status %d, want 429 (statuses %v)", i+2, code, codes)
		}
	}

	// An ordinary public path is still judged as itself only.
	resp, err := srv.Client().Get(srv.URL + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("/healthz: %d, want 200 (no rule covers it)", resp.StatusCode)
	}
}
