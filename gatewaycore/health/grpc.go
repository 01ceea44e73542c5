package health

import (
	"context"
	"net/http"
	"slices"
	"time"

	"connectrpc.com/connect"
	healthv1 "google.golang.org/grpc/health/grpc_health_v1"

	"github.com/footingdev/footing/contracts/errs"
	healthv1connect "github.com/footingdev/footing/contracts/gen/go/grpc/health/v1/grpc_health_v1connect"
	"github.com/footingdev/footing/gatewaycore/edge"
)

// GRPCHandler returns the grpc.health.v1.Health service (Check, List, Watch) for
// the Connect, gRPC and gRPC-Web protocols. The service "" is the whole server
// (every check and the readiness switch); each check name is a service of its own.
// Check, List and Watch share runs of the checks with each other and with /readyz,
// as [Checker.Run] describes.
//
// Its answers are a few bytes: it sends messages under [edge.DefaultCompressMinSize]
// uncompressed even to clients that accept gzip (connect-go's default compresses
// every message, which costs more CPU than the whole call). It refuses a request
// message larger than [MaxRequestBytes] once decompressed: the service answers
// callers without a credential, and the edge's body limit counts compressed bytes,
// so a few KiB of gzip would otherwise inflate to GiBs. opts come after and may set
// connect.WithCompressMinBytes or connect.WithReadMaxBytes otherwise.
func (c *Checker) GRPCHandler(opts ...connect.HandlerOption) (string, http.Handler) {
	opts = append([]connect.HandlerOption{
		connect.WithCompressMinBytes(edge.DefaultCompressMinSize),
		connect.WithReadMaxBytes(MaxRequestBytes),
	}, opts...)
	return healthv1connect.NewHealthHandler(&grpcHealth{c: c}, opts...)
}

// MaxRequestBytes bounds a grpc.health.v1 request message after decompression in
// [Checker.GRPCHandler]: a request holds one service name.
const MaxRequestBytes = 4 << 10

type grpcHealth struct {
	c *Checker
}

var _ healthv1connect.HealthHandler = (*grpcHealth)(nil)

// status returns the serving status of service, and false for an unknown service.
func (g *grpcHealth) status(ctx context.Context, service string) (healthv1.HealthCheckResponse_ServingStatus, bool) {
	if service != "" && !slices.Contains(g.c.Names(), service) {
		return healthv1.HealthCheckResponse_SERVICE_UNKNOWN, false
	}
	if !g.c.Ready() {
		return healthv1.HealthCheckResponse_NOT_SERVING, true
	}
	rep := g.c.Run(ctx)
	ok := rep.Status == StatusOK
	if service != "" {
		ok = rep.Checks[service].Status == StatusOK
	}
	if ok {
		return healthv1.HealthCheckResponse_SERVING, true
	}
	return healthv1.HealthCheckResponse_NOT_SERVING, true
}

func (g *grpcHealth) Check(ctx context.Context, req *connect.Request[healthv1.HealthCheckRequest]) (*connect.Response[healthv1.HealthCheckResponse], error) {
	st, known := g.status(ctx, req.Msg.GetService())
	if !known {
		return nil, errs.NotFound("SERVICE_UNKNOWN", "unknown service")
	}
	return connect.NewResponse(&healthv1.HealthCheckResponse{Status: st}), nil
}

func (g *grpcHealth) List(ctx context.Context, _ *connect.Request[healthv1.HealthListRequest]) (*connect.Response[healthv1.HealthListResponse], error) {
	out := map[string]*healthv1.HealthCheckResponse{}
	ready := g.c.Ready()
	rep := g.c.Run(ctx)
	for _, name := range append([]string{""}, g.c.Names()...) {
		ok := ready && rep.Status == StatusOK
		if name != "" {
			ok = ready && rep.Checks[name].Status == StatusOK
		}
		st := healthv1.HealthCheckResponse_NOT_SERVING
		if ok {
			st = healthv1.HealthCheckResponse_SERVING
		}
		out[name] = &healthv1.HealthCheckResponse{Status: st}
	}
	return connect.NewResponse(&healthv1.HealthListResponse{Statuses: out}), nil
}

// Watch sends the service's status at once and then whenever it changes: the
// readiness switch is seen at once, check results every watch interval, from the
// runs every caller shares (see [Checker.Run]): many streams cost the dependencies no
// more than one. An unknown
// service is reported as SERVICE_UNKNOWN and watched in case it is registered.
// Once [Checker.Drain] has been called (the server is shutting down), Watch sends
// NOT_SERVING (or SERVICE_UNKNOWN) and ends the stream with OK, so that open
// watches do not hold the graceful shutdown until its deadline; a caller that
// watches again is told the same and the stream ends again. [Checker.SetReady]
// alone keeps streams open. At most [WithMaxWatches] streams are served at once;
// more are refused with ResourceExhausted.
func (g *grpcHealth) Watch(ctx context.Context, req *connect.Request[healthv1.HealthCheckRequest], stream *connect.ServerStream[healthv1.HealthCheckResponse]) error {
	if g.c.watches.Add(1) > g.c.maxWatches {
		g.c.watches.Add(-1)
		return errs.ResourceExhausted("WATCH_LIMIT", "too many health watches are open; try again later, or use Check")
	}
	defer g.c.watches.Add(-1)
	ticker := time.NewTicker(g.c.watchEvery)
	defer ticker.Stop()
	last := healthv1.HealthCheckResponse_ServingStatus(-1)
	for {
		changed := g.c.changes()
		st, _ := g.status(ctx, req.Msg.GetService())
		if ctx.Err() != nil {
			return nil // the caller left while waiting for a run: st says nothing
		}
		if st != last {
			if err := stream.Send(&healthv1.HealthCheckResponse{Status: st}); err != nil {
				return err
			}
			last = st
		}
		if g.c.draining.Load() && !g.c.Ready() && last != healthv1.HealthCheckResponse_SERVING {
			// The server is going away and the caller has been told: end the
			// stream, which the graceful shutdown would otherwise wait for until
			// its deadline.
			return nil
		}
		select {
		case <-ctx.Done():
			return nil
		case <-changed:
		case <-ticker.C:
		}
	}
}
