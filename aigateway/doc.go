// Package aigateway puts Anthropic, OpenAI and Gemini behind one streaming interface, with
// routing, fallback, quotas, budgets, cost accounting and a response cache.
package aigateway
