// Package tracing holds the small span helpers the other footing modules share:
// [Start] a span of the right kind with attributes, [RecordError] on a span with
// its error-model code, reason and error id, and [Propagator], the W3C trace
// context plus baggage propagator that observability.Setup installs.
//
// The helpers use the global TracerProvider, so code that calls them needs no
// wiring: with no provider installed they cost next to nothing.
package tracing
