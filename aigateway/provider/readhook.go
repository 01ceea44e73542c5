package provider

import "context"

type readHookKey struct{}

// WithReadHook returns a copy of ctx with which the streams of the providers in
// this module call hook right before each read from the upstream response body:
// each point where [Stream.Next] may block waiting for the network. hook runs on the
// goroutine that calls Next (and, before the first chunk, [Provider.Chat]), never
// concurrently with it.
//
// A streaming server uses it to flush what it has written so far only when the
// upstream has nothing more ready: chunks that arrived together leave in one
// write, as a pass-through proxy would send them, and none waits in a buffer while
// the upstream is silent. hook must be quick and must not call the stream. A nil
// hook is ignored.
func WithReadHook(ctx context.Context, hook func()) context.Context {
	if hook == nil {
		return ctx
	}
	return context.WithValue(ctx, readHookKey{}, hook)
}

// ReadHook returns the hook set on ctx by [WithReadHook], or nil.
func ReadHook(ctx context.Context) func() {
	h, _ := ctx.Value(readHookKey{}).(func())
	return h
}
