package examples_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/footingdev/footing/examples/app"
	"github.com/footingdev/footing/gatewaycore/config"
	"github.com/footingdev/footing/observability"
)

// No cluster and no Docker engine run where footing is built, so the deployment
// files cannot be applied here. These tests hold them to the service instead:
// every variable they set is one the service reads, their values load through
// the service's own configuration code, and the ports, probes and scrape targets
// agree with each other and with the listeners that configuration opens.

// k8sObject is the part of a Kubernetes object the tests read.
type k8sObject struct {
	Kind     string `yaml:"kind"`
	Metadata struct {
		Name string `yaml:"name"`
	} `yaml:"metadata"`
	Spec yaml.Node `yaml:"spec"`
}

type k8sPort struct {
	Name          string `yaml:"name"`
	ContainerPort int    `yaml:"containerPort"`
	Port          int    `yaml:"port"`
	TargetPort    string `yaml:"targetPort"`
}

type k8sProbe struct {
	HTTPGet struct {
		Path string `yaml:"path"`
		Port string `yaml:"port"`
	} `yaml:"httpGet"`
}

type k8sDeployment struct {
	Template struct {
		Metadata struct {
			Annotations map[string]string `yaml:"annotations"`
		} `yaml:"metadata"`
		Spec struct {
			TerminationGracePeriodSeconds int `yaml:"terminationGracePeriodSeconds"`
			Containers                    []struct {
				Name string   `yaml:"name"`
				Args []string `yaml:"args"`
				Env  []struct {
					Name  string `yaml:"name"`
					Value string `yaml:"value"`
				} `yaml:"env"`
				EnvFrom []struct {
					SecretRef struct {
						Name string `yaml:"name"`
					} `yaml:"secretRef"`
				} `yaml:"envFrom"`
				Ports          []k8sPort `yaml:"ports"`
				ReadinessProbe k8sProbe  `yaml:"readinessProbe"`
				LivenessProbe  k8sProbe  `yaml:"livenessProbe"`
				Resources      struct {
					Requests map[string]string `yaml:"requests"`
					Limits   map[string]string `yaml:"limits"`
				} `yaml:"resources"`
				SecurityContext struct {
					RunAsNonRoot             *bool `yaml:"runAsNonRoot"`
					RunAsUser                *int  `yaml:"runAsUser"`
					AllowPrivilegeEscalation *bool `yaml:"allowPrivilegeEscalation"`
					ReadOnlyRootFilesystem   *bool `yaml:"readOnlyRootFilesystem"`
					Capabilities             struct {
						Drop []string `yaml:"drop"`
					} `yaml:"capabilities"`
				} `yaml:"securityContext"`
			} `yaml:"containers"`
		} `yaml:"spec"`
	} `yaml:"template"`
}

type k8sService struct {
	Ports []k8sPort `yaml:"ports"`
}

type k8sNetworkPolicy struct {
	Ingress []struct {
		From []struct {
			NamespaceSelector *struct {
				MatchLabels map[string]string `yaml:"matchLabels"`
			} `yaml:"namespaceSelector"`
		} `yaml:"from"`
		Ports []struct {
			Port int `yaml:"port"`
		} `yaml:"ports"`
	} `yaml:"ingress"`
}

// k8sSecrets are the variables deploy/kubernetes.yaml says come from the Secret
// adr-server (its header comment), with values of the right shape.
var k8sSecrets = map[string]string{
	"DATABASE_URL":   "postgres://footing_app:x@postgres:5432/adr?sslmode=require",
	"REDIS_URL":      "redis://redis:6379/0",
	"PAGE_TOKEN_KEY": "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=", // 32 bytes
}

func readK8s(t *testing.T) map[string]k8sObject {
	t.Helper()
	raw, err := os.ReadFile("deploy/kubernetes.yaml")
	if err != nil {
		t.Fatal(err)
	}
	objects := map[string]k8sObject{}
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	for {
		var o k8sObject
		if err := dec.Decode(&o); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("deploy/kubernetes.yaml: %v", err)
		}
		if _, dup := objects[o.Kind]; dup {
			t.Fatalf("deploy/kubernetes.yaml: two objects of kind %s (the test reads one of each)", o.Kind)
		}
		objects[o.Kind] = o
	}
	for _, kind := range []string{"Deployment", "Service", "NetworkPolicy"} {
		if _, ok := objects[kind]; !ok {
			t.Fatalf("deploy/kubernetes.yaml: no %s", kind)
		}
	}
	return objects
}

func decodeSpec(t *testing.T, o k8sObject, into any) {
	t.Helper()
	if err := o.Spec.Decode(into); err != nil {
		t.Fatalf("%s %s: %v", o.Kind, o.Metadata.Name, err)
	}
}

// serviceVariables returns the names the service reads: app.Config's (through
// gatewaycore/config) and observability's (recorded as Setup's validation asks
// for them).
func serviceVariables(t *testing.T) map[string]bool {
	t.Helper()
	names := map[string]bool{}
	for _, v := range config.Describe(&app.Config{}) {
		names[v.Name] = true
	}
	record := func(name string) string { names[name] = true; return "" }
	if err := (observability.Config{Getenv: record}).Validate(); err != nil {
		t.Fatalf("observability with an empty environment: %v", err)
	}
	return names
}

// loadService loads the service's configuration and validates observability's
// from env alone, as `adr-server serve` would in that environment.
func loadService(env map[string]string) (app.Config, error) {
	lookup := func(name string) (string, bool) { v, ok := env[name]; return v, ok }
	cfg, err := app.LoadConfig(false, config.WithLookup(lookup))
	if err == nil {
		err = cfg.Validate()
	}
	obsErr := observability.Config{Getenv: func(name string) string { return env[name] }}.Validate()
	return cfg, errors.Join(err, obsErr)
}

func portOf(t *testing.T, name, addr string) int {
	t.Helper()
	_, p, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatalf("%s=%q: %v", name, addr, err)
	}
	n, err := strconv.Atoi(p)
	if err != nil {
		t.Fatalf("%s=%q: port %q", name, addr, p)
	}
	return n
}

func TestKubernetesManifestMatchesTheService(t *testing.T) {
	objects := readK8s(t)
	var d k8sDeployment
	decodeSpec(t, objects["Deployment"], &d)
	if n := len(d.Template.Spec.Containers); n != 1 {
		t.Fatalf("Deployment: %d containers, want 1", n)
	}
	c := d.Template.Spec.Containers[0]
	if !slices.Equal(c.Args, []string{"serve"}) {
		t.Errorf("container args %q, want [serve]", c.Args)
	}
	if len(c.EnvFrom) != 1 || c.EnvFrom[0].SecretRef.Name != "adr-server" {
		t.Errorf("envFrom %+v, want the Secret adr-server (the manifest's comment says so)", c.EnvFrom)
	}

	// Every variable set is one the service reads, and none carries a secret in
	// the clear: secrets come from the Secret.
	known := serviceVariables(t)
	secret := map[string]bool{}
	for _, v := range config.Describe(&app.Config{}) {
		secret[v.Name] = v.Secret
	}
	env := map[string]string{}
	for _, e := range c.Env {
		if goRuntime[e.Name] {
			continue // read by the Go runtime, not the service
		}
		if !known[e.Name] {
			t.Errorf("env %s: the service reads no such variable", e.Name)
		}
		if secret[e.Name] {
			t.Errorf("env %s: a secret, set in the clear in the manifest (put it in the Secret)", e.Name)
		}
		env[e.Name] = e.Value
	}

	// With the Secret, the manifest's environment is a valid configuration;
	// without one of the Secret's required variables, the service refuses to
	// start, naming it.
	for name, v := range k8sSecrets {
		if !known[name] || !secret[name] {
			t.Errorf("Secret variable %s: the service reads no such secret", name)
		}
		env[name] = v
	}
	for _, name := range []string{"DATABASE_URL", "PAGE_TOKEN_KEY"} {
		without := maps.Clone(env)
		delete(without, name)
		if _, err := loadService(without); err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("the manifest's env without the Secret's %s: error %v, want one naming it", name, err)
		}
	}
	cfg, err := loadService(env)
	if err != nil {
		t.Fatalf("the manifest's env with the Secret does not load: %v", err)
	}
	if cfg.Dev {
		t.Error("the manifest runs the service in dev mode")
	}

	// The listeners the configuration opens are the container's ports.
	ports := map[string]int{}
	for _, p := range c.Ports {
		ports[p.Name] = p.ContainerPort
	}
	if got, want := ports["http"], portOf(t, "ADDR", cfg.Server.Addr); got != want {
		t.Errorf("containerPort http = %d, but ADDR listens on %d", got, want)
	}
	if cfg.Server.AdminAddr == "" {
		t.Fatal("the manifest serves no admin listener: Prometheus's annotations point at nothing")
	}
	adminPort := portOf(t, "ADMIN_ADDR", cfg.Server.AdminAddr)
	if host, _, _ := net.SplitHostPort(cfg.Server.AdminAddr); host == "127.0.0.1" || host == "localhost" {
		t.Errorf("ADMIN_ADDR %s is loopback: nothing outside the pod can scrape it", cfg.Server.AdminAddr)
	}
	if ports["admin"] != adminPort {
		t.Errorf("containerPort admin = %d, but ADMIN_ADDR listens on %d", ports["admin"], adminPort)
	}
	ann := d.Template.Metadata.Annotations
	if ann["prometheus.io/port"] != strconv.Itoa(adminPort) || ann["prometheus.io/path"] != "/metrics" {
		t.Errorf("Prometheus annotations %v: want port %d (the admin listener), path /metrics", ann, adminPort)
	}

	// Probes ask the serving port (a named container port) for health's paths.
	for name, probe := range map[string]struct {
		p    k8sProbe
		path string
	}{"readiness": {c.ReadinessProbe, "/readyz"}, "liveness": {c.LivenessProbe, "/healthz"}} {
		if probe.p.HTTPGet.Path != probe.path || probe.p.HTTPGet.Port != "http" {
			t.Errorf("%s probe %+v: want %s on port http", name, probe.p.HTTPGet, probe.path)
		}
	}

	// Kubernetes kills the pod after the grace period: it must outlast the drain,
	// the in-flight deadline and the closers.
	budget := cfg.Server.DrainDelay + cfg.Server.ShutdownTimeout + cfg.Server.CloseTimeout
	if grace := d.Template.Spec.TerminationGracePeriodSeconds; float64(grace) <= budget.Seconds() {
		t.Errorf("terminationGracePeriodSeconds %d ≤ DRAIN_DELAY + SHUTDOWN_TIMEOUT + CLOSE_TIMEOUT = %s: "+
			"the pod is killed mid-shutdown", grace, budget)
	}

	// Copied as is, the pod must not be BestEffort (the first evicted, and free to
	// take the node's memory), and must run as the image's non-root user with
	// nothing it does not need: the Dockerfile's USER is not enforced by the
	// cluster unless the pod asks for runAsNonRoot.
	for _, r := range []string{"cpu", "memory"} {
		if c.Resources.Requests[r] == "" {
			t.Errorf("container resources: no %s request (the pod is scheduled blind and evicted first)", r)
		}
	}
	if c.Resources.Limits["memory"] == "" {
		t.Error("container resources: no memory limit (one leaking pod can take the node's memory)")
	}
	// With a memory limit, the Go runtime must know it (GOMEMLIMIT), a little under it:
	// without it the heap grows to twice the live data before a collection, and the
	// kernel kills the pod where the collector would have kept it alive.
	var memLimit string
	for _, e := range c.Env {
		if e.Name == "GOMEMLIMIT" {
			memLimit = e.Value
		}
	}
	if limit := c.Resources.Limits["memory"]; limit != "" {
		soft, okSoft := goMemBytes(memLimit)
		hard, okHard := k8sMemBytes(limit)
		switch {
		case memLimit == "":
			t.Errorf("no GOMEMLIMIT beside the memory limit %s: the heap may grow past it before a collection", limit)
		case !okSoft || !okHard:
			t.Errorf("GOMEMLIMIT %q or limits.memory %q not understood", memLimit, limit)
		case soft >= hard || soft < hard*8/10:
			t.Errorf("GOMEMLIMIT %s is not 80–99 %% of limits.memory %s", memLimit, limit)
		}
	}
	sc := c.SecurityContext
	if sc.RunAsNonRoot == nil || !*sc.RunAsNonRoot {
		t.Error("securityContext.runAsNonRoot not true: an image run as root would start")
	}
	// The kubelet can verify runAsNonRoot only against a numeric user: with the
	// image's USER nonroot (a name) and no runAsUser, it refuses to start the pod.
	if sc.RunAsUser == nil || *sc.RunAsUser == 0 {
		user := dockerfileUser(t)
		if uid, err := strconv.Atoi(strings.Split(user, ":")[0]); err != nil || uid == 0 {
			t.Errorf("no securityContext.runAsUser, and the Dockerfile's USER %q is not a numeric non-root user: "+
				"the kubelet cannot verify runAsNonRoot and does not start the pod", user)
		}
	}
	if sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation {
		t.Error("securityContext.allowPrivilegeEscalation not false")
	}
	if sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem {
		t.Error("securityContext.readOnlyRootFilesystem not true (the service writes no files)")
	}
	if !slices.Contains(sc.Capabilities.Drop, "ALL") {
		t.Errorf("securityContext.capabilities.drop %q, want ALL (the service binds ports above 1024)", sc.Capabilities.Drop)
	}

	// The public Service carries the API port only.
	var svc k8sService
	decodeSpec(t, objects["Service"], &svc)
	for _, p := range svc.Ports {
		if p.TargetPort != "http" {
			t.Errorf("Service port %s targets %q: only the API port (http) is public", p.Name, p.TargetPort)
		}
	}

	// The NetworkPolicy admits anyone to the API port and only the monitoring
	// namespace to the admin port.
	var np k8sNetworkPolicy
	decodeSpec(t, objects["NetworkPolicy"], &np)
	apiOpen, adminRule := false, false
	for _, rule := range np.Ingress {
		for _, p := range rule.Ports {
			switch p.Port {
			case ports["http"]:
				apiOpen = apiOpen || len(rule.From) == 0
			case adminPort:
				adminRule = true
				if len(rule.From) == 0 {
					t.Errorf("NetworkPolicy admits everyone to the admin port %d", adminPort)
				}
				for _, f := range rule.From {
					if f.NamespaceSelector == nil || f.NamespaceSelector.MatchLabels["kubernetes.io/metadata.name"] != "monitoring" {
						t.Errorf("NetworkPolicy admits %+v to the admin port, want the monitoring namespace only", f)
					}
				}
			default:
				t.Errorf("NetworkPolicy opens port %d, which the service does not listen on", p.Port)
			}
		}
	}
	if !apiOpen || !adminRule {
		t.Errorf("NetworkPolicy: API port open to all %v, admin port rule present %v; want both", apiOpen, adminRule)
	}
}

// dockerfileUser returns the user the Dockerfile's final stage runs as.
func dockerfileUser(t *testing.T) string {
	t.Helper()
	raw, err := os.ReadFile("Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	user := ""
	for _, line := range strings.Split(string(raw), "\n") {
		fields := strings.Fields(line)
		switch {
		case len(fields) >= 1 && strings.EqualFold(fields[0], "FROM"):
			user = "" // a new stage starts as root
		case len(fields) == 2 && strings.EqualFold(fields[0], "USER"):
			user = fields[1]
		}
	}
	return user
}

// composeFile is the part of docker-compose.yml the test reads.
type composeFile struct {
	Services map[string]struct {
		Command     []string          `yaml:"command"`
		Environment map[string]string `yaml:"environment"`
		Ports       []string          `yaml:"ports"`
		Expose      []string          `yaml:"expose"`
	} `yaml:"services"`
}

type prometheusFile struct {
	ScrapeConfigs []struct {
		JobName       string `yaml:"job_name"`
		MetricsPath   string `yaml:"metrics_path"`
		StaticConfigs []struct {
			Targets []string `yaml:"targets"`
		} `yaml:"static_configs"`
	} `yaml:"scrape_configs"`
}

func readYAML(t *testing.T, path string, into any) {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(false)
	if err := dec.Decode(into); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

func TestComposeMatchesTheService(t *testing.T) {
	var compose composeFile
	readYAML(t, "docker-compose.yml", &compose)
	srv, ok := compose.Services["adr-server"]
	if !ok {
		t.Fatal("docker-compose.yml: no adr-server service")
	}
	known := serviceVariables(t)
	for name := range srv.Environment {
		if !known[name] {
			t.Errorf("adr-server environment %s: the service reads no such variable", name)
		}
	}
	cfg, err := loadService(srv.Environment)
	if err != nil {
		t.Fatalf("adr-server's environment in docker-compose.yml does not load: %v", err)
	}
	// The compose file runs dev mode with known database and Redis passwords (Redis
	// has none): what it publishes on the host must be the host's alone, never every
	// interface of a laptop on a shared network.
	for name, s := range compose.Services {
		for _, p := range s.Ports {
			if !strings.HasPrefix(p, "127.0.0.1:") {
				t.Errorf("%s publishes %q on every host interface, want 127.0.0.1:%s", name, p, p)
			}
		}
	}
	apiPort := portOf(t, "ADDR", cfg.Server.Addr)
	if want := fmt.Sprintf("127.0.0.1:%d:%d", apiPort, apiPort); !slices.Contains(srv.Ports, want) {
		t.Errorf("adr-server publishes %q, want the API port %s", srv.Ports, want)
	}
	if cfg.Server.AdminAddr == "" {
		t.Fatal("docker-compose.yml serves no admin listener, but Prometheus scrapes one")
	}
	adminPort := strconv.Itoa(portOf(t, "ADMIN_ADDR", cfg.Server.AdminAddr))
	for _, p := range srv.Ports {
		if strings.HasSuffix(p, ":"+adminPort) {
			t.Errorf("adr-server publishes the admin port on the host (%s)", p)
		}
	}
	if !slices.Contains(srv.Expose, adminPort) {
		t.Errorf("adr-server exposes %q, want the admin port %s on the compose network", srv.Expose, adminPort)
	}

	var prom prometheusFile
	readYAML(t, "deploy/prometheus.yml", &prom)
	var targets []string
	for _, sc := range prom.ScrapeConfigs {
		if sc.JobName != "adr-server" {
			continue
		}
		if sc.MetricsPath != "/metrics" {
			t.Errorf("Prometheus scrapes %s, want /metrics", sc.MetricsPath)
		}
		for _, st := range sc.StaticConfigs {
			targets = append(targets, st.Targets...)
		}
	}
	if want := "adr-server:" + adminPort; !slices.Equal(targets, []string{want}) {
		t.Errorf("Prometheus targets %q, want [%s] (the admin listener; the API refuses /metrics)", targets, want)
	}
}

// goRuntime names the variables the Go runtime reads, which a manifest may set beside
// the service's own.
var goRuntime = map[string]bool{"GOMEMLIMIT": true, "GOMAXPROCS": true, "GOGC": true, "GODEBUG": true}

// goMemBytes reads a GOMEMLIMIT value: bytes with an optional B, KiB, MiB, GiB or TiB.
func goMemBytes(v string) (int64, bool) {
	return scaled(v, map[string]int64{"": 1, "B": 1, "KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30, "TiB": 1 << 40})
}

// k8sMemBytes reads a Kubernetes memory quantity in the binary or plain forms
// (512Mi, 1Gi, 536870912).
func k8sMemBytes(v string) (int64, bool) {
	return scaled(v, map[string]int64{"": 1, "Ki": 1 << 10, "Mi": 1 << 20, "Gi": 1 << 30, "Ti": 1 << 40})
}

func scaled(v string, units map[string]int64) (int64, bool) {
	i := 0
	for i < len(v) && v[i] >= '0' && v[i] <= '9' {
		i++
	}
	n, err := strconv.ParseInt(v[:i], 10, 64)
	unit, ok := units[v[i:]]
	if err != nil || !ok {
		return 0, false
	}
	return n * unit, true
}
