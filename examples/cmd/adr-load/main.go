// Command adr-load measures the reference service under a fixed request rate.
//
//	go build -o bin/adr-server ./cmd/adr-server
//	go run ./cmd/adr-load -server bin/adr-server -instances 1 -rate 400 -duration 30s
//	go run ./cmd/adr-load -server bin/adr-server -instances 3 -rate 400 -duration 30s
//
// It creates a fresh migrated database (TEST_DATABASE_URL, an administrator's),
// starts an in-process OIDC issuer and N adr-server processes sharing that database
// and REDIS_URL (or TEST_REDIS_URL), seeds ADRs for a set of tenants, then drives
// GetADR and CreateADR over Connect at the given rate, spread over the instances,
// with an open-loop generator (examples/loadgen). It prints throughput, p50/p99
// latency, errors and each server's peak RSS, and removes everything it made.
package main

import (
	"bufio"
	"context"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync/atomic"
	"time"

	"connectrpc.com/connect"
	"github.com/google/uuid"

	"github.com/footingdev/footing/examples/adr"
	adrv1 "github.com/footingdev/footing/examples/gen/go/footing/examples/adr/v1"
	"github.com/footingdev/footing/examples/gen/go/footing/examples/adr/v1/adrv1connect"
	"github.com/footingdev/footing/examples/internal/bearer"
	"github.com/footingdev/footing/examples/loadgen"
	"github.com/footingdev/footing/gatewaycore/auth/authtest"
	"github.com/footingdev/footing/storage/pgtest"
	"github.com/footingdev/footing/storage/rls"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "adr-load:", err)
		os.Exit(1)
	}
}

type options struct {
	server    string
	instances int
	rate      float64
	duration  time.Duration
	tenants   int
	seed      int
	getWeight int
}

func run() error {
	var o options
	flag.StringVar(&o.server, "server", "bin/adr-server", "path to a built adr-server")
	flag.IntVar(&o.instances, "instances", 1, "server processes sharing Postgres and Redis")
	flag.Float64Var(&o.rate, "rate", 400, "requests per second, all instances together")
	flag.DurationVar(&o.duration, "duration", 30*time.Second, "how long to send")
	flag.IntVar(&o.tenants, "tenants", 8, "tenants the load is spread over")
	flag.IntVar(&o.seed, "seed", 50, "ADRs created per tenant before the run")
	flag.IntVar(&o.getWeight, "get-weight", 4, "GetADR requests per CreateADR")
	flag.Parse()
	if o.instances < 1 || o.tenants < 1 || o.seed < 1 {
		return errors.New("-instances, -tenants and -seed must be at least 1")
	}
	return load(context.Background(), o, os.Stdout)
}

// load runs the measurement o describes and writes its report to w.
func load(ctx context.Context, o options, w io.Writer) error {

	db, err := pgtest.Create(ctx, pgtest.WithMigrations(adr.Migrations()))
	if err != nil {
		return err
	}
	defer db.Close() //nolint:errcheck // best-effort cleanup of the benchmark database
	issuer := authtest.NewIssuer()
	defer issuer.Close()

	redisURL := os.Getenv("REDIS_URL")
	if redisURL == "" {
		redisURL = os.Getenv("TEST_REDIS_URL")
	}
	if redisURL == "" {
		redisURL = "redis://127.0.0.1:6379/0"
	}
	key := base64.StdEncoding.EncodeToString([]byte(uuid.NewString() + uuid.NewString()))
	var servers []*server
	defer func() {
		for _, s := range servers {
			s.stop()
		}
	}()
	for i := range o.instances {
		// Each instance on ports of its own, the admin listener's (/metrics) too:
		// its default, 127.0.0.1:9090, would let only the first one start.
		s, err := startServer(o.server, []string{
			"ADDR=127.0.0.1:0", "ADMIN_ADDR=127.0.0.1:0", "DRAIN_DELAY=-1s", "LOG_FORMAT=text", "OTEL_TRACES_EXPORTER=none",
			"DATABASE_URL=" + db.URL(rls.AppRole), "REDIS_URL=" + redisURL,
			"OIDC_ISSUER=" + issuer.URL(), "OIDC_JWKS_URL=" + issuer.JWKSURL(), "OIDC_AUDIENCE=adr-api",
			"PAGE_TOKEN_KEY=" + key, "RATE_LIMIT_PER_SECOND=100000", "RATE_LIMIT_BURST=100000",
			"DB_MAX_CONNS=20",
		})
		if err != nil {
			return fmt.Errorf("instance %d: %w", i, err)
		}
		servers = append(servers, s)
	}

	type tenant struct {
		clients []adrv1connect.ADRServiceClient // one per instance
		ids     []string
	}
	httpClient := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 512}}
	tenants := make([]*tenant, o.tenants)
	for i := range tenants {
		tok := issuer.Mint(authtest.Claims{"aud": "adr-api", "tenant_id": uuid.NewString(), "scope": "adr:read adr:write",
			"exp": time.Now().Add(2 * time.Hour).Unix()})
		t := &tenant{}
		for _, s := range servers {
			t.clients = append(t.clients, adrv1connect.NewADRServiceClient(httpClient, s.url, connect.WithInterceptors(bearer.Token(tok))))
		}
		for j := range o.seed {
			res, err := t.clients[j%len(t.clients)].CreateADR(ctx, connect.NewRequest(&adrv1.CreateADRRequest{Adr: sample(j)}))
			if err != nil {
				return fmt.Errorf("seed: %w", err)
			}
			t.ids = append(t.ids, res.Msg.GetAdr().GetId())
		}
		tenants[i] = t
	}

	var n atomic.Uint64
	pick := func() (adrv1connect.ADRServiceClient, *tenant, uint64) {
		k := n.Add(1)
		t := tenants[k%uint64(len(tenants))]
		return t.clients[(k/uint64(len(tenants)))%uint64(len(t.clients))], t, k
	}
	res, err := loadgen.Run(ctx, loadgen.Config{Rate: o.rate, Duration: o.duration, MaxInFlight: 512},
		loadgen.Op{Name: "GetADR", Weight: o.getWeight, Do: func(ctx context.Context) error {
			c, t, k := pick()
			_, err := c.GetADR(ctx, connect.NewRequest(&adrv1.GetADRRequest{Id: t.ids[k%uint64(len(t.ids))]}))
			return err
		}},
		loadgen.Op{Name: "CreateADR", Weight: 1, Do: func(ctx context.Context) error {
			c, _, k := pick()
			_, err := c.CreateADR(ctx, connect.NewRequest(&adrv1.CreateADRRequest{Adr: sample(int(k))}))
			return err
		}},
	)
	if err != nil {
		return err
	}
	report(w, o, res, servers)
	if res.Errors > 0 {
		return fmt.Errorf("%d requests failed", res.Errors)
	}
	return nil
}

func sample(i int) *adrv1.ADR {
	return &adrv1.ADR{Title: fmt.Sprintf("Decision %d", i), Status: adrv1.Status_STATUS_PROPOSED,
		Context: "load test", Decision: "We measure.", Tags: []string{"load"}}
}

func report(w io.Writer, o options, res loadgen.Result, servers []*server) {
	fmt.Fprintf(w, "instances=%d rate=%.0f/s duration=%s tenants=%d\n", o.instances, o.rate, o.duration, o.tenants)
	fmt.Fprintf(w, "requests=%d errors=%d late=%d throughput=%.1f/s p50=%s p99=%s\n",
		res.Requests, res.Errors, res.Late, res.Throughput, res.P50.Round(time.Microsecond), res.P99.Round(time.Microsecond))
	for _, op := range res.Ops {
		fmt.Fprintf(w, "  %-9s requests=%d errors=%d p50=%s p99=%s max=%s\n", op.Name, op.Requests, op.Errors,
			op.P50.Round(time.Microsecond), op.P99.Round(time.Microsecond), op.Max.Round(time.Microsecond))
		for _, e := range op.FirstErrors {
			fmt.Fprintf(w, "    error: %s\n", e)
		}
	}
	for i, s := range servers {
		served := s.served.Load()
		rss, err := loadgen.PeakRSS(s.cmd.Process.Pid)
		if err != nil {
			fmt.Fprintf(w, "  instance %d: served %d requests, peak RSS unknown: %v\n", i, served, err)
			continue
		}
		fmt.Fprintf(w, "  instance %d: served %d requests, peak RSS %.1f MiB\n", i, served, float64(rss)/(1<<20))
	}
}

type server struct {
	cmd    *exec.Cmd
	url    string
	exited chan error
	// served counts the access-log lines read so far: the requests this
	// instance answered, seeding included.
	served atomic.Uint64
}

var listening = regexp.MustCompile(`adr-server listening.*addr=(\S+)`)

// accessLine marks the access log's lines in the server's text log.
const accessLine = `msg="http request"`

// tailLines is how many of its last log lines a server that exits before it
// listens is reported with.
const tailLines = 20

func startServer(bin string, env []string) (*server, error) {
	cmd := exec.Command(bin, "serve")
	cmd.Env = append(os.Environ(), env...)
	// Text logs: the start-up line names the address; the access log (one line per
	// request, as in production) is read and dropped.
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	s := &server{cmd: cmd, exited: make(chan error, 1)}
	addr := make(chan string, 1)
	var tail []string // the log before the address, for an exit before it
	go func() {
		sc := bufio.NewScanner(stderr)
		up := false
		for sc.Scan() {
			line := sc.Text()
			switch {
			case up:
				if strings.Contains(line, accessLine) {
					s.served.Add(1)
				}
			case listening.MatchString(line):
				up = true
				addr <- strings.Trim(listening.FindStringSubmatch(line)[1], `",`)
			default:
				if tail = append(tail, line); len(tail) > tailLines {
					tail = tail[1:]
				}
			}
		}
		s.exited <- cmd.Wait()
	}()
	select {
	case a := <-addr:
		s.url = "http://" + a
		return s, nil
	case err := <-s.exited:
		// The scanner is done: tail is complete and no longer written.
		return nil, fmt.Errorf("exited before listening: %w; its last lines:\n%s", err, strings.Join(tail, "\n"))
	case <-time.After(60 * time.Second):
		_ = cmd.Process.Kill()
		return nil, errors.New("did not start listening within 60s")
	}
}

func (s *server) stop() {
	_ = s.cmd.Process.Signal(os.Interrupt)
	select {
	case err := <-s.exited:
		if err != nil {
			fmt.Fprintln(os.Stderr, "adr-load: server exited:", err)
		}
	case <-time.After(30 * time.Second):
		_ = s.cmd.Process.Kill()
	}
}
