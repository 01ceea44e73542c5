// Package call holds the HTTP plumbing the provider implementations share: the
// default client, sending a request and turning a failure status into a
// *provider.Error, and the body of a stream with its sticky error.
package call

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/footingdev/footing/aigateway/internal/sse"
	"github.com/footingdev/footing/aigateway/provider"
)

// MaxErrorBody bounds how much of an error response is read.
const MaxErrorBody = 64 << 10

// maxMessage bounds a provider message kept in an error.
const maxMessage = 1024

var defaultClient = newDefaultClient()

func newDefaultClient() *http.Client {
	tr := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          1024,
		MaxIdleConnsPerHost:   256,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: time.Second,
	}
	if !inlineSupported {
		return &http.Client{Transport: tr}
	}
	return &http.Client{Transport: newInlineTransport(tr)}
}

// Client returns c, or the shared default client when c is nil. The default has
// no overall timeout (streams last as long as they last; callers bound them with
// ctx) and never retries a POST (net/http retries only idempotent requests).
// Plain-HTTP upstreams that are not proxied (a vLLM or Ollama next door, the
// test fakes) are served on the caller's goroutine by an [inlineTransport];
// everything else by net/http's Transport.
func Client(c *http.Client) *http.Client {
	if c != nil {
		return c
	}
	return defaultClient
}

// A Classifier turns a failure status and its body into a *provider.Error, with
// the provider's kind refinements (quota exhaustion and the like).
type Classifier func(status int, h http.Header, body []byte) *provider.Error

// Do sends req and returns the response when its status is 2xx. Otherwise it
// reads the error body and returns classify's *provider.Error, with Provider,
// StatusCode and RetryAfter filled in when classify left them zero, and any
// occurrence of secret removed from the message, which is then truncated
// (classify leaves it whole). A body classify found no message in is kept in the
// error's Err (scrubbed and truncated too), never as its Message.
func Do(ctx context.Context, client *http.Client, name, secret string, req *http.Request, classify Classifier) (*http.Response, error) {
	resp, err := client.Do(req.WithContext(ctx))
	if err != nil {
		return nil, provider.TransportError(ctx, name, scrubErr(err, secret))
	}
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return resp, nil
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, MaxErrorBody))
	e := classify(resp.StatusCode, resp.Header, body)
	e.Provider = name
	if e.StatusCode == 0 {
		e.StatusCode = resp.StatusCode
	}
	if e.RetryAfter == 0 {
		e.RetryAfter = provider.ParseRetryAfter(resp.Header, time.Now())
	}
	e.Message = Truncate(Scrub(e.Message, secret))
	if e.Message == "" && e.Err == nil && len(bytes.TrimSpace(body)) > 0 {
		// Not the provider's error format: a proxy's or load balancer's page,
		// say, which may name internal hosts. It is no message for the caller
		// (ConnectError passes on an invalid request's), only the server's logs.
		e.Err = &foreignBody{text: Truncate(Scrub(string(bytes.TrimSpace(body)), secret))}
	}
	return nil, e
}

// foreignBody is an error answer's body that was not in the provider's format.
type foreignBody struct{ text string }

func (b *foreignBody) Error() string { return "error body: " + b.text }

// Truncate shortens a provider message to a sane length. It runs after [Scrub]:
// a key cut in two by it is no longer whole for Scrub to find.
func Truncate(s string) string {
	if len(s) > maxMessage {
		return s[:maxMessage] + "…"
	}
	return s
}

// Scrub removes secret from s.
func Scrub(s, secret string) string {
	if secret == "" || !strings.Contains(s, secret) {
		return s
	}
	return strings.ReplaceAll(s, secret, "[redacted]")
}

type scrubbed struct {
	msg string
	err error
}

func (e *scrubbed) Error() string { return e.msg }
func (e *scrubbed) Unwrap() error { return e.err }

func scrubErr(err error, secret string) error {
	if secret != "" && strings.Contains(err.Error(), secret) {
		return &scrubbed{msg: Scrub(err.Error(), secret), err: errors.Unwrap(err)}
	}
	return err
}

// A Body is the upstream side of one stream: the response body read as SSE, and
// the first error, which every later call returns again.
type Body struct {
	Events *sse.Reader
	ctx    context.Context
	name   string
	secret string
	body   io.ReadCloser
	err    error
	once   sync.Once
}

// NewBody reads resp's body as an event stream. secret (the API key) is removed
// from the messages of the stream's errors. The hook of [provider.WithReadHook] on
// ctx, if any, is called before each read of the body.
func NewBody(ctx context.Context, name, secret string, resp *http.Response) *Body {
	body := resp.Body
	if hook := provider.ReadHook(ctx); hook != nil {
		body = &hookedBody{ReadCloser: body, hook: hook}
	}
	return &Body{Events: sse.NewReader(body), ctx: ctx, name: name, secret: secret, body: body}
}

// hookedBody calls hook before each read of the body.
type hookedBody struct {
	io.ReadCloser
	hook func()
}

func (b *hookedBody) Read(p []byte) (int, error) {
	b.hook()
	return b.ReadCloser.Read(p)
}

// Next returns the next event, or the stream's error: a read failure as a
// transport error (KindCanceled when ctx was cancelled), io.EOF at the end.
func (b *Body) Next() (sse.Event, error) {
	if b.err != nil {
		return sse.Event{}, b.err
	}
	ev, err := b.Events.Next()
	if err != nil {
		if errors.Is(err, io.EOF) {
			if b.ctx.Err() != nil {
				return ev, b.Fail(provider.TransportError(b.ctx, b.name, b.ctx.Err()))
			}
			return ev, io.EOF
		}
		if errors.Is(err, sse.ErrEventTooLarge) {
			return ev, b.Fail(&provider.Error{Provider: b.name, Kind: provider.KindServer, Message: "malformed stream", Err: err})
		}
		return ev, b.Fail(provider.TransportError(b.ctx, b.name, err))
	}
	return ev, nil
}

// Fail records err as the stream's error, closes the body and returns err. A
// *provider.Error's message has the key removed and is then truncated.
func (b *Body) Fail(err error) error {
	if b.err == nil {
		var pe *provider.Error
		if errors.As(err, &pe) {
			pe.Message = Truncate(Scrub(pe.Message, b.secret))
			if pe.Err != nil {
				pe.Err = scrubErr(pe.Err, b.secret)
			}
		}
		b.err = err
	}
	_ = b.Close()
	return b.err
}

// Malformed fails the stream because an event could not be decoded.
// The message quotes the start of data, the key removed first (see [Truncate]).
func (b *Body) Malformed(what string, data []byte, err error) error {
	quoted := Scrub(string(data), b.secret)
	if len(quoted) > 200 {
		quoted = quoted[:200] + "…"
	}
	return b.Fail(&provider.Error{Provider: b.name, Kind: provider.KindServer, Type: "malformed_stream",
		Message: fmt.Sprintf("%s: %q", what, quoted), Err: err})
}

// Truncated fails the stream because it ended before its proper end.
func (b *Body) Truncated() error {
	return b.Fail(&provider.Error{Provider: b.name, Kind: provider.KindServer, Type: "truncated_stream",
		Message: "the stream ended before the response was complete", Err: io.ErrUnexpectedEOF})
}

// Done marks the stream as ended cleanly: later calls return io.EOF. The body is
// left open for [Body.End], so that the caller gets the last chunk at once.
func (b *Body) Done() {
	if b.err == nil {
		b.err = io.EOF
	}
}

// endGrace is how long End waits for the body's end after the stream's
// terminator before it closes the connection instead of reusing it.
const endGrace = 50 * time.Millisecond

// End reads what is left after the stream's terminator (the chunked encoding's
// end, usually already on the wire) so that net/http can reuse the connection,
// closes the body and returns io.EOF. A server that sends more than a few events
// after its terminator, or does not end the body within [endGrace], gets its
// connection closed instead: the answer is complete at the terminator, and a
// server that holds the response open must not hold the caller until a timeout.
func (b *Body) End() error {
	b.once.Do(func() {
		// Close interrupts a blocked Read (net/http's bodies and ours allow it); the
		// timer fires only when the upstream is still silent.
		t := time.AfterFunc(endGrace, func() { _ = b.body.Close() })
		for range 16 {
			if _, err := b.Events.Next(); err != nil {
				break
			}
		}
		t.Stop()
		_ = b.body.Close()
	})
	return io.EOF
}

// Close closes the body; closing it before its end makes net/http drop the
// connection, which the server sees as a cancelled request. It is safe to call
// more than once.
func (b *Body) Close() error {
	b.once.Do(func() { _ = b.body.Close() })
	return nil
}
