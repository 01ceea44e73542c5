package instrument

import (
	"maps"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"

	"github.com/footingdev/footing/observability/semconv"
)

// attrCache keeps one attribute set per distinct label combination, so that
// recording a measurement does not build and sort attributes on every request.
// The combinations are bounded: methods are normalized and routes and procedures
// come from the server's own routing table.
//
// Readers load an immutable map without a lock; a new combination, rare after
// the first requests, copies the map. A map keyed by the struct, not a
// sync.Map: a struct key converted to an interface would cost an allocation
// per lookup.
//
// In front of the map, a small table answers the combinations seen first
// without hashing: a key's slot comes from its lengths and a few bytes
// (cacheKey.slot), and an entry is used when its key equals the key looked up.
// The map's lookup hashes every string of the key and compares through the
// generic path, about 300 instructions; the table's, about 60. A slot is
// filled once, by the first key that misses in it, and never replaced: keys
// that collide with it go to the map, as before, and no lookup allocates.
type attrCache[K cacheKey] struct {
	front [frontSlots]atomic.Pointer[frontEntry[K]]
	m     atomic.Pointer[map[K]measureOpts]
	mu    sync.Mutex // serializes the writers
	make  func(K) attribute.Set
}

// A cacheKey is a label combination with a cheap hash for the front table:
// equal keys have the same slot.
type cacheKey interface {
	comparable
	slot() uint
}

// frontSlots is the size of an attrCache's front table.
const frontSlots = 64

// frontEntry is a key and its options, published once in a front slot.
type frontEntry[K comparable] struct {
	key  K
	opts measureOpts
}

// measureOpts holds the option slices ready to pass on: a variadic call through
// an interface would otherwise allocate its slice on every measurement.
type measureOpts struct {
	add []metric.AddOption
	rec []metric.RecordOption
}

func (c *attrCache[K]) get(k K) measureOpts {
	slot := &c.front[k.slot()%frontSlots]
	if e := slot.Load(); e != nil && e.key == k {
		return e.opts
	}
	v := c.lookup(k)
	if slot.Load() == nil {
		slot.CompareAndSwap(nil, &frontEntry[K]{key: k, opts: v})
	}
	return v
}

// lookup returns the options of k from the map, made and added when k is new.
func (c *attrCache[K]) lookup(k K) measureOpts {
	if m := c.m.Load(); m != nil {
		if v, ok := (*m)[k]; ok {
			return v
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	old := c.m.Load()
	if old != nil {
		if v, ok := (*old)[k]; ok {
			return v
		}
	}
	next := make(map[K]measureOpts, 1)
	if old != nil {
		next = maps.Clone(*old)
	}
	o := metric.WithAttributeSet(c.make(k))
	v := measureOpts{add: []metric.AddOption{o}, rec: []metric.RecordOption{o}}
	next[k] = v
	c.m.Store(&next)
	return v
}

// stringSlot is a cheap hash of s for a front slot: its length and its
// first, middle and last bytes (routes and procedures of one service share
// their start; their ends and lengths differ).
func stringSlot(s string) uint {
	if s == "" {
		return 0
	}
	return uint(len(s))*31 + uint(s[0])*7 + uint(s[len(s)/2])*3 + uint(s[len(s)-1])
}

type httpKey struct {
	method, route, scheme string
	status                int
}

func (k httpKey) slot() uint {
	return stringSlot(k.route) + uint(k.status)*5 + uint(len(k.method))*11 + uint(len(k.scheme))*13
}

func httpAttrs(k httpKey) attribute.Set {
	kv := []attribute.KeyValue{
		attribute.String(semconv.AttrHTTPMethod, k.method),
		attribute.String(semconv.AttrURLScheme, k.scheme),
	}
	if k.status != 0 {
		kv = append(kv, attribute.Int(semconv.AttrHTTPStatusCode, k.status))
	}
	if k.route != "" {
		kv = append(kv, attribute.String(semconv.AttrHTTPRoute, k.route))
	}
	if k.status >= 500 {
		// The conventions' value for a failed status: the code as a string
		// ("503"), which every status has; StatusText is "" for 599.
		kv = append(kv, attribute.String(semconv.AttrErrorType, strconv.Itoa(k.status)))
	}
	return attribute.NewSet(kv...)
}

type rpcKey struct {
	procedure, code string
}

func (k rpcKey) slot() uint {
	return stringSlot(k.procedure) + uint(len(k.code))*17
}

func rpcAttrs(k rpcKey) attribute.Set {
	service, method := splitProcedure(k.procedure)
	kv := []attribute.KeyValue{
		attribute.String(semconv.AttrRPCSystem, semconv.RPCSystemConnect),
		attribute.String(semconv.AttrRPCService, service),
		attribute.String(semconv.AttrRPCMethod, method),
	}
	if k.code != "" {
		kv = append(kv, attribute.String(semconv.AttrRPCConnectCode, k.code))
	}
	return attribute.NewSet(kv...)
}

// splitProcedure splits "/pkg.Service/Method" into its service and method.
func splitProcedure(procedure string) (service, method string) {
	p := strings.TrimPrefix(procedure, "/")
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		return p[:i], p[i+1:]
	}
	return p, ""
}

// normalizeMethod bounds the method label to the standard methods.
func normalizeMethod(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodConnect, http.MethodOptions, http.MethodTrace:
		return m
	default:
		return "_OTHER"
	}
}

// normalizeScheme bounds the url.scheme label of a client request to the
// schemes HTTP has: a URL from a service's users may have any ("x1://"), and
// each would be a metric series of its own.
func normalizeScheme(scheme string) string {
	switch scheme {
	case "http", "https":
		return scheme
	default:
		return "_OTHER"
	}
}

// spanMethod is the method part of a span name: the semantic conventions name
// a span after a method that is not a standard one "HTTP", so that a client
// cannot mint span names of its own.
func spanMethod(normalized string) string {
	if normalized == "_OTHER" {
		return "HTTP"
	}
	return normalized
}

// Span start options, made once, in slices passed with "...": an option made
// per call allocates, and so does the slice a variadic call through the
// Tracer interface builds (the compiler cannot see that it does not escape).
// Tracers only read them.
var (
	serverKind = []trace.SpanStartOption{trace.WithSpanKind(trace.SpanKindServer)}
	clientKind = []trace.SpanStartOption{trace.WithSpanKind(trace.SpanKindClient)}
)

// routeOf returns the route of a ServeMux pattern, without its method and host.
func routeOf(pattern string) string {
	if i := strings.IndexByte(pattern, ' '); i >= 0 {
		pattern = strings.TrimLeft(pattern[i+1:], " ")
	}
	if i := strings.IndexByte(pattern, '/'); i > 0 {
		pattern = pattern[i:]
	}
	return pattern
}

// spanTimes is what an SDK span that records offers: the times it read from
// the clock. Reading them back saves a clock read each (about 0.1 µs on a
// virtual machine's clock).
type spanTimes interface {
	StartTime() time.Time
	EndTime() time.Time
}

// spanStart returns the start time of a recording span, and false when the
// span does not record one.
func spanStart(span trace.Span) (time.Time, bool) {
	if !span.IsRecording() {
		return time.Time{}, false
	}
	st, ok := span.(spanTimes)
	if !ok {
		return time.Time{}, false
	}
	t := st.StartTime()
	return t, !t.IsZero()
}

// spanEnd returns the end time of an ended span whose start spanStart
// returned, else the time now.
func spanEnd(span trace.Span, timed bool) time.Time {
	if timed {
		if t := span.(spanTimes).EndTime(); !t.IsZero() {
			return t
		}
	}
	return time.Now()
}

// appendRPCAttrs appends the span attributes of a Connect call: system,
// service and method, the identity tracing.AppendIdentityAttributes would add,
// and the code when the call failed (code is "" on success).
func appendRPCAttrs(kv []attribute.KeyValue, procedure, tenant, user, requestID, code string) []attribute.KeyValue {
	service, method := splitProcedure(procedure)
	kv = append(kv,
		attribute.String(semconv.AttrRPCSystem, semconv.RPCSystemConnect),
		attribute.String(semconv.AttrRPCService, service),
		attribute.String(semconv.AttrRPCMethod, method),
	)
	if tenant != "" {
		kv = append(kv, attribute.String(semconv.AttrTenantID, tenant))
	}
	if user != "" {
		kv = append(kv, attribute.String(semconv.AttrUserID, user))
	}
	if requestID != "" {
		kv = append(kv, attribute.String(semconv.AttrRequestID, requestID))
	}
	if code != "" {
		kv = append(kv, attribute.String(semconv.AttrRPCConnectCode, code))
	}
	return kv
}

// kvPool holds the slices span attributes are gathered in: passed through the
// Span interface, a slice on the stack would escape, and one the size of every
// attribute a request sets costs a kilobyte per sampled request.
var kvPool = sync.Pool{New: func() any { kv := make([]attribute.KeyValue, 0, 16); return &kv }}

func getKVs() *[]attribute.KeyValue { return kvPool.Get().(*[]attribute.KeyValue) }

func putKVs(kv *[]attribute.KeyValue) {
	clear(*kv) // drop the references to the request's strings
	*kv = (*kv)[:0]
	kvPool.Put(kv)
}
