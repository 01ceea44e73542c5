package ratelimit_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/footingdev/footing/gatewaycore/auth"
	"github.com/footingdev/footing/gatewaycore/ratelimit"
)

// TestOddPathsJudgedAlikeByAuthAndRateLimit sends each spelling of a path through
// auth's middleware and through the rate-limit middleware, each in front of a
// handler that serves every path (as a bare Connect handler or a router that does not
// clean paths would): both must judge the spelling exactly as the clean path it
// stands for, so no spelling skips a rule one of them applies.
func TestOddPathsJudgedAlikeByAuthAndRateLimit(t *testing.T) {
	t.Parallel()
	const method = "/footing.test.v1.Probe/Admin"
	store := &auth.MemoryAPIKeyStore{}
	key, stored, err := auth.NewAPIKey("", "t1", nil, nil) // no roles
	if err != nil {
		t.Fatal(err)
	}
	store.Put(stored)
	a, err := auth.New(auth.Config{APIKeys: store})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.Close)
	policy, err := auth.NewPolicy(map[string]auth.Rule{
		method: auth.RequireRoles("admin"),
		"/*":   auth.Public(),
	})
	if err != nil {
		t.Fatal(err)
	}
	servesAll := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) })
	authH := a.Middleware(policy)(servesAll)
	authStatus := func(path string) int {
		r := httptest.NewRequest(http.MethodPost, "/", nil)
		r.URL.Path = path // as sent, not as httptest would parse it
		r.Header.Set("X-Api-Key", key)
		w := httptest.NewRecorder()
		authH.ServeHTTP(w, r)
		return w.Code
	}
	// secondStatus answers the second of two calls on a fresh limiter allowing one.
	secondStatus := func(path string) int {
		limits := mustMiddleware(t, ratelimit.NewLocal(ratelimit.WithClock(newFakeClock().Now)), ratelimit.Rule{
			Prefix: method,
			Policy: ratelimit.Policy{Name: "admin", Key: ratelimit.KeyIP, Limit: ratelimit.Limit{Rate: 1, Period: time.Minute}},
		})
		h := limits(servesAll)
		code := 0
		for range 2 {
			r := httptest.NewRequest(http.MethodPost, "/", nil)
			r.URL.Path = path
			r.RemoteAddr = "198.51.100.9:1234"
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			code = w.Code
		}
		return code
	}

	// The clean paths are judged as their rules say: the method is refused to a
	// caller without the role and limited; elsewhere is public and unlimited. A
	// trailing slash is kept by both, and both still apply the method's rules to it
	// (auth's exact rule, as routers that strip a trailing slash serve it; the rate
	// limit's prefix).
	for _, c := range []struct {
		path          string
		auth, limited int
	}{
		{method, http.StatusForbidden, http.StatusTooManyRequests},
		{method + "/", http.StatusForbidden, http.StatusTooManyRequests},
		{"/footing.test.v1.Probe/Other", http.StatusOK, http.StatusOK},
	} {
		if got := authStatus(c.path); got != c.auth {
			t.Fatalf("auth on clean %q: %d, want %d", c.path, got, c.auth)
		}
		if got := secondStatus(c.path); got != c.limited {
			t.Fatalf("rate limit on clean %q: second call %d, want %d", c.path, got, c.limited)
		}
	}

	for _, tc := range []struct{ sent, judged string }{
		{"//footing.test.v1.Probe/Admin", method},
		{"/footing.test.v1.Probe//Admin", method},
		{"/footing.test.v1.Probe/./Admin", method},
		{"/./footing.test.v1.Probe/Admin", method},
		{"/footing.test.v1.Probe/Admin/.", method},
		{"/public/../footing.test.v1.Probe/Admin", method},
		{"/footing.test.v1.Probe/Other/../Admin", method},
		{"/../footing.test.v1.Probe/Admin", method},
		{"footing.test.v1.Probe/Admin", method},
		{"//footing.test.v1.Probe//Admin//", method + "/"},
		{"/footing.test.v1.Probe/Admin/./", method + "/"},
	} {
		t.Run(tc.sent, func(t *testing.T) {
			t.Parallel()
			if got, want := authStatus(tc.sent), authStatus(tc.judged); got != want {
				t.Errorf("auth: %q answers %d, %q answers %d", tc.sent, got, tc.judged, want)
			}
			if got, want := secondStatus(tc.sent), secondStatus(tc.judged); got != want {
				t.Errorf("rate limit: second call on %q answers %d, on %q %d", tc.sent, got, tc.judged, want)
			}
		})
	}
}
