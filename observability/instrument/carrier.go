package instrument

import (
	"net/http"

	"go.opentelemetry.io/otel/propagation"
)

// headerCarrier is propagation.HeaderCarrier without its allocations: the
// W3C propagators ask for lower-case keys ("traceparent"), which http.Header
// canonicalizes into a new string on every Get and Set. The keys of the
// standard propagators are mapped to their canonical form here; any other key
// goes through http.Header as before.
type headerCarrier http.Header

var _ propagation.TextMapCarrier = headerCarrier(nil)

// canonicalKey returns the canonical header key of the standard propagators'
// keys, and "" for any other key.
func canonicalKey(key string) string {
	switch key {
	case "traceparent":
		return "Traceparent"
	case "tracestate":
		return "Tracestate"
	case "baggage":
		return "Baggage"
	}
	return ""
}

// Get returns the first value of key.
func (c headerCarrier) Get(key string) string {
	if k := canonicalKey(key); k != "" {
		if v := c[k]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	return http.Header(c).Get(key)
}

// Set sets key to value, replacing any values it had.
func (c headerCarrier) Set(key, value string) {
	if k := canonicalKey(key); k != "" {
		c[k] = []string{value}
		return
	}
	http.Header(c).Set(key, value)
}

// Keys lists the keys the carrier holds.
func (c headerCarrier) Keys() []string { return propagation.HeaderCarrier(c).Keys() }
