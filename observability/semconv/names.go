package semconv

// A Metric is the name, unit and description of one instrument.
type Metric struct {
	Name        string
	Unit        string
	Description string
}

// Standard OpenTelemetry semantic-convention metrics footing records.
var (
	HTTPServerRequestDuration = Metric{"http.server.request.duration", "s", "Duration of HTTP server requests."}
	HTTPClientRequestDuration = Metric{"http.client.request.duration", "s", "Duration of HTTP client requests."}
	RPCServerDuration         = Metric{"rpc.server.duration", "ms", "Duration of inbound RPCs."}
	RPCClientDuration         = Metric{"rpc.client.duration", "ms", "Duration of outbound RPCs."}
	GenAIClientTokenUsage     = Metric{"gen_ai.client.token.usage", "{token}", "Tokens used by GenAI requests, by gen_ai.token.type."}
	GenAIClientOperationDur   = Metric{"gen_ai.client.operation.duration", "s", "Duration of GenAI operations."}
	GenAIServerTimeToFirst    = Metric{"gen_ai.server.time_to_first_token", "s", "Time to the first chunk of a streamed GenAI response."}
)

// Metrics footing adds for its own concerns.
var (
	JobDuration   = Metric{"footing.job.duration", "s", "Duration of one job attempt, by queue, kind and outcome."}
	JobAttempts   = Metric{"footing.job.attempts", "{attempt}", "Job attempts started, by queue and kind."}
	JobFailures   = Metric{"footing.job.failures", "{failure}", "Job attempts that failed, by queue and kind."}
	JobQueueDepth = Metric{"footing.job.queue.depth", "{job}", "Jobs available to work, by queue."}

	CacheRequests = Metric{"footing.cache.requests", "{request}", "Cache lookups, by tier and result (hit, miss, error)."}
	CacheLoads    = Metric{"footing.cache.loads", "{load}", "Loads from the source of truth after a miss, by outcome."}
	CacheErrors   = Metric{"footing.cache.errors", "{error}", "Cache backend errors that were absorbed (served from source), by operation."}

	RateLimitDecisions      = Metric{"footing.ratelimit.decisions", "{decision}", "Rate-limit decisions, by policy and result (allowed, limited)."}
	RateLimitBackend        = Metric{"footing.ratelimit.backend.errors", "{error}", "Rate-limit backend failures, by mode (fail_open, fail_closed)."}
	RateLimitLocalEvictions = Metric{"footing.ratelimit.local.evictions", "{entry}", "Live keys the in-process rate limiter dropped, at its maximum, to hold a new key; each one's limit restarted early."}

	AuthDecisions = Metric{"footing.auth.decisions", "{decision}", "Authentication results, by method and result."}
	JWKSFetches   = Metric{"footing.auth.jwks.fetches", "{fetch}", "JWKS fetches, by issuer and outcome."}

	AICost     = Metric{"footing.ai.cost", "USD", "Cost of AI requests, by tenant, provider and model."}
	AIRequests = Metric{"footing.ai.requests", "{request}", "AI gateway requests, by provider, model and outcome."}
	AIRefusals = Metric{"footing.ai.refusals", "{refusal}", "Requests refused by quotas or budgets, by reason."}
)

// Attribute keys footing stamps on spans, logs and metrics.
const (
	AttrTenantID  = "footing.tenant.id"
	AttrUserID    = "footing.user.id"
	AttrRequestID = "footing.request.id"
	AttrErrorID   = "footing.error.id"
	AttrReason    = "footing.error.reason"
	AttrJobKind   = "footing.job.kind"
	AttrJobQueue  = "footing.job.queue"
	AttrCacheTier = "footing.cache.tier"
	AttrResult    = "footing.result"
	AttrPolicy    = "footing.ratelimit.policy"
)
