// Package anthropic implements [provider.Provider] for Anthropic's Messages API.
//
// It speaks the wire format directly: a POST of /v1/messages with "stream": true
// and the x-api-key and anthropic-version headers, read as named server-sent
// events — message_start (input and cache usage), content_block_start /
// content_block_delta (text_delta, input_json_delta) / content_block_stop,
// message_delta (stop reason, cumulative usage), message_stop, ping and error.
// Tool calls are numbered among the tool_use blocks, so their index matches what
// OpenAI clients expect; thinking blocks are not forwarded.
//
// Usage counts cache reads and writes into InputTokens (Anthropic's input_tokens
// excludes them). Of the writes, those made with the 1-hour TTL
// (usage.cache_creation.ephemeral_1h_input_tokens) cost more than 5-minute ones;
// ai/v1 Usage has no field for them, so the stream reports them through
// [provider.CacheWrite1hReporter] and the router prices them at
// cache_creation_input_token_cost_above_1hr.
package anthropic
