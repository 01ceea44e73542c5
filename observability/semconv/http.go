package semconv

// More standard OpenTelemetry semantic-convention metrics footing records.
var (
	HTTPServerActiveRequests   = Metric{"http.server.active_requests", "{request}", "Number of active HTTP server requests."}
	HTTPServerResponseBodySize = Metric{"http.server.response.body.size", "By", "Size of HTTP server response bodies."}
	RPCServerActiveRequests    = Metric{"footing.rpc.server.active_requests", "{request}", "Number of RPCs being served, by procedure."}
)

// Standard OpenTelemetry attribute keys the instrumentation sets, as strings so
// that this package stays free of the SDK.
const (
	AttrHTTPMethod       = "http.request.method"
	AttrHTTPStatusCode   = "http.response.status_code"
	AttrHTTPRoute        = "http.route"
	AttrURLScheme        = "url.scheme"
	AttrURLPath          = "url.path"
	AttrServerAddress    = "server.address"
	AttrRPCSystem        = "rpc.system"
	AttrRPCService       = "rpc.service"
	AttrRPCMethod        = "rpc.method"
	AttrRPCConnectCode   = "rpc.connect_rpc.error_code"
	AttrErrorType        = "error.type"
	RPCSystemConnect     = "connect_rpc"
	AttrNetworkProtoName = "network.protocol.name"
)
