// Package sse reads Server-Sent Events streams as the WHATWG HTML standard defines
// them (event-stream interpretation): lines end in LF, CRLF or a lone CR; lines that
// start with a colon are comments; "event", "data", "id" and "retry" are the fields;
// a blank line dispatches the event. Every provider's stream decoder is built on it.
//
// The [Reader] is written for the gateway's hot path: an event's Data aliases an
// internal buffer that the next call reuses, and common event names are interned,
// so reading an event allocates nothing once the buffers have grown.
package sse
