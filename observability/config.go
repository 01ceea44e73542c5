package observability

import (
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"math"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/prometheus/client_golang/prometheus"
	"go.opentelemetry.io/otel/sdk/metric/exemplar"

	"github.com/footingdev/footing/contracts/errs"
	"github.com/footingdev/footing/observability/logging"
)

// Protocols of the OTLP trace exporter.
const (
	ProtocolHTTPProtobuf = "http/protobuf"
	ProtocolGRPC         = "grpc"
)

// Samplers, as OTEL_TRACES_SAMPLER names them.
const (
	SamplerAlwaysOn                = "always_on"
	SamplerAlwaysOff               = "always_off"
	SamplerTraceIDRatio            = "traceidratio"
	SamplerParentBasedAlwaysOn     = "parentbased_always_on"
	SamplerParentBasedAlwaysOff    = "parentbased_always_off"
	SamplerParentBasedTraceIDRatio = "parentbased_traceidratio"
)

// Config configures [Setup] and [New]. Its zero value means: read everything from
// the environment. A field that is set wins over its variable.
//
//	OTEL_SDK_DISABLED                 true: no traces or metrics (logging stays)
//	OTEL_SERVICE_NAME                 service.name (else from OTEL_RESOURCE_ATTRIBUTES, else the program name)
//	OTEL_RESOURCE_ATTRIBUTES          k=v,k2=v2 (values percent-encoded UTF-8)
//	OTEL_TRACES_EXPORTER              otlp or none; default otlp when an endpoint is set, else none
//	OTEL_EXPORTER_OTLP_ENDPOINT       base URL, such as http://collector:4318 (…_TRACES_ENDPOINT: full URL);
//	                                  no user info, query or fragment: the exporter would not send them
//	OTEL_EXPORTER_OTLP_PROTOCOL       http/protobuf (default) or grpc (…_TRACES_PROTOCOL too)
//	OTEL_EXPORTER_OTLP_HEADERS        k=v,k2=v2 sent with every export; never logged
//	OTEL_EXPORTER_OTLP_TIMEOUT        milliseconds each export may take (default 10000)
//	OTEL_EXPORTER_OTLP_COMPRESSION    gzip or none (default)
//	OTEL_EXPORTER_OTLP_CERTIFICATE    PEM file of the CAs that verify an https:// collector (default: the system's)
//	OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE, _CLIENT_KEY  PEM files of a client certificate and its key (mTLS)
//	OTEL_EXPORTER_OTLP_INSECURE       true or false; the endpoint's scheme decides (true with https:// is reported)
//	OTEL_PROPAGATORS                  tracecontext,baggage (default), a subset, or none
//	OTEL_TRACES_SAMPLER               parentbased_always_on (default), always_on, always_off, traceidratio,
//	                                  parentbased_always_off, parentbased_traceidratio
//	OTEL_TRACES_SAMPLER_ARG           the ratio for the *traceidratio samplers, 0 to 1 (default 1)
//	OTEL_BSP_SCHEDULE_DELAY           milliseconds between span batch exports (default 5000)
//	OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT bytes kept of a span attribute's value (default 8192; …_SPAN_… wins)
//	OTEL_METRICS_EXEMPLAR_FILTER      trace_based (default), always_on or always_off
//	LOG_LEVEL                         debug, info (default), warn, error, or slog's forms such as info+2
//	LOG_FORMAT                        json, or text; default text when stderr is a terminal, else json
//
// Each OTEL_EXPORTER_OTLP_* variable has its OTEL_EXPORTER_OTLP_TRACES_*
// form, which wins. Enum values (protocols, samplers, exporters) are
// case-insensitive.
type Config struct {
	// Getenv reads the environment; nil means os.Getenv.
	Getenv func(string) string

	// Disabled turns traces and metrics off (OTEL_SDK_DISABLED).
	Disabled bool
	// ServiceName, ServiceVersion and InstanceID describe the service in the
	// resource. The version defaults to the main module's version; the instance
	// id to a random one.
	ServiceName    string
	ServiceVersion string
	InstanceID     string
	// ResourceAttributes are added to the resource (OTEL_RESOURCE_ATTRIBUTES).
	ResourceAttributes map[string]string

	// TracesExporter is "otlp" or "none" (OTEL_TRACES_EXPORTER).
	TracesExporter string
	// Endpoint is the OTLP base URL (OTEL_EXPORTER_OTLP_ENDPOINT); /v1/traces is
	// appended for http/protobuf. TracesEndpoint is the full traces URL.
	Endpoint       string
	TracesEndpoint string
	// Protocol is http/protobuf or grpc (OTEL_EXPORTER_OTLP_PROTOCOL).
	Protocol string
	// Headers go with every export (OTEL_EXPORTER_OTLP_HEADERS).
	Headers map[string]string
	// Timeout bounds each export (OTEL_EXPORTER_OTLP_TIMEOUT, in milliseconds);
	// zero means 10 seconds.
	Timeout time.Duration
	// Compression is gzip or none (OTEL_EXPORTER_OTLP_COMPRESSION); empty
	// means none.
	Compression string
	// Certificate is a PEM file of the certificates that verify an https://
	// collector (OTEL_EXPORTER_OTLP_CERTIFICATE); empty means the system's.
	Certificate string
	// ClientCertificate and ClientKey are PEM files of the client certificate
	// (chain) and its private key that the exporter presents to the collector
	// (OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE, _CLIENT_KEY); both or neither.
	ClientCertificate string
	ClientKey         string
	// Propagators name how trace context crosses process boundaries
	// (OTEL_PROPAGATORS): "tracecontext", "baggage" or "none"; nil means both
	// of the first two.
	Propagators []string
	// Sampler and SamplerArg choose the sampler (OTEL_TRACES_SAMPLER, _ARG).
	Sampler    string
	SamplerArg string
	// BatchTimeout is the longest a span waits in the batch before export
	// (OTEL_BSP_SCHEDULE_DELAY); shutdown exports whatever is left.
	BatchTimeout time.Duration
	// AttributeValueLengthLimit cuts span attribute values (strings and
	// string slices' elements) at this many bytes
	// (OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT, else
	// OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT); zero means 8192. A client decides
	// some values (url.path, server.address), up to the server's header limit.
	AttributeValueLengthLimit int
	// ExemplarFilter chooses the measurements offered as exemplars
	// (OTEL_METRICS_EXEMPLAR_FILTER): trace_based (the default: those made
	// under a sampled span), always_on or always_off. An offer costs about
	// 85 ns per measurement on the benchmark machine (see BENCHMARKS.md).
	ExemplarFilter string

	// LogLevel and LogFormat configure the default logger (LOG_LEVEL, LOG_FORMAT).
	LogLevel  string
	LogFormat string
	// LogWriter receives log lines; nil means os.Stderr.
	LogWriter io.Writer
	// SecretKeys are extra log keys to redact (see logging.Options).
	SecretKeys []string

	// Registry receives the metrics; nil means a new one from metrics.NewRegistry.
	// A registry serves one live Telemetry: [New] refuses a second until the first
	// is shut down (two would fail every scrape with duplicate metrics).
	Registry *prometheus.Registry
}

// resolved is a Config with the environment applied and every value parsed.
type resolved struct {
	Config
	ratio     float64
	level     slog.Level
	format    logging.Format
	tracesURL string
	exemplar  exemplar.Filter
	// tls verifies the collector and presents the client certificate; nil
	// for an http:// endpoint.
	tls *tls.Config
}

// Validate reports every problem in c and its environment at once, each under
// the name of the variable (or field) that holds it, as an InvalidArgument error
// with one field violation per problem.
func (c Config) Validate() error {
	_, err := c.resolve()
	return err
}

// resolve applies the environment and parses every value.
func (c Config) resolve() (resolved, error) {
	getenv := c.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	r := resolved{Config: c}
	var problems []problem
	bad := func(name, format string, args ...any) {
		problems = append(problems, problem{name, fmt.Sprintf(format, args...)})
	}
	// env fills an unset field from the first of names that is set, and
	// returns the name it used: problems are reported under the variable that
	// holds the value (a signal-specific one, or the generic one).
	env := func(field *string, names ...string) string {
		if *field != "" { // set in Config: reported under the generic name
			return names[len(names)-1]
		}
		for _, n := range names {
			if *field = strings.TrimSpace(getenv(n)); *field != "" {
				return n
			}
		}
		return names[len(names)-1]
	}
	// Enum values are case-insensitive, as the environment variable
	// specification says.
	lower := func(field *string, names ...string) string {
		n := env(field, names...)
		*field = strings.ToLower(*field)
		return n
	}

	if v := strings.TrimSpace(getenv("OTEL_SDK_DISABLED")); v != "" && !c.Disabled {
		switch strings.ToLower(v) {
		case "true":
			r.Disabled = true
		case "false":
		default:
			bad("OTEL_SDK_DISABLED", "must be true or false, not %q", v)
		}
	}

	attrs, err := ParseKeyValues(getenv("OTEL_RESOURCE_ATTRIBUTES"))
	if err != nil {
		bad("OTEL_RESOURCE_ATTRIBUTES", "%v", err)
	}
	for k, v := range c.ResourceAttributes {
		if attrs == nil {
			attrs = map[string]string{}
		}
		attrs[k] = v
	}
	r.ResourceAttributes = attrs
	env(&r.ServiceName, "OTEL_SERVICE_NAME")
	if !utf8.ValidString(r.ServiceName) {
		bad("OTEL_SERVICE_NAME", "must be valid UTF-8")
	}
	if r.ServiceName == "" {
		r.ServiceName = attrs["service.name"]
	}
	if r.ServiceVersion == "" {
		r.ServiceVersion = attrs["service.version"]
	}
	if r.InstanceID == "" {
		r.InstanceID = attrs["service.instance.id"]
	}
	// The resource goes with every span batch, as protobuf strings, which
	// must be UTF-8: one invalid byte ("caf%E9", Latin-1) and the exporter
	// fails to marshal every batch, for as long as the process runs.
	for _, k := range slices.Sorted(maps.Keys(attrs)) {
		if !utf8.ValidString(k) || !utf8.ValidString(attrs[k]) {
			bad("OTEL_RESOURCE_ATTRIBUTES", "the attribute %q is not valid UTF-8 once percent-decoded (é is %%C3%%A9)", k)
		}
	}
	if !utf8.ValidString(c.ServiceVersion) || !utf8.ValidString(c.InstanceID) {
		bad("OTEL_RESOURCE_ATTRIBUTES", "Config.ServiceVersion and Config.InstanceID must be valid UTF-8")
	}

	headersName := "OTEL_EXPORTER_OTLP_HEADERS"
	if r.Headers == nil {
		var hv string
		name := env(&hv, "OTEL_EXPORTER_OTLP_TRACES_HEADERS", "OTEL_EXPORTER_OTLP_HEADERS")
		headersName = name
		h, err := ParseKeyValues(hv)
		if err != nil {
			// The value may hold credentials: name the problem, never the value.
			bad(name, "must be a comma-separated list of key=value pairs with percent-encoded values")
		}
		r.Headers = h
	}

	name := lower(&r.Protocol, "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "OTEL_EXPORTER_OTLP_PROTOCOL")
	switch r.Protocol {
	case "":
		r.Protocol = ProtocolHTTPProtobuf
	case ProtocolHTTPProtobuf, ProtocolGRPC:
	default:
		bad(name, "must be %s or %s, not %q", ProtocolHTTPProtobuf, ProtocolGRPC, r.Protocol)
	}
	for _, k := range slices.Sorted(maps.Keys(r.Headers)) {
		// Names the header, never its value, which may be a credential.
		if msg := checkHeader(k, r.Headers[k], r.Protocol == ProtocolGRPC); msg != "" {
			bad(headersName, "the header %q %s", k, msg)
		}
	}

	if r.Timeout == 0 {
		r.Timeout = 10 * time.Second
		var v string
		if name := env(&v, "OTEL_EXPORTER_OTLP_TRACES_TIMEOUT", "OTEL_EXPORTER_OTLP_TIMEOUT"); v != "" {
			d, ok := millis(v)
			if !ok {
				bad(name, "must be a positive number of milliseconds, not %q", v)
			}
			r.Timeout = d
		}
	} else if r.Timeout < 0 {
		bad("OTEL_EXPORTER_OTLP_TIMEOUT", "Config.Timeout must be positive, not %v", r.Timeout)
	}

	name = lower(&r.Compression, "OTEL_EXPORTER_OTLP_TRACES_COMPRESSION", "OTEL_EXPORTER_OTLP_COMPRESSION")
	switch r.Compression {
	case "":
		r.Compression = "none"
	case "gzip", "none":
	default:
		bad(name, "must be gzip or none, not %q", r.Compression)
	}
	var insecure string
	insecureName := lower(&insecure, "OTEL_EXPORTER_OTLP_TRACES_INSECURE", "OTEL_EXPORTER_OTLP_INSECURE")
	if insecure != "" && insecure != "true" && insecure != "false" {
		bad(insecureName, "must be true or false, not %q", insecure)
	}
	certName := env(&r.Certificate, "OTEL_EXPORTER_OTLP_TRACES_CERTIFICATE", "OTEL_EXPORTER_OTLP_CERTIFICATE")
	clientCertName := env(&r.ClientCertificate, "OTEL_EXPORTER_OTLP_TRACES_CLIENT_CERTIFICATE", "OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE")
	clientKeyName := env(&r.ClientKey, "OTEL_EXPORTER_OTLP_TRACES_CLIENT_KEY", "OTEL_EXPORTER_OTLP_CLIENT_KEY")

	env(&r.TracesEndpoint, "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
	env(&r.Endpoint, "OTEL_EXPORTER_OTLP_ENDPOINT")
	lower(&r.TracesExporter, "OTEL_TRACES_EXPORTER")
	switch r.TracesExporter {
	case "":
		r.TracesExporter = "none"
		if r.TracesEndpoint != "" || r.Endpoint != "" {
			r.TracesExporter = "otlp"
		}
	case "otlp", "none":
	default:
		bad("OTEL_TRACES_EXPORTER", "must be otlp or none, not %q", r.TracesExporter)
	}
	if r.TracesExporter == "otlp" {
		switch {
		case r.TracesEndpoint != "":
			if err := checkURL(r.TracesEndpoint); err != nil {
				bad("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "%v", err)
			}
			r.tracesURL = r.TracesEndpoint
		default:
			base := r.Endpoint
			if base == "" {
				base = "http://localhost:4318"
				if r.Protocol == ProtocolGRPC {
					base = "http://localhost:4317"
				}
			}
			if err := checkURL(base); err != nil {
				bad("OTEL_EXPORTER_OTLP_ENDPOINT", "%v", err)
			}
			r.tracesURL = base
			if r.Protocol == ProtocolHTTPProtobuf {
				r.tracesURL = strings.TrimRight(base, "/") + "/v1/traces"
			}
		}
		endpointName := "OTEL_EXPORTER_OTLP_ENDPOINT"
		if r.TracesEndpoint != "" {
			endpointName = "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"
		}
		r.tls = resolveTLS(r, bad, tlsVars{
			endpoint: endpointName, insecure: insecureName, insecureTrue: insecure == "true",
			cert: certName, clientCert: clientCertName, clientKey: clientKeyName,
		})
	}

	if r.Propagators == nil {
		if v := strings.TrimSpace(getenv("OTEL_PROPAGATORS")); v != "" {
			r.Propagators = strings.Split(v, ",")
		} else {
			r.Propagators = []string{"tracecontext", "baggage"}
		}
	}
	props := make([]string, 0, len(r.Propagators))
	for _, p := range r.Propagators {
		switch p = strings.ToLower(strings.TrimSpace(p)); p {
		case "tracecontext", "baggage", "none":
			if !slices.Contains(props, p) {
				props = append(props, p)
			}
		case "":
		default:
			// b3, b3multi, jaeger, xray, ottrace: a propagator footing does not
			// ship; silently using W3C instead would break the caller's traces.
			bad("OTEL_PROPAGATORS", "%q is not supported; use tracecontext, baggage or none", p)
		}
	}
	if slices.Contains(props, "none") {
		props = []string{}
	}
	r.Propagators = props

	lower(&r.Sampler, "OTEL_TRACES_SAMPLER")
	if r.Sampler == "" {
		r.Sampler = SamplerParentBasedAlwaysOn
	}
	switch r.Sampler {
	case SamplerAlwaysOn, SamplerAlwaysOff, SamplerParentBasedAlwaysOn, SamplerParentBasedAlwaysOff:
	case SamplerTraceIDRatio, SamplerParentBasedTraceIDRatio:
		env(&r.SamplerArg, "OTEL_TRACES_SAMPLER_ARG")
		r.ratio = 1
		if r.SamplerArg != "" {
			f, err := strconv.ParseFloat(r.SamplerArg, 64)
			if err != nil || !(f >= 0 && f <= 1) { // NaN is neither
				bad("OTEL_TRACES_SAMPLER_ARG", "must be a number from 0 to 1, not %q", r.SamplerArg)
			}
			r.ratio = f
		}
	default:
		bad("OTEL_TRACES_SAMPLER", "must be one of always_on, always_off, traceidratio, parentbased_always_on, parentbased_always_off, parentbased_traceidratio; not %q", r.Sampler)
	}

	if r.BatchTimeout == 0 {
		r.BatchTimeout = 5 * time.Second
		if v := strings.TrimSpace(getenv("OTEL_BSP_SCHEDULE_DELAY")); v != "" {
			d, ok := millis(v)
			if !ok {
				bad("OTEL_BSP_SCHEDULE_DELAY", "must be a positive number of milliseconds, not %q", v)
			}
			r.BatchTimeout = d
		}
	} else if r.BatchTimeout < 0 {
		bad("OTEL_BSP_SCHEDULE_DELAY", "Config.BatchTimeout must be positive, not %v", r.BatchTimeout)
	}

	if r.AttributeValueLengthLimit == 0 {
		r.AttributeValueLengthLimit = 8192
		var v string
		if name := env(&v, "OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT", "OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT"); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n <= 0 {
				bad(name, "must be a positive number of bytes, not %q", v)
			}
			r.AttributeValueLengthLimit = n
		}
	} else if r.AttributeValueLengthLimit < 0 {
		bad("OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT", "Config.AttributeValueLengthLimit must be positive, not %d", r.AttributeValueLengthLimit)
	}

	env(&r.ExemplarFilter, "OTEL_METRICS_EXEMPLAR_FILTER")
	switch strings.ToLower(r.ExemplarFilter) {
	case "", "trace_based":
		r.exemplar = exemplar.TraceBasedFilter
	case "always_on":
		r.exemplar = exemplar.AlwaysOnFilter
	case "always_off":
		r.exemplar = exemplar.AlwaysOffFilter
	default:
		bad("OTEL_METRICS_EXEMPLAR_FILTER", "must be trace_based, always_on or always_off, not %q", r.ExemplarFilter)
	}

	env(&r.LogLevel, "LOG_LEVEL")
	if r.LogLevel != "" {
		if err := r.level.UnmarshalText([]byte(r.LogLevel)); err != nil {
			bad("LOG_LEVEL", "must be debug, info, warn or error, not %q", r.LogLevel)
		}
	}
	env(&r.LogFormat, "LOG_FORMAT")
	switch strings.ToLower(r.LogFormat) {
	case "":
		if stderrIsTerminal() {
			r.format = logging.Text
		}
	case "json":
	case "text":
		r.format = logging.Text
	default:
		bad("LOG_FORMAT", "must be json or text, not %q", r.LogFormat)
	}

	if len(problems) > 0 {
		return r, invalid(problems)
	}
	return r, nil
}

// checkHeader says what is wrong with an export header that the exporter
// could not send, which would fail every export: "" when nothing is. HTTP
// takes a token as the name and no control bytes but tab in the value; gRPC
// metadata takes letters, digits, '-', '_' and '.' in the name, and printable
// ASCII in the value of a name that does not end in -bin.
func checkHeader(name, value string, grpc bool) string {
	if name == "" {
		return "must have a name"
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		alnum := c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
		if grpc && !alnum && !strings.ContainsRune("-_.", rune(c)) {
			return "must have a name of letters, digits, '-', '_' and '.' for grpc"
		}
		if !alnum && !strings.ContainsRune("!#$%&'*+-.^_`|~", rune(c)) {
			return "must have a name that is an HTTP token"
		}
	}
	if grpc && strings.HasSuffix(strings.ToLower(name), "-bin") {
		return "" // any bytes: gRPC sends them in base64
	}
	for i := 0; i < len(value); i++ {
		c := value[i]
		if grpc && (c < ' ' || c > '~') {
			return "must have a value of printable ASCII for grpc"
		}
		if c < ' ' && c != '\t' || c == 0x7f {
			return "must have a value without control characters"
		}
	}
	return ""
}

// millis parses a positive number of milliseconds that a time.Duration can
// hold: a larger one would wrap to a negative duration (an export timeout that
// fails every export, a batch delay that never waits).
func millis(v string) (time.Duration, bool) {
	ms, err := strconv.ParseInt(v, 10, 64)
	if err != nil || ms <= 0 || ms > math.MaxInt64/int64(time.Millisecond) {
		return 0, false
	}
	return time.Duration(ms) * time.Millisecond, true
}

type problem struct{ name, msg string }

// invalid builds the InvalidArgument error that lists every problem.
func invalid(problems []problem) error {
	var msg strings.Builder
	msg.WriteString("invalid observability configuration: ")
	opts := make([]errs.Option, 0, len(problems))
	for i, p := range problems {
		if i > 0 {
			msg.WriteString("; ")
		}
		msg.WriteString(p.name + ": " + p.msg)
		opts = append(opts, errs.WithFieldViolation(p.name, p.msg, "INVALID_VALUE"))
	}
	return errs.InvalidArgument("INVALID_CONFIG", msg.String(), opts...)
}

func checkURL(s string) error {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("must be an http:// or https:// URL with a host, not %q", redactURL(s))
	}
	// The exporters send to the scheme, host and path alone: a credential
	// in the user info or the query would be dropped, and every export
	// refused. The URL is not shown: those parts hold the credential.
	if u.User != nil || u.RawQuery != "" || u.ForceQuery || strings.Contains(s, "#") {
		return errors.New("must not hold user info, a query or a fragment, which the exporter does not send: " +
			"pass credentials in OTEL_EXPORTER_OTLP_HEADERS (Authorization=Basic%20…, api-key=…)")
	}
	return nil
}

// redactURL drops the query, the fragment and the user info from a URL that
// is about to appear in an error: any of them may hold a credential.
func redactURL(s string) string {
	if i := strings.IndexAny(s, "?#"); i >= 0 {
		s = s[:i] + "…"
	}
	if u, err := url.Parse(s); err == nil && u.User != nil {
		u.User = url.User("REDACTED")
		return u.String()
	}
	if i := strings.LastIndexByte(s, '@'); i >= 0 {
		return "…" + s[i:]
	}
	return s
}
