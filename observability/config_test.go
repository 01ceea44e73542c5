package observability_test

import (
	"context"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"

	"github.com/footingdev/footing/contracts/errs"
	"github.com/footingdev/footing/observability"
)

func envOf(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestValidateReportsEveryProblemByName(t *testing.T) {
	t.Parallel()
	cfg := observability.Config{Getenv: envOf(map[string]string{
		"OTEL_SDK_DISABLED":            "maybe",
		"OTEL_RESOURCE_ATTRIBUTES":     "ok=1,broken",
		"OTEL_EXPORTER_OTLP_ENDPOINT":  "collector:4318",
		"OTEL_EXPORTER_OTLP_PROTOCOL":  "http/json",
		"OTEL_EXPORTER_OTLP_HEADERS":   "api-key=%zz-super-secret",
		"OTEL_TRACES_SAMPLER":          "traceidratio",
		"OTEL_TRACES_SAMPLER_ARG":      "1.5",
		"OTEL_BSP_SCHEDULE_DELAY":      "soon",
		"OTEL_METRICS_EXEMPLAR_FILTER": "sometimes",
		"LOG_LEVEL":                    "loud",
		"LOG_FORMAT":                   "xml",
	})}
	err := cfg.Validate()
	if err == nil {
		t.Fatal("Validate accepted bad values")
	}
	names := []string{"OTEL_SDK_DISABLED", "OTEL_RESOURCE_ATTRIBUTES", "OTEL_EXPORTER_OTLP_ENDPOINT",
		"OTEL_EXPORTER_OTLP_PROTOCOL", "OTEL_EXPORTER_OTLP_HEADERS", "OTEL_TRACES_SAMPLER_ARG",
		"OTEL_BSP_SCHEDULE_DELAY", "OTEL_METRICS_EXEMPLAR_FILTER", "LOG_LEVEL", "LOG_FORMAT"}
	for _, n := range names {
		if !strings.Contains(err.Error(), n+":") {
			t.Errorf("error does not name %s: %v", n, err)
		}
	}
	if strings.Contains(err.Error(), "super-secret") {
		t.Fatalf("error shows the headers' value: %v", err)
	}
	d := errs.From(err)
	if d.Code != connect.CodeInvalidArgument || len(d.FieldViolations) != len(names) {
		t.Fatalf("code %v with %d field violations, want invalid_argument with %d", d.Code, len(d.FieldViolations), len(names))
	}
}

func TestValidateAcceptsGoodValues(t *testing.T) {
	t.Parallel()
	good := map[string]string{
		"OTEL_SDK_DISABLED":           "FALSE",
		"OTEL_SERVICE_NAME":           "adr",
		"OTEL_RESOURCE_ATTRIBUTES":    "deployment.environment=prod, team=core%20platform",
		"OTEL_EXPORTER_OTLP_ENDPOINT": "https://collector.example:4318",
		"OTEL_EXPORTER_OTLP_PROTOCOL": "grpc",
		"OTEL_EXPORTER_OTLP_HEADERS":  "api-key=abc",
		"OTEL_TRACES_SAMPLER":         "parentbased_traceidratio",
		"OTEL_TRACES_SAMPLER_ARG":     "0.25",
		"LOG_LEVEL":                   "warn",
		"LOG_FORMAT":                  "text",
	}
	tests := []struct {
		name   string
		change map[string]string
	}{
		{"all set", nil},
		{"nothing set", map[string]string{}},
		{"each sampler", map[string]string{"OTEL_TRACES_SAMPLER": "always_off"}},
		{"exemplars off", map[string]string{"OTEL_METRICS_EXEMPLAR_FILTER": "always_off"}},
		{"exemplars always", map[string]string{"OTEL_METRICS_EXEMPLAR_FILTER": "ALWAYS_ON"}},
		{"exemplars by trace", map[string]string{"OTEL_METRICS_EXEMPLAR_FILTER": "trace_based"}},
		{"traces endpoint", map[string]string{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://127.0.0.1:1/v1/traces"}},
		{"exporter off", map[string]string{"OTEL_TRACES_EXPORTER": "none", "OTEL_EXPORTER_OTLP_ENDPOINT": "not a url"}},
		{"enum values in any case", map[string]string{"OTEL_TRACES_SAMPLER": "ParentBased_TraceIdRatio",
			"OTEL_EXPORTER_OTLP_PROTOCOL": "GRPC", "OTEL_TRACES_EXPORTER": "OTLP", "LOG_FORMAT": "JSON"}},
		{"timeouts", map[string]string{"OTEL_EXPORTER_OTLP_TIMEOUT": "30000", "OTEL_EXPORTER_OTLP_TRACES_TIMEOUT": "500"}},
		{"propagators", map[string]string{"OTEL_PROPAGATORS": "TraceContext, baggage"}},
		{"no propagation", map[string]string{"OTEL_PROPAGATORS": "none"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			env := maps.Clone(good)
			if tc.change != nil && len(tc.change) == 0 {
				env = map[string]string{}
			}
			maps.Copy(env, tc.change)
			if err := (observability.Config{Getenv: envOf(env)}).Validate(); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestValidateNamesTheVariableThatHoldsTheValue checks that a bad value in a
// signal-specific variable is reported under that variable, not the generic
// one the user did not set, and that every unsupported sampler is named.
func TestValidateNamesTheVariableThatHoldsTheValue(t *testing.T) {
	t.Parallel()
	err := observability.Config{Getenv: envOf(map[string]string{
		"OTEL_EXPORTER_OTLP_TRACES_HEADERS":  "authorization=Bearer%zz-super-secret",
		"OTEL_EXPORTER_OTLP_TRACES_PROTOCOL": "http/json",
		"OTEL_EXPORTER_OTLP_TRACES_TIMEOUT":  "10s",
		"OTEL_TRACES_SAMPLER":                "jaeger_remote",
	})}.Validate()
	if err == nil {
		t.Fatal("Validate accepted bad values")
	}
	d := errs.From(err)
	var got []string
	for _, v := range d.FieldViolations {
		got = append(got, v.GetField())
	}
	want := []string{"OTEL_EXPORTER_OTLP_TRACES_HEADERS", "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL",
		"OTEL_EXPORTER_OTLP_TRACES_TIMEOUT", "OTEL_TRACES_SAMPLER"}
	if !slices.Equal(got, want) {
		t.Fatalf("violations under %v, want %v (%v)", got, want, err)
	}
	if strings.Contains(err.Error(), "super-secret") {
		t.Fatalf("error shows the headers' value: %v", err)
	}
	for _, sampler := range []string{"xray", "parentbased_jaeger_remote"} {
		err := observability.Config{Getenv: envOf(map[string]string{"OTEL_TRACES_SAMPLER": sampler})}.Validate()
		if err == nil || !strings.Contains(err.Error(), "OTEL_TRACES_SAMPLER:") || !strings.Contains(err.Error(), sampler) {
			t.Fatalf("sampler %s: %v", sampler, err)
		}
	}
}

// TestPropagatorsFromEnv checks OTEL_PROPAGATORS: the propagators it names
// are the ones used, and one footing does not ship is reported by name
// rather than silently replaced by W3C (which would break the caller's traces).
func TestPropagatorsFromEnv(t *testing.T) {
	t.Parallel()
	tests := []struct {
		value  string
		fields string
	}{
		{"", "baggage,traceparent,tracestate"},
		{"tracecontext", "traceparent,tracestate"},
		{"baggage", "baggage"},
		{"none", ""},
	}
	for _, tc := range tests {
		tel, err := observability.New(context.Background(), observability.Config{
			Getenv: envOf(map[string]string{"OTEL_PROPAGATORS": tc.value}), LogWriter: io.Discard,
		})
		if err != nil {
			t.Fatalf("%q: %v", tc.value, err)
		}
		// Sorted: the composite propagator lists its fields in map order.
		fields := tel.Propagator().Fields()
		slices.Sort(fields)
		if got := strings.Join(fields, ","); got != tc.fields {
			t.Errorf("OTEL_PROPAGATORS=%q: fields %q, want %q", tc.value, got, tc.fields)
		}
		_ = tel.Shutdown(context.Background())
	}
	err := observability.Config{Getenv: envOf(map[string]string{"OTEL_PROPAGATORS": "tracecontext,b3multi"})}.Validate()
	if err == nil || !strings.Contains(err.Error(), "OTEL_PROPAGATORS:") || !strings.Contains(err.Error(), "b3multi") {
		t.Fatalf("OTEL_PROPAGATORS=tracecontext,b3multi: %v", err)
	}
}

func TestParseKeyValues(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    map[string]string
		wantErr bool
	}{
		{"", nil, false},
		{"a=1", map[string]string{"a": "1"}, false},
		{" a = 1 , b=x%2Cy ,,", map[string]string{"a": "1", "b": "x,y"}, false},
		{"a=", map[string]string{"a": ""}, false},
		{"a=b=c", map[string]string{"a": "b=c"}, false},
		{"novalue", nil, true},
		{"=v", nil, true},
		{"a=%", nil, true},
		{"a b=1", nil, true},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			t.Parallel()
			got, err := observability.ParseKeyValues(tc.in)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, want error %v", err, tc.wantErr)
			}
			if !tc.wantErr && !maps.Equal(got, tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
		})
	}
}

// FuzzParseKeyValues checks that any input parses or fails cleanly, that errors
// never repeat a value (it may be a credential), and that what parses has keys
// that survive a second round.
func FuzzParseKeyValues(f *testing.F) {
	for _, s := range []string{"a=1,b=2", "k=%41%42", "x", "=,=", "a=%zz", " a = b ", "k=v,k=w", "\x00=\x01"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := observability.ParseKeyValues(s)
		if err != nil {
			for _, item := range strings.Split(s, ",") {
				_, v, _ := strings.Cut(item, "=")
				if v = strings.TrimSpace(v); len(v) >= 4 && strings.Contains(err.Error(), v) {
					t.Fatalf("error %q repeats the value %q", err, v)
				}
			}
			return
		}
		for k := range m {
			if k == "" || strings.ContainsAny(k, " ,=") {
				t.Fatalf("key %q from %q", k, s)
			}
		}
	})
}

// TestValidateNeverEchoesAnEndpointsSecrets: a bad endpoint is echoed in the
// error to help fix it, but a query string or fragment (some collectors take
// an API key there) and user info are not: the error went to logs whole.
func TestValidateNeverEchoesAnEndpointsSecrets(t *testing.T) {
	t.Parallel()
	const s = "hunter2s3cr3t"
	for _, endpoint := range []string{
		"ftp://collector:4318/?api_key=" + s,
		"collector:4318/v1/traces?x=1&token=" + s,
		"http://collector:bad port/?api-key=" + s,
		"grpc://collector:4317#" + s,
		"ftp://ingest:" + s + "@collector:4318/",
		"http://ingest:" + s + "%zz@collector/",
	} {
		for _, name := range []string{"OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"} {
			err := observability.Config{Getenv: envOf(map[string]string{name: endpoint})}.Validate()
			if err == nil || !strings.Contains(err.Error(), name) {
				t.Fatalf("%s=%q: error %v, want one naming the variable", name, endpoint, err)
			}
			if strings.Contains(err.Error(), s) {
				t.Fatalf("%s=%q: the error shows the secret: %v", name, endpoint, err)
			}
		}
	}
}

// TestValidateRefusesDurationsThatOverflow: a number of milliseconds too large
// for a time.Duration passed as positive and wrapped to a negative duration: a
// negative export timeout fails every export at once, a negative batch delay
// makes the span processor's timer fire without pause.
func TestValidateRefusesDurationsThatOverflow(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"OTEL_EXPORTER_OTLP_TIMEOUT", "OTEL_EXPORTER_OTLP_TRACES_TIMEOUT", "OTEL_BSP_SCHEDULE_DELAY"} {
		for _, v := range []string{"9223372036855", "100000000000000"} {
			err := observability.Config{Getenv: envOf(map[string]string{name: v})}.Validate()
			if err == nil || !strings.Contains(err.Error(), name+":") {
				t.Errorf("%s=%s: error %v, want one naming the variable", name, v, err)
			}
		}
	}
	for _, cfg := range []observability.Config{{Timeout: -time.Second}, {BatchTimeout: -time.Second}} {
		if err := cfg.Validate(); err == nil {
			t.Errorf("Validate accepted %+v", cfg)
		}
	}
	// The largest the SDK can wait is fine.
	if err := (observability.Config{Getenv: envOf(map[string]string{"OTEL_BSP_SCHEDULE_DELAY": "86400000"})}).Validate(); err != nil {
		t.Fatal(err)
	}
}

// TestValidateRefusesNaNRatio: "NaN" parses as a float and is neither below 0
// nor above 1, so it passed as a sampling ratio; the ratio sampler then turns
// it into an arbitrary bound (all or nothing, depending on the CPU).
func TestValidateRefusesNaNRatio(t *testing.T) {
	t.Parallel()
	for _, v := range []string{"NaN", "nan", "-nan", "+Inf", "0x1p-2"} {
		err := observability.Config{Getenv: envOf(map[string]string{
			"OTEL_TRACES_SAMPLER": "parentbased_traceidratio", "OTEL_TRACES_SAMPLER_ARG": v,
		})}.Validate()
		if v == "0x1p-2" { // a hexadecimal float is a number: 0.25
			if err != nil {
				t.Errorf("%s: %v", v, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), "OTEL_TRACES_SAMPLER_ARG:") {
			t.Errorf("OTEL_TRACES_SAMPLER_ARG=%s: error %v, want one naming the variable", v, err)
		}
	}
}

// TestValidateBoundsCertificateFiles: Validate read a certificate or key file
// whole, whatever it was: a variable set to /dev/zero or /dev/stdin, or to a
// huge file by mistake, made it eat memory without end or block for good.
// Files over 1 MiB are refused, by name, without being read.
func TestValidateBoundsCertificateFiles(t *testing.T) {
	t.Parallel()
	big := filepath.Join(t.TempDir(), "big.pem")
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(1<<20 + 1); err != nil { // sparse: no disk used
		t.Fatal(err)
	}
	_ = f.Close()
	dev := map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "https://collector:4318", "OTEL_EXPORTER_OTLP_CERTIFICATE": os.DevNull}
	if err := (observability.Config{Getenv: envOf(dev)}).Validate(); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Fatalf("%s: error %v, want one saying it is not a regular file", os.DevNull, err)
	}
	for _, name := range []string{"OTEL_EXPORTER_OTLP_CERTIFICATE", "OTEL_EXPORTER_OTLP_TRACES_CLIENT_KEY"} {
		env := map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "https://collector:4318", name: big}
		if strings.Contains(name, "CLIENT_KEY") {
			env["OTEL_EXPORTER_OTLP_TRACES_CLIENT_CERTIFICATE"] = big
		}
		err := observability.Config{Getenv: envOf(env)}.Validate()
		if err == nil || !strings.Contains(err.Error(), name+": ") || !strings.Contains(err.Error(), "larger than 1 MiB") {
			t.Fatalf("%s=%s: error %v, want one saying the file is too large", name, big, err)
		}
	}
}

// TestResourceMustBeUTF8: the resource goes with every span batch as protobuf
// strings, which must be UTF-8. OTEL_RESOURCE_ATTRIBUTES percent-encoded in
// Latin-1 ("team=caf%E9") was accepted, and the exporter then failed to
// marshal every batch for as long as the process ran: no span ever reached
// the collector, and Setup had said nothing. It is reported by name.
func TestResourceMustBeUTF8(t *testing.T) {
	t.Parallel()
	for i, tc := range []struct {
		name string
		cfg  observability.Config
	}{
		{"OTEL_RESOURCE_ATTRIBUTES", observability.Config{Getenv: envOf(map[string]string{"OTEL_RESOURCE_ATTRIBUTES": "ok=1,team=caf%E9"})}},
		{"OTEL_RESOURCE_ATTRIBUTES", observability.Config{Getenv: envOf(map[string]string{"OTEL_RESOURCE_ATTRIBUTES": "service.version=%FF"})}},
		{"OTEL_RESOURCE_ATTRIBUTES", observability.Config{Getenv: envOf(nil), ResourceAttributes: map[string]string{"k\xff": "v"}}},
		{"OTEL_SERVICE_NAME", observability.Config{Getenv: envOf(map[string]string{"OTEL_SERVICE_NAME": "caf\xe9"})}},
		{"OTEL_RESOURCE_ATTRIBUTES", observability.Config{Getenv: envOf(nil), ServiceVersion: "v1\xff"}},
	} {
		cfg := tc.cfg
		cfg.LogWriter = io.Discard
		err := cfg.Validate()
		if err == nil || !strings.Contains(err.Error(), tc.name+":") {
			t.Errorf("case %d: error %v, want one naming %s", i, err, tc.name)
			continue
		}
		if n := len(errs.From(err).FieldViolations); n != 1 {
			t.Errorf("case %d: %d problems reported, want 1: %v", i, n, err)
		}
		if _, err := observability.New(context.Background(), cfg); err == nil {
			t.Errorf("case %d: New accepted it", i)
		}
	}
	// Valid UTF-8 is kept.
	if err := (observability.Config{Getenv: envOf(map[string]string{"OTEL_RESOURCE_ATTRIBUTES": "team=caf%C3%A9"})}).Validate(); err != nil {
		t.Fatal(err)
	}
}

// TestHeadersTheExporterCannotSendAreReported: OTEL_EXPORTER_OTLP_HEADERS took
// any name but one with spaces, quotes or control bytes, and any value once
// percent-decoded: a name that is not an HTTP token ("x-key:", "x(key)"), a
// value with a control byte ("%0A"), or for gRPC a non-ASCII value, was
// accepted, and then every export failed, for as long as the process ran.
// Each is reported under the variable's name, naming the header, never its
// value.
func TestHeadersTheExporterCannotSendAreReported(t *testing.T) {
	t.Parallel()
	const secret = "s3cr3t"
	for i, tc := range []struct {
		env  map[string]string
		cfg  observability.Config
		name string
	}{
		{env: map[string]string{"OTEL_EXPORTER_OTLP_HEADERS": "ok=1,x-key:=" + secret}, name: "OTEL_EXPORTER_OTLP_HEADERS"},
		{env: map[string]string{"OTEL_EXPORTER_OTLP_HEADERS": "x(key)=" + secret}, name: "OTEL_EXPORTER_OTLP_HEADERS"},
		{env: map[string]string{"OTEL_EXPORTER_OTLP_TRACES_HEADERS": "x-key=" + secret + "%0Amore"}, name: "OTEL_EXPORTER_OTLP_TRACES_HEADERS"},
		{env: map[string]string{"OTEL_EXPORTER_OTLP_HEADERS": "x-key=" + secret + "%7F"}, name: "OTEL_EXPORTER_OTLP_HEADERS"},
		{env: map[string]string{"OTEL_EXPORTER_OTLP_PROTOCOL": "grpc", "OTEL_EXPORTER_OTLP_HEADERS": "x-key=caf%C3%A9" + secret}, name: "OTEL_EXPORTER_OTLP_HEADERS"},
		{env: map[string]string{"OTEL_EXPORTER_OTLP_PROTOCOL": "grpc", "OTEL_EXPORTER_OTLP_HEADERS": "x+key=" + secret}, name: "OTEL_EXPORTER_OTLP_HEADERS"},
		{cfg: observability.Config{Headers: map[string]string{"Authorization": "Bearer " + secret + "\r\n"}}, name: "OTEL_EXPORTER_OTLP_HEADERS"},
	} {
		cfg := tc.cfg
		cfg.Getenv = envOf(tc.env)
		err := cfg.Validate()
		if err == nil || !strings.Contains(err.Error(), tc.name+":") {
			t.Errorf("case %d: error %v, want one naming %s", i, err, tc.name)
			continue
		}
		if n := len(errs.From(err).FieldViolations); n != 1 {
			t.Errorf("case %d: %d problems reported, want 1: %v", i, n, err)
		}
		if strings.Contains(err.Error(), secret) {
			t.Errorf("case %d: the error shows the value: %v", i, err)
		}
	}
	for i, env := range []map[string]string{
		{"OTEL_EXPORTER_OTLP_HEADERS": "Authorization=Bearer%20abc,x-honeycomb-team=k,api.key=a%09b"},
		{"OTEL_EXPORTER_OTLP_HEADERS": "x-team=caf%C3%A9"},
		{"OTEL_EXPORTER_OTLP_PROTOCOL": "grpc", "OTEL_EXPORTER_OTLP_HEADERS": "authorization=Bearer%20abc,trace-bin=%00%FF"},
	} {
		if err := (observability.Config{Getenv: envOf(env)}).Validate(); err != nil {
			t.Errorf("good headers %d refused: %v", i, err)
		}
	}
}

// TestEndpointPartsTheExporterDropsAreReported: the OTLP exporter sends to an
// endpoint's host and path only. User info ("https://user:KEY@collector")
// and a query ("…/v1/traces?api_key=KEY", which some vendors document) were
// accepted and then dropped: every export was refused by the collector for
// want of the credential, for as long as the process ran; and a base
// endpoint with a query got /v1/traces appended to the query, not the path.
// Each is reported by name, without the credential.
func TestEndpointPartsTheExporterDropsAreReported(t *testing.T) {
	t.Parallel()
	const s = "hunter2s3cr3t"
	for _, endpoint := range []string{
		"https://ingest:" + s + "@collector:4318",
		"https://" + s + "@collector:4318/",
		"https://collector:4318/v1/traces?api_key=" + s,
		"http://collector:4318/?",
		"http://collector:4318/#" + s,
	} {
		for _, env := range []map[string]string{
			{"OTEL_EXPORTER_OTLP_ENDPOINT": endpoint},
			{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": endpoint},
			{"OTEL_EXPORTER_OTLP_ENDPOINT": endpoint, "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"},
		} {
			var name string
			for k := range env {
				if strings.HasSuffix(k, "ENDPOINT") {
					name = k
				}
			}
			err := observability.Config{Getenv: envOf(env)}.Validate()
			if err == nil || !strings.Contains(err.Error(), name+":") {
				t.Errorf("%v: error %v, want one naming %s", env, err, name)
				continue
			}
			if strings.Contains(err.Error(), s) {
				t.Errorf("%v: the error shows the secret: %v", env, err)
			}
		}
	}
	for _, endpoint := range []string{"https://collector:4318", "http://collector:4318/otlp/", "https://collector/v1/traces"} {
		if err := (observability.Config{Getenv: envOf(map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": endpoint})}).Validate(); err != nil {
			t.Errorf("%s refused: %v", endpoint, err)
		}
	}
}
