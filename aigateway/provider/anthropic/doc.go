// Package anthropic implements [provider.Provider] for Anthropic's Messages API.
//
// It speaks the wire format directly: a POST of /v1/messages with "stream": true
// and the x-api-key and anthropic-version headers, read as named server-sent
// events — message_start (input and cache usage), content_block_start /
// content_block_delta (text_delta, input_json_delta) / content_block_stop,
// message_delta (stop reason, cumulative usage), message_stop, ping and error.
// Tool calls are numbered among the tool_use blocks, so their index matches what
// OpenAI clients expect; thinking blocks are not forwarded.
package anthropic
