package instrument

import (
	"net/http"
	"strings"
	"sync"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/footingdev/footing/observability/semconv"
)

// attrCache keeps one attribute set per distinct label combination, so that
// recording a measurement does not build and sort attributes on every request.
// The combinations are bounded: methods are normalized and routes and procedures
// come from the server's own routing table.
type attrCache[K comparable] struct {
	m    sync.Map // K -> metric.MeasurementOption
	make func(K) attribute.Set
}

func (c *attrCache[K]) get(k K) metric.MeasurementOption {
	if v, ok := c.m.Load(k); ok {
		return v.(metric.MeasurementOption)
	}
	v, _ := c.m.LoadOrStore(k, metric.WithAttributeSet(c.make(k)))
	return v.(metric.MeasurementOption)
}

type httpKey struct {
	method, route, scheme string
	status                int
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
		kv = append(kv, attribute.String(semconv.AttrErrorType, http.StatusText(k.status)))
	}
	return attribute.NewSet(kv...)
}

type rpcKey struct {
	procedure, code string
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
