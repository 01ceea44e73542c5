// Package openai implements [provider.Provider] for the OpenAI Chat Completions
// API and every server that speaks it (vLLM, Ollama, llama.cpp's server, LiteLLM,
// OpenRouter …), chosen by [Config.BaseURL].
//
// It speaks the wire format directly: a POST of /chat/completions with
// "stream": true and stream_options.include_usage, read as server-sent events of
// chat.completion.chunk objects ending in "data: [DONE]". The finish reason and
// the usage-only last chunk are merged into the stream's last chunk.
package openai
