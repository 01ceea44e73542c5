// Package pricing holds the per-token prices of models, in the field names of
// LiteLLM's model_prices_and_context_window.json, and turns a provider's reported
// [aiv1.Usage] into a cost in nano-USD.
//
// A [Table] is loaded from such a file ([Load], [LoadFile]) or from the small
// embedded default ([Default]); fields it does not know are ignored, so LiteLLM's
// whole file loads as it is. Costs are integers of billionths of a US dollar, the
// unit of ai/v1 Usage.cost_nanos_usd. Cache reads, 5-minute and 1-hour cache
// writes are priced at their own fields (cache_read_input_token_cost,
// cache_creation_input_token_cost, cache_creation_input_token_cost_above_1hr);
// see [Price.CostWith1hWrites] for what a missing one falls back to.
package pricing
