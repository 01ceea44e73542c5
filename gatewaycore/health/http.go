package health

import (
	"encoding/json"
	"net/http"
)

// LivenessHandler answers /healthz: 200 {"status":"ok"} while the process serves
// HTTP at all. It runs no checks: a failing dependency is a readiness matter, and
// restarting the process would not fix it.
func (c *Checker) LivenessHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, Report{Status: StatusOK, Checks: map[string]CheckResult{}})
	})
}

// ReadinessHandler answers /readyz: 200 with the [Report] when every check passes,
// 503 when one fails or the server is draining (then without running checks). The
// report comes from the runs all callers share ([Checker.Run]): concurrent requests
// wait for one run, and a completed run answers for the cache interval
// ([WithCacheFor], default [DefaultCacheFor]); its checked_at says when it ran. The
// endpoint is public, so a flood of requests costs the dependencies one run per
// interval, and no rate limit by client is needed (one would let an attacker fail
// the load balancer's own probes).
func (c *Checker) ReadinessHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !c.Ready() {
			writeJSON(w, http.StatusServiceUnavailable, Report{Status: StatusDraining, Checks: map[string]CheckResult{}})
			return
		}
		rep := c.Run(r.Context())
		status := http.StatusOK
		if rep.Status != StatusOK {
			status = http.StatusServiceUnavailable
		}
		writeJSON(w, status, rep)
	})
}

// Mount registers /healthz, /readyz and the gRPC health service on mux.
func (c *Checker) Mount(mux *http.ServeMux) {
	mux.Handle("/healthz", c.LivenessHandler())
	mux.Handle("/readyz", c.ReadinessHandler())
	mux.Handle(c.GRPCHandler())
}

func writeJSON(w http.ResponseWriter, status int, rep Report) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(rep)
}
