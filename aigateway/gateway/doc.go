// Package gateway is one AI call end to end: the caller's quota and budget are
// reserved (aigateway/quota), the response cache is asked (aigateway/respcache), the
// router streams the answer from a provider (aigateway/router), and once the stream
// ends — completed, failed or abandoned — the actual cost is settled (a stream cut
// short is charged at least its input estimate and the output it forwarded, since
// providers report usage late) and recorded in OpenTelemetry following the GenAI
// semantic conventions: a span "chat {model}" and the gen_ai.client.* metrics, plus
// a cost counter per tenant. A panic in the router or a provider ends the call the
// same way, as an Internal error whose id is logged with the panic ([WithLogger]);
// so does one in an embedding call ([Gateway.Embed]).
//
// A chat is reserved at its input estimate plus the most it can be answered with:
// its max_tokens when positive (held to the model's maximum output), else the
// model's maximum output from the router's price table, else — for a model whose
// maximum the table does not know — the router's DefaultMaxTokens
// ([router.Router.DefaultMaxTokens]), which the router sends upstream as
// max_tokens for such a request, so the answer cannot outgrow the reservation.
// [Config.DefaultMaxTokens] is deprecated: set the router's.
//
// The serving layers (aigateway/server for Connect, aigateway/openaicompat for
// OpenAI's HTTP API) are thin adapters over a [Gateway].
package gateway
