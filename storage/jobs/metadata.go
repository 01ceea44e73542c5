package jobs

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"strconv"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
	"go.opentelemetry.io/otel/propagation"
	"google.golang.org/protobuf/encoding/protojson"

	commonv1 "github.com/footingdev/footing/contracts/gen/go/footing/common/v1"
	"github.com/footingdev/footing/contracts/identity"
	"github.com/footingdev/footing/storage/internal/tenantid"
)

// metadataKey is the key under which footing's context lives in a job's metadata.
const metadataKey = "footing"

// stamp is what travels with a job: who enqueued it, in which request, in which trace.
type stamp struct {
	Principal json.RawMessage `json:"principal,omitempty"` // protojson footing.common.v1.Principal
	// Tenant is the Principal's tenant in canonical form (lower-case hyphenated UUID), set
	// only when the Principal has a valid tenant id: the tenant-scoped calls (Client.Get,
	// List, Cancel, Retry) match on it.
	Tenant    string            `json:"tenant,omitempty"`
	RequestID string            `json:"request_id,omitempty"`
	Trace     map[string]string `json:"trace,omitempty"` // W3C traceparent / tracestate
}

var propagator = propagation.TraceContext{}

// stampFrom captures ctx's Principal, request id and trace context.
func stampFrom(ctx context.Context) (*stamp, error) {
	s := &stamp{RequestID: identity.RequestID(ctx)}
	if p, ok := identity.PrincipalFrom(ctx); ok {
		b, err := protojson.Marshal(p)
		if err != nil {
			return nil, err
		}
		s.Principal = b
		if t, ok := tenantid.Canonical(p.GetTenantId()); ok {
			s.Tenant = t
		}
	}
	carrier := propagation.MapCarrier{}
	propagator.Inject(ctx, carrier)
	if len(carrier) > 0 {
		s.Trace = carrier
	}
	return s, nil
}

// addStamp merges s into a job's JSON metadata under [metadataKey], keeping other keys.
func addStamp(metadata []byte, s *stamp) ([]byte, error) {
	m := map[string]json.RawMessage{}
	if len(metadata) > 0 {
		if err := json.Unmarshal(metadata, &m); err != nil {
			return nil, err
		}
	}
	b, err := json.Marshal(s)
	if err != nil {
		return nil, err
	}
	m[metadataKey] = b
	return json.Marshal(m)
}

// A metadataError says which part of a job's metadata did not decode, how, and at which
// byte of that part, and nothing more. The decoders' own messages are dropped (not
// wrapped): they can quote the metadata — a token, a number, a field name — and job
// metadata can hold secrets.
type metadataError struct {
	part    string // "metadata", "footing stamp" or "principal"
	problem string // "syntax error", "value of the wrong type" or "invalid"
	offset  int64  // byte offset within part, or -1 when the decoder gives none
}

func (e *metadataError) Error() string {
	msg := "jobs: " + e.part + " in job metadata: " + e.problem
	if e.offset >= 0 {
		msg += " at byte " + strconv.FormatInt(e.offset, 10)
	}
	return msg
}

// badMetadata describes err, an error decoding part, without its message.
func badMetadata(part string, err error) error {
	e := &metadataError{part: part, problem: "invalid", offset: -1}
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		e.problem, e.offset = "syntax error", syntax.Offset
	case errors.As(err, &typ):
		e.problem, e.offset = "value of the wrong type", typ.Offset
	}
	return e
}

// withoutIdentity is ctx without a Principal or request metadata. River derives its
// workers' and services' (the periodic enqueuer's) contexts from the one Start is given,
// values included: what identifies a caller there must not pass for the identity of jobs
// that carry none.
func withoutIdentity(ctx context.Context) context.Context {
	ctx = identity.WithPrincipal(ctx, nil)
	return identity.WithRequestMetadata(ctx, nil)
}

// restore puts a job's stamp back into ctx: Principal, request metadata, and the enqueuer's
// span context (returned separately, to link to). The job gets only what its stamp holds:
// a Principal or request metadata already in ctx is removed first, so a job without a
// Principal (periodic, system, or with metadata that does not decode) runs without one.
// Its error is a [*metadataError], safe to log.
func restore(ctx context.Context, metadata []byte) (context.Context, context.Context, error) {
	ctx = withoutIdentity(ctx)
	var m map[string]json.RawMessage
	if len(metadata) == 0 {
		return ctx, context.Background(), nil
	}
	if err := json.Unmarshal(metadata, &m); err != nil {
		return ctx, context.Background(), badMetadata("metadata", err)
	}
	raw, ok := m[metadataKey]
	if !ok {
		return ctx, context.Background(), nil
	}
	var s stamp
	if err := json.Unmarshal(raw, &s); err != nil {
		return ctx, context.Background(), badMetadata("footing stamp", err)
	}
	if len(s.Principal) > 0 {
		p := &commonv1.Principal{}
		if err := protojson.Unmarshal(s.Principal, p); err != nil {
			return ctx, context.Background(), badMetadata("principal", err)
		}
		ctx = identity.WithPrincipal(ctx, p)
	}
	if s.RequestID != "" {
		ctx = identity.WithRequestMetadata(ctx, &commonv1.RequestMetadata{RequestId: s.RequestID})
	}
	remote := propagator.Extract(context.Background(), propagation.MapCarrier(s.Trace))
	return ctx, remote, nil
}

// insertMiddleware stamps every inserted job with the inserting ctx, and makes a unique
// job's unique key unique per tenant.
type insertMiddleware struct {
	river.MiddlewareDefaults
}

// InsertMany implements [rivertype.JobInsertMiddleware].
func (*insertMiddleware) InsertMany(ctx context.Context, params []*rivertype.JobInsertParams, doInner func(context.Context) ([]*rivertype.JobInsertResult, error)) ([]*rivertype.JobInsertResult, error) {
	s, err := stampFrom(ctx)
	if err != nil {
		return nil, err
	}
	tenant, scoped := identity.TenantID(ctx)
	if c, ok := tenantid.Canonical(tenant); ok {
		tenant = c
	}
	for _, p := range params {
		if p.Metadata, err = addStamp(p.Metadata, s); err != nil {
			return nil, err
		}
		if scoped && len(p.UniqueKey) > 0 {
			p.UniqueKey = tenantUniqueKey(tenant, p.UniqueKey)
		}
	}
	return doInner(ctx)
}

// tenantUniqueKey is River's unique key of a job enqueued for tenant, bound to that
// tenant. River builds the key from the job's kind, args, queue, period — never its
// metadata, where the tenant travels — so without this a unique job of one tenant
// made another tenant's job with the same args a duplicate: skipped, and the other
// tenant's job row (its Principal in the metadata) returned in its place. Jobs enqueued
// without a tenant (periodic jobs, system work) keep River's key: unique among themselves.
func tenantUniqueKey(tenant string, key []byte) []byte {
	h := sha256.New()
	h.Write([]byte("footing.jobs.tenant\x00"))
	h.Write([]byte(tenant))
	h.Write([]byte{0})
	h.Write(key)
	return h.Sum(nil)
}
