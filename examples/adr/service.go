package adr

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"connectrpc.com/connect"

	"github.com/footingdev/footing/contracts/errs"
	"github.com/footingdev/footing/contracts/identity"
	adrv1 "github.com/footingdev/footing/examples/gen/go/footing/examples/adr/v1"
	"github.com/footingdev/footing/examples/gen/go/footing/examples/adr/v1/adrv1connect"
	"github.com/footingdev/footing/storage/cache"
	"github.com/footingdev/footing/storage/rls"
)

// FlagRequireConsequences is the feature flag that, when on for a tenant or user,
// refuses ACCEPTED ADRs without consequences.
const FlagRequireConsequences = "adr-require-consequences"

// Flags answers whether a boolean feature flag is on for the caller in ctx.
// storage/flags (an OpenFeature provider) implements it in the reference wiring.
type Flags interface {
	Enabled(ctx context.Context, flag string) bool
}

// FlagsFunc adapts a function to [Flags].
type FlagsFunc func(ctx context.Context, flag string) bool

// Enabled calls f.
func (f FlagsFunc) Enabled(ctx context.Context, flag string) bool { return f(ctx, flag) }

// Service implements ADRService. Authentication, policy, validation and rate
// limits happen before it, at the edge and in interceptors.
type Service struct {
	store  *Store
	cache  *cache.Typed[*adrv1.ADR]
	hub    *Hub
	flags  Flags
	ttl    time.Duration
	logger *slog.Logger

	watchMaxAge time.Duration
}

var _ adrv1connect.ADRServiceHandler = (*Service)(nil)

func principalSubject(ctx context.Context) (string, error) {
	p, ok := identity.PrincipalFrom(ctx)
	if !ok || p.GetTenantId() == "" {
		// The edge's policy makes this unreachable; refuse rather than guess.
		return "", errs.Unauthenticated("UNAUTHENTICATED", "a tenant credential is required")
	}
	if d := textViolation(p.GetSubject()); d != "" {
		// The subject becomes the author column: Postgres could not store it.
		return "", errs.FailedPrecondition("SUBJECT_INVALID", "the caller's subject cannot be recorded as an author: it "+d,
			errs.WithDomain(Domain))
	}
	return p.GetSubject(), nil
}

func (s *Service) checkRules(ctx context.Context, a *adrv1.ADR) error {
	if a.GetStatus() == adrv1.Status_STATUS_ACCEPTED && a.GetConsequences() == "" && s.flags.Enabled(ctx, FlagRequireConsequences) {
		return errs.InvalidArgument("CONSEQUENCES_REQUIRED", "an accepted ADR must state its consequences",
			errs.WithDomain(Domain), errs.WithFieldViolation("adr.consequences", "required when status is ACCEPTED", "adr.consequences_required"))
	}
	return nil
}

// CreateADR records a new ADR authored by the caller.
func (s *Service) CreateADR(ctx context.Context, req *connect.Request[adrv1.CreateADRRequest]) (*connect.Response[adrv1.CreateADRResponse], error) {
	author, err := principalSubject(ctx)
	if err != nil {
		return nil, err
	}
	if err := checkADR(req.Msg.GetAdr()); err != nil {
		return nil, err
	}
	if err := s.checkRules(ctx, req.Msg.GetAdr()); err != nil {
		return nil, err
	}
	a, err := s.store.Create(ctx, withCanonicalIDs(req.Msg.GetAdr()), author)
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&adrv1.CreateADRResponse{Adr: a}), nil
}

// cacheKey is the cache key of the ADR with id, which must be canonical (canonicalID):
// an update or delete must drop the entry whatever spelling the read used.
func cacheKey(id string) string { return "adr:" + id }

// GetADR returns one ADR, from the tenant's cache when it can.
func (s *Service) GetADR(ctx context.Context, req *connect.Request[adrv1.GetADRRequest]) (*connect.Response[adrv1.GetADRResponse], error) {
	id, err := idArg("id", req.Msg.GetId())
	if err != nil {
		return nil, err
	}
	a, err := s.cache.GetOrLoad(ctx, cacheKey(id), func(ctx context.Context) (*adrv1.ADR, error) {
		return s.store.Get(ctx, id)
	}, cache.WithTTL(s.ttl))
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&adrv1.GetADRResponse{Adr: a}), nil
}

// UpdateADR replaces an ADR's content if its version is current, and drops the
// cached copy.
func (s *Service) UpdateADR(ctx context.Context, req *connect.Request[adrv1.UpdateADRRequest]) (*connect.Response[adrv1.UpdateADRResponse], error) {
	in := req.Msg.GetAdr()
	if in.GetId() == "" || in.GetVersion() <= 0 {
		return nil, errs.InvalidArgument("ID_AND_VERSION_REQUIRED", "adr.id and adr.version name the ADR being replaced",
			errs.WithDomain(Domain),
			errs.WithFieldViolation("adr.id", "required", "required"),
			errs.WithFieldViolation("adr.version", "must be the version that was read", "int64.gt"))
	}
	if _, err := idArg("adr.id", in.GetId()); err != nil {
		return nil, err
	}
	if err := checkADR(in); err != nil {
		return nil, err
	}
	in = withCanonicalIDs(in)
	if err := s.checkRules(ctx, in); err != nil {
		return nil, err
	}
	a, err := s.store.Update(ctx, in)
	if err != nil {
		return nil, err
	}
	s.evict(ctx, a.GetId())
	return connect.NewResponse(&adrv1.UpdateADRResponse{Adr: a}), nil
}

// DeleteADR removes an ADR if its version is current.
func (s *Service) DeleteADR(ctx context.Context, req *connect.Request[adrv1.DeleteADRRequest]) (*connect.Response[adrv1.DeleteADRResponse], error) {
	id, err := idArg("id", req.Msg.GetId())
	if err != nil {
		return nil, err
	}
	if err := s.store.Delete(ctx, id, req.Msg.GetVersion()); err != nil {
		return nil, err
	}
	s.evict(ctx, id)
	return connect.NewResponse(&adrv1.DeleteADRResponse{}), nil
}

// WatchADRs streams the caller's tenant's changes until the caller leaves, the server
// shuts down (then Unavailable, so that clients reconnect elsewhere) or the stream has
// lasted [Config.WatchMaxAge] (then Unavailable WATCH_MAX_AGE: the client watches again
// with a current credential, so an expired or revoked token stops seeing changes). If the
// instance stops hearing changes (its LISTEN connection broke, or a change could not be
// read), the stream ends with Unavailable WATCH_ENDED rather than go on without them: the
// client lists again and watches again.
func (s *Service) WatchADRs(ctx context.Context, _ *connect.Request[adrv1.WatchADRsRequest], stream *connect.ServerStream[adrv1.WatchADRsResponse]) error {
	if _, err := principalSubject(ctx); err != nil {
		return err
	}
	// The tenant as row-level security sees it: canonical, so that a token spelling its
	// UUID in upper case still hears its changes (notifications carry the canonical
	// spelling), and refused as storage would refuse it when it is not a UUID, instead of
	// a watch that stays open and silent.
	scope, err := rls.ScopeFrom(ctx)
	if err != nil {
		return err
	}
	sub, err := s.hub.Subscribe(scope.TenantID)
	if errors.Is(err, ErrAtCapacity) {
		return errs.Unavailable("WATCH_CAPACITY", "this instance holds the maximum number of open watches; watch again later",
			errs.WithDomain(Domain), errs.WithRetryAfter(10*time.Second))
	}
	if err != nil {
		return errs.ResourceExhausted("TOO_MANY_WATCHES", "the tenant holds the maximum number of open watches on this instance; close one",
			errs.WithDomain(Domain), errs.WithRetryAfter(10*time.Second))
	}
	defer sub.Close()
	maxAge := time.NewTimer(s.watchMaxAge)
	defer maxAge.Stop()
	// Headers now, so that the client knows the watch is established.
	if err := stream.Send(nil); err != nil {
		return err
	}
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-maxAge.C:
			return errs.Unavailable("WATCH_MAX_AGE", "the watch has lasted its maximum; watch again with a current credential",
				errs.WithDomain(Domain), errs.WithRetryAfter(0))
		case ev := <-sub.C():
			if err := stream.Send(ev); err != nil {
				return err
			}
		case <-sub.Done():
			if err := sub.Err(); err != nil {
				return errs.Unavailable("WATCH_ENDED", err.Error(), errs.WithDomain(Domain), errs.WithRetryAfter(time.Second))
			}
			return nil
		}
	}
}
