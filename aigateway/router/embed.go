package router

import (
	"context"
	"errors"

	"github.com/footingdev/footing/contracts/errs"
	aiv1 "github.com/footingdev/footing/contracts/gen/go/footing/ai/v1"
	"google.golang.org/protobuf/proto"

	"github.com/footingdev/footing/aigateway/provider"
)

// Embed sends req to the targets of the route named by req.Model in order (no
// retries on one target: embeddings are cheap to fall back on), under the attempt
// timeout, and prices the usage.
func (r *Router) Embed(ctx context.Context, req *aiv1.EmbedRequest) (*aiv1.EmbedResponse, error) {
	rt, ok := r.routes[req.GetModel()]
	if !ok {
		return nil, errs.NotFound("MODEL_NOT_FOUND", "no model or route named "+quote(req.GetModel()), errs.WithMetadata("model", req.GetModel()))
	}
	var last error = errs.Unavailable("NO_TARGET_AVAILABLE", "every target of "+quote(rt.alias)+" is failing; try again later")
	for _, t := range r.order(rt) {
		pm, ok, _ := t.breaker.allow(r.now())
		if !ok {
			continue
		}
		resp, err := r.embedAttempt(ctx, t, req, pm)
		if err == nil {
			t.breaker.done(r.now(), pm, nil)
			resp.Provider = t.Provider.Name()
			if resp.Model == "" {
				resp.Model = t.Model
			}
			if resp.Usage != nil {
				boundUsage(resp.Usage)
				if p, ok := r.cfg.Prices.Lookup(t.Provider.Name(), t.Model); ok {
					resp.Usage.CostNanosUsd = p.Cost(resp.Usage)
				}
			}
			return resp, nil
		}
		var perr *provider.Error
		if !errors.As(err, &perr) {
			perr = &provider.Error{Provider: t.Provider.Name(), Kind: provider.KindServer, Err: err}
		}
		if ctx.Err() != nil {
			perr = &provider.Error{Provider: t.Provider.Name(), Kind: provider.KindCanceled, Err: ctx.Err()}
		}
		t.breaker.done(r.now(), pm, perr)
		last = perr
		if !perr.Fallback() {
			return nil, perr
		}
	}
	return nil, last
}

// embedAttempt asks target t for req's embeddings under the attempt timeout.
func (r *Router) embedAttempt(ctx context.Context, t *target, req *aiv1.EmbedRequest, pm permit) (*aiv1.EmbedResponse, error) {
	up := proto.CloneOf(req)
	up.Model = t.Model
	actx, cancel := context.WithTimeout(ctx, r.cfg.AttemptTimeout)
	defer cancel()
	defer r.repanic(t, pm, cancel)
	return t.Provider.Embed(actx, up)
}

// Has reports whether the router has a route named alias.
func (r *Router) Has(alias string) bool {
	_, ok := r.routes[alias]
	return ok
}

// Targets returns the targets of the route alias, in their configured order.
func (r *Router) Targets(alias string) ([]Target, bool) {
	rt, ok := r.routes[alias]
	if !ok {
		return nil, false
	}
	ts := make([]Target, len(rt.targets))
	for i, t := range rt.targets {
		ts[i] = t.Target
	}
	return ts, true
}
