// Package semconv names the metrics and span attributes that footing adds for its own
// concerns — jobs, cache, rate limits, auth, AI usage — with their units, in one
// place. Names follow the OpenTelemetry naming rules (dotted, lower case, unit in
// the instrument not the name), and standard OpenTelemetry semantic conventions
// (http.server.request.duration, rpc.server.duration, gen_ai.*) are used as they
// are wherever one exists.
//
// It holds constants only, so any module may import it without pulling in an SDK.
package semconv
