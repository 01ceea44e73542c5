package logging

import "log/slog"

// LineKeysForTest and LineKeyForTest expose lineKeys and lineKey to the tests.
var (
	LineKeysForTest = func() []string { return lineKeys }
	LineKeyForTest  = lineKey
	// LineKeyJSONForTest is lineKeyJSON's member start.
	LineKeyJSONForTest = func(k string) string { p, _ := lineKeyJSON(k); return p }
)

// SlowForTest returns h, when it is a *Handler, with its fast path off: every
// line goes through slog's own handler, as before the fast path existed.
func SlowForTest(h slog.Handler) slog.Handler {
	if lh, ok := h.(*Handler); ok {
		c := *lh
		c.fast = false
		return &c
	}
	return h
}
