package gateway

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sort"
	"strings"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/footingdev/footing/contracts/errs"
	aiv1 "github.com/footingdev/footing/contracts/gen/go/footing/ai/v1"
	commonv1 "github.com/footingdev/footing/contracts/gen/go/footing/common/v1"
	"github.com/footingdev/footing/contracts/identity"

	"github.com/footingdev/footing/aigateway/provider"
	"github.com/footingdev/footing/aigateway/quota"
	"github.com/footingdev/footing/aigateway/respcache"
	"github.com/footingdev/footing/aigateway/router"
)

// Config configures a [Gateway]. Only Router is required.
type Config struct {
	// Router routes requests to providers.
	Router *router.Router
	// Limiter admits requests against quotas and budgets; nil admits everything.
	Limiter *quota.Limiter
	// Cache caches answers; nil caches nothing.
	Cache *respcache.Cache
	// DefaultMaxTokens, when set, must equal the router's
	// [router.Router.DefaultMaxTokens]: a request without max_tokens to a model
	// whose maximum output the price table does not know is reserved at the
	// router's value, which the router sends upstream as max_tokens.
	//
	// Deprecated: set [router.Config.DefaultMaxTokens] instead. The value is sent
	// upstream by the router, so the gateway reserves the router's; a different
	// value here is refused by [New], and 0 (the default) takes the router's.
	DefaultMaxTokens int64
}

// Validate reports every problem of c at once.
func (c Config) Validate() error {
	var opts []errs.Option
	var msgs []string
	bad := func(field, msg, reason string) {
		opts = append(opts, errs.WithFieldViolation(field, msg, reason))
		msgs = append(msgs, field+": "+msg)
	}
	if c.Router == nil {
		bad("router", "must be set", "REQUIRED")
	}
	switch {
	case c.DefaultMaxTokens < 0:
		bad("default_max_tokens", "must not be negative", "NEGATIVE")
	case c.DefaultMaxTokens > 0 && c.Router != nil && c.DefaultMaxTokens != c.Router.DefaultMaxTokens():
		bad("default_max_tokens", fmt.Sprintf("is %d but the router's is %d: the router sends the value upstream as max_tokens "+
			"and the gateway reserves what it sends; set router.Config.DefaultMaxTokens instead (and leave this 0)",
			c.DefaultMaxTokens, c.Router.DefaultMaxTokens()), "CONFLICTS_WITH_ROUTER")
	}
	if len(opts) == 0 {
		return nil
	}
	return errs.InvalidArgument("GATEWAY_CONFIG_INVALID", "the gateway configuration is invalid: "+strings.Join(msgs, "; "), opts...)
}

// A Gateway serves AI calls. It is safe to use concurrently.
type Gateway struct {
	cfg Config
	tel *telemetry
	log *slog.Logger
}

// New returns a gateway, or cfg's problems.
func New(cfg Config, opts ...Option) (*Gateway, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	o := options{}
	for _, opt := range opts {
		opt(&o)
	}
	tel, err := newTelemetry(o)
	if err != nil {
		return nil, err
	}
	if o.log == nil {
		o.log = slog.Default()
	}
	return &Gateway{cfg: cfg, tel: tel, log: o.log}, nil
}

// upstream is what a [Stream] reads: a routed stream or a cache replay.
type upstream interface {
	Next() (*aiv1.ChatChunk, error)
	Usage() *aiv1.Usage
	Close() error
}

// Chat starts a streamed chat for the caller in ctx (its Principal decides the
// quotas and the cache's tenant). Errors are contracts/errs errors: quota refusals
// are ResourceExhausted with a retry-after; provider failures are mapped by
// provider.Error.ConnectError. A panic in the router or a provider becomes an
// Internal error (see [WithLogger]). The caller must Close the stream.
func (g *Gateway) Chat(ctx context.Context, req *aiv1.ChatRequest) (_ *Stream, err error) {
	start := time.Now()
	p, _ := identity.PrincipalFrom(ctx)
	tenant := p.GetTenantId()
	// The model is the caller's to choose: one the router has no route for is
	// recorded as otherModel, so that names made up by a caller cannot add series
	// to every metric (the router's error still names it).
	alias := req.GetModel()
	if !g.cfg.Router.Has(alias) {
		alias = otherModel
	}
	ctx, span := g.tel.tracer.Start(ctx, "chat "+alias, trace.WithSpanKind(trace.SpanKindClient),
		trace.WithAttributes(
			attribute.String(attrOperation, "chat"),
			attribute.String(attrRequestModel, alias),
			attribute.String(attrTenant, tenant),
		))
	s := &Stream{g: g, ctx: ctx, span: span, start: start, tenant: tenant, alias: alias, inEstimate: estimateInput(req)}
	var rs *router.Stream
	defer func() {
		if v := recover(); v != nil {
			if rs != nil {
				_ = rs.Close()
			}
			err = s.recovered(v)
		}
	}()

	if key, ok := g.cfg.Cache.Key(tenant, req); ok {
		if replay, hit := g.cfg.Cache.Get(ctx, key); hit {
			// A cached answer uses no tokens and costs nothing, but it is a request:
			// the requests-per-minute limits still hold.
			if err := g.reserve(ctx, s, p, quota.Request{}); err != nil {
				_ = replay.Close()
				return nil, err
			}
			s.up, s.provider, s.cached = replay, "cache", true
			span.SetAttributes(attribute.Bool(attrCacheHit, true))
			return s, nil
		}
		s.cacheKey = key
	}
	if err := g.reserve(ctx, s, p, g.worstCase(req, s.inEstimate)); err != nil {
		return nil, err
	}
	rs, err = g.cfg.Router.Chat(ctx, req)
	if err != nil {
		return nil, s.fail(err)
	}
	s.up, s.rs, s.provider = rs, rs, rs.Provider()
	return s, nil
}

// reserve takes r from p's quotas for s, or ends s with the refusal.
func (g *Gateway) reserve(ctx context.Context, s *Stream, p *commonv1.Principal, r quota.Request) error {
	if g.cfg.Limiter == nil {
		return nil
	}
	res, err := g.cfg.Limiter.Reserve(ctx, p, r)
	if err != nil {
		g.tel.refused(ctx, errs.From(err).Reason)
		return s.fail(err)
	}
	s.res = res
	return nil
}

// fail ends a request that never streamed.
func (s *Stream) fail(err error) error {
	err = connectError(err)
	s.done = true
	if s.res != nil {
		s.settle(0, 0)
	}
	s.g.tel.end(s, nil, err)
	return err
}

// recovered ends s after the panic v: the caller gets an Internal error whose id
// is logged with v and the stack, and the reservation is settled as for any other
// failure.
func (s *Stream) recovered(v any) error {
	cerr := s.g.panicked(s.ctx, "a chat", v)
	if s.done {
		return cerr
	}
	if s.up == nil {
		return s.fail(cerr)
	}
	s.end(cerr)
	return s.err
}

// panicked turns the panic v, recovered from the router or a provider during a
// call (call is "a chat" or "an embed"), into the Internal error the caller gets:
// it says only an error id, logged here with v and the stack of the panic (a
// deferred recover still runs on the panicking stack).
func (g *Gateway) panicked(ctx context.Context, call string, v any) error {
	cerr := errs.Internal(fmt.Errorf("panic: %v", v))
	if ie, ok := errs.AsInternal(cerr); ok {
		g.log.ErrorContext(ctx, "aigateway: panic in "+call+" call", "error_id", ie.ID,
			"panic", fmt.Sprint(v), "stack", string(debug.Stack()))
	}
	return cerr
}

// connectError maps a *provider.Error to the caller's error model; other errors
// are already errs errors.
func connectError(err error) error {
	var perr *provider.Error
	if errors.As(err, &perr) {
		return perr.ConnectError()
	}
	return err
}

// worstCase is the most req, whose input is estimated at in tokens, can use on any
// target of its route: its max_tokens when positive and within the model's
// maximum, else the model's maximum — or, when the price table does not know it,
// the router's DefaultMaxTokens, which the router sends upstream as max_tokens
// for such a request.
func (g *Gateway) worstCase(req *aiv1.ChatRequest, in int64) quota.Request {
	targets, _ := g.cfg.Router.Targets(req.GetModel())
	def := g.cfg.Router.DefaultMaxTokens()
	var r quota.Request
	for _, t := range targets {
		out := def
		price, known := g.cfg.Router.Prices().Lookup(t.Provider.Name(), t.Model)
		modelMax := known && price.MaxOutputTokens > 0
		if modelMax {
			out = price.MaxOutputTokens
		}
		if req.GetMaxTokens() > 0 && (!modelMax || int64(req.GetMaxTokens()) < out) {
			// Not positive is not a limit (the validation interceptor refuses it,
			// but Chat may be called without): reserved as absent, never less.
			// More than the model's maximum cannot be generated: reserved at it.
			out = int64(req.GetMaxTokens())
		}
		r.Tokens = max(r.Tokens, in+out)
		if known {
			r.Cost = max(r.Cost, price.WorstCase(in, out))
		}
	}
	return r
}

// estimateInput over-estimates the input tokens of req: a token per three bytes of
// text (tokenizers average about four for English) and of tool and response
// schemas as JSON, plus a few per message for the chat template; images count
// 1,600 tokens each.
func estimateInput(req *aiv1.ChatRequest) int64 {
	var n int64
	for _, m := range req.GetMessages() {
		n += 8
		for _, c := range m.GetContent() {
			switch {
			case c.GetImage() != nil:
				n += 1600
			case c.GetToolResult() != nil:
				n += int64(len(c.GetToolResult().GetContent()))/3 + 1
			default:
				n += int64(len(c.GetText()))/3 + 1
			}
		}
		for _, tc := range m.GetToolCalls() {
			n += int64(len(tc.GetArguments())+len(tc.GetName()))/3 + 4
		}
	}
	for _, t := range req.GetTools() {
		n += int64(len(t.GetName())+len(t.GetDescription()))/3 + 16
		if t.GetParameters() != nil {
			n += structBytes(t.GetParameters()) / 3
		}
	}
	if js := req.GetResponseFormat().GetJsonSchema(); js != nil {
		n += structBytes(js)/3 + 1 // the provider reads (and bills) it as input
	}
	return n
}

// structBytes is about the length of s as JSON, measured without encoding it
// (estimateInput runs on every request; a schema formatted as text cost hundreds
// of allocations).
func structBytes(s *structpb.Struct) int64 {
	n := int64(2)
	for k, v := range s.GetFields() {
		n += int64(len(k)) + 4 + valueBytes(v)
	}
	return n
}

func valueBytes(v *structpb.Value) int64 {
	switch k := v.GetKind().(type) {
	case *structpb.Value_StringValue:
		return int64(len(k.StringValue)) + 2
	case *structpb.Value_NumberValue:
		return 8
	case *structpb.Value_BoolValue:
		return 5
	case *structpb.Value_StructValue:
		return structBytes(k.StructValue)
	case *structpb.Value_ListValue:
		n := int64(2)
		for _, e := range k.ListValue.GetValues() {
			n += valueBytes(e) + 1
		}
		return n
	default:
		return 4 // null
	}
}

// Complete runs a chat to its end and returns the whole answer.
func (g *Gateway) Complete(ctx context.Context, req *aiv1.ChatRequest) (*aiv1.CompleteResponse, error) {
	s, err := g.Chat(ctx, req)
	if err != nil {
		return nil, err
	}
	defer func() { _ = s.Close() }()
	return Collect(s)
}

// Embed returns embeddings from the route named by req.Model. The caller's quotas
// hold as for [Gateway.Chat]: one request, and the inputs' token estimate at the
// route's dearest input price, reserved before the call and settled at the usage
// the provider reported (the estimate when it reported none) — or nothing when the
// call failed. Errors are as for Chat; a panic in the router or a provider becomes
// an Internal error (see [WithLogger]).
func (g *Gateway) Embed(ctx context.Context, req *aiv1.EmbedRequest) (_ *aiv1.EmbedResponse, err error) {
	var (
		res  *quota.Reservation
		resp *aiv1.EmbedResponse
		r    quota.Request
	)
	defer func() {
		if v := recover(); v != nil {
			resp, err = nil, g.panicked(ctx, "an embed", v)
		}
		if res != nil {
			var used, cost int64
			if err == nil {
				used, cost = resp.GetUsage().GetInputTokens(), resp.GetUsage().GetCostNanosUsd()
				if used <= 0 {
					used, cost = r.Tokens, r.Cost // nothing reported: the estimate
				}
			}
			_ = res.Settle(context.WithoutCancel(ctx), used, cost)
		}
	}()
	p, _ := identity.PrincipalFrom(ctx)
	if g.cfg.Limiter != nil {
		r = g.embedWorstCase(req)
		if res, err = g.cfg.Limiter.Reserve(ctx, p, r); err != nil {
			g.tel.refused(ctx, errs.From(err).Reason)
			return nil, err
		}
	}
	resp, err = g.cfg.Router.Embed(ctx, req)
	if err != nil {
		return nil, connectError(err)
	}
	if resp.Usage != nil && resp.Usage.CostNanosUsd > 0 {
		g.tel.cost.Add(ctx, float64(resp.Usage.CostNanosUsd)/1e9, metric.WithAttributes(
			attribute.String(attrTenant, p.GetTenantId()), attribute.String(attrProvider, resp.GetProvider()), attribute.String(attrResponseModel, resp.GetModel())))
	}
	return resp, nil
}

// embedWorstCase is the most req can use on any target of its route: its inputs
// estimated as estimateInput counts text, at the dearest input price.
func (g *Gateway) embedWorstCase(req *aiv1.EmbedRequest) quota.Request {
	var in int64
	for _, s := range req.GetInputs() {
		in += int64(len(s))/3 + 1
	}
	r := quota.Request{Tokens: in}
	targets, _ := g.cfg.Router.Targets(req.GetModel())
	for _, t := range targets {
		if price, ok := g.cfg.Router.Prices().Lookup(t.Provider.Name(), t.Model); ok {
			r.Cost = max(r.Cost, price.WorstCase(in, 0))
		}
	}
	return r
}

// Models lists the route aliases the gateway serves, each with the price and limits
// of its first target when the price table knows them, sorted by alias.
func (g *Gateway) Models() []*aiv1.Model {
	var out []*aiv1.Model
	for _, r := range g.cfg.Router.Routes() {
		m := &aiv1.Model{Id: r.Alias, DisplayName: r.Alias}
		if len(r.Targets) > 0 {
			t := r.Targets[0]
			m.Provider = t.Provider.Name()
			if p, ok := g.cfg.Router.Prices().Lookup(t.Provider.Name(), t.Model); ok {
				m.ContextWindow, m.MaxOutputTokens = p.MaxInputTokens, p.MaxOutputTokens
				m.Pricing = &aiv1.Pricing{InputCostPerToken: p.InputCostPerToken, OutputCostPerToken: p.OutputCostPerToken,
					CacheReadInputTokenCost: p.CacheReadInputTokenCost, CacheCreationInputTokenCost: p.CacheCreationInputTokenCost}
				m.Capabilities = capabilities(p.Mode, p.SupportsFunctionCalling, p.SupportsVision, p.SupportsResponseSchema, p.SupportsReasoning, p.SupportsPromptCaching)
			}
		}
		out = append(out, m)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Id < out[j].Id })
	return out
}

func capabilities(mode string, tools, vision, schema, reasoning, caching bool) []aiv1.Capability {
	if mode == "embedding" {
		return []aiv1.Capability{aiv1.Capability_CAPABILITY_EMBEDDINGS}
	}
	c := []aiv1.Capability{aiv1.Capability_CAPABILITY_CHAT, aiv1.Capability_CAPABILITY_STREAMING}
	for _, f := range []struct {
		ok bool
		c  aiv1.Capability
	}{{tools, aiv1.Capability_CAPABILITY_TOOLS}, {vision, aiv1.Capability_CAPABILITY_VISION}, {schema, aiv1.Capability_CAPABILITY_JSON_MODE},
		{reasoning, aiv1.Capability_CAPABILITY_REASONING}, {caching, aiv1.Capability_CAPABILITY_PROMPT_CACHING}} {
		if f.ok {
			c = append(c, f.c)
		}
	}
	return c
}
