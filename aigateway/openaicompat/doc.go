// Package openaicompat serves the gateway under OpenAI's HTTP API — POST
// /v1/chat/completions, streamed (server-sent events, with stream_options.include_usage)
// or not, and GET /v1/models — so that existing OpenAI SDK clients work against the
// gateway unchanged. The "model" a client names is a route alias.
//
// The handler does not authenticate: it reads the caller's Principal from the
// request context, where the edge's authentication (which also accepts the
// client's "Authorization: Bearer" key) put it. Errors are answered in OpenAI's
// error format with the status contracts/errs gives their code.
package openaicompat
