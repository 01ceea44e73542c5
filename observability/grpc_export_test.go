package observability_test

import (
	"context"
	"io"
	"net"
	"sync"
	"testing"
	"time"

	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"

	"github.com/footingdev/footing/observability"
)

// grpcReceiver is an OTLP/gRPC trace receiver.
type grpcReceiver struct {
	coltracepb.UnimplementedTraceServiceServer
	mu    sync.Mutex
	names []string
	keys  []string
	// left is, per export, the time its deadline left when it arrived.
	left []time.Duration
}

func (g *grpcReceiver) Export(ctx context.Context, req *coltracepb.ExportTraceServiceRequest) (*coltracepb.ExportTraceServiceResponse, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	md, _ := metadata.FromIncomingContext(ctx)
	g.keys = append(g.keys, md.Get("x-api-key")...)
	if d, ok := ctx.Deadline(); ok {
		g.left = append(g.left, time.Until(d))
	}
	for _, rs := range req.GetResourceSpans() {
		for _, ss := range rs.GetScopeSpans() {
			for _, s := range ss.GetSpans() {
				g.names = append(g.names, s.GetName())
			}
		}
	}
	return &coltracepb.ExportTraceServiceResponse{}, nil
}

// startGRPCReceiver serves a grpcReceiver until the test ends.
func startGRPCReceiver(t *testing.T, opts ...grpc.ServerOption) (*grpcReceiver, string) {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	rc := &grpcReceiver{}
	srv := grpc.NewServer(opts...)
	coltracepb.RegisterTraceServiceServer(srv, rc)
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = srv.Serve(lis)
	}()
	t.Cleanup(func() {
		srv.Stop()
		<-done
	})
	return rc, lis.Addr().String()
}

func TestOTLPGRPCExport(t *testing.T) {
	t.Parallel()
	rc, addr := startGRPCReceiver(t)
	tel, err := observability.New(context.Background(), observability.Config{
		Getenv: envOf(map[string]string{
			"OTEL_EXPORTER_OTLP_PROTOCOL": "grpc",
			"OTEL_EXPORTER_OTLP_ENDPOINT": "http://" + addr,
			"OTEL_EXPORTER_OTLP_HEADERS":  "x-api-key=grpc-key",
		}),
		LogWriter: io.Discard,
	})
	if err != nil {
		t.Fatal(err)
	}
	_, span := tel.TracerProvider().Tracer("t").Start(context.Background(), "over-grpc")
	span.End()
	if err := tel.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if len(rc.names) != 1 || rc.names[0] != "over-grpc" {
		t.Fatalf("receiver got spans %v, want [over-grpc]", rc.names)
	}
	if len(rc.keys) == 0 || rc.keys[0] != "grpc-key" {
		t.Fatalf("receiver got x-api-key %v", rc.keys)
	}
}

// TestOTLPTimeoutFromConfigEnv checks that OTEL_EXPORTER_OTLP_TRACES_TIMEOUT,
// read through Config.Getenv like every other variable, bounds each export:
// the receiver sees the export's deadline (gRPC sends it along), which must be
// within the configured 1.5 s, not the exporter's default of 10 s.
func TestOTLPTimeoutFromConfigEnv(t *testing.T) {
	t.Parallel()
	rc, addr := startGRPCReceiver(t)
	tel, err := observability.New(context.Background(), observability.Config{
		Getenv: envOf(map[string]string{
			"OTEL_EXPORTER_OTLP_PROTOCOL":       "grpc",
			"OTEL_EXPORTER_OTLP_ENDPOINT":       "http://" + addr,
			"OTEL_EXPORTER_OTLP_TIMEOUT":        "20000",
			"OTEL_EXPORTER_OTLP_TRACES_TIMEOUT": "1500", // the signal's own wins
		}),
		LogWriter: io.Discard,
	})
	if err != nil {
		t.Fatal(err)
	}
	_, span := tel.TracerProvider().Tracer("t").Start(context.Background(), "bounded")
	span.End()
	if err := tel.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if len(rc.left) != 1 || rc.left[0] <= 0 || rc.left[0] > 1500*time.Millisecond {
		t.Fatalf("export deadlines left %v, want one of at most 1.5s", rc.left)
	}
}
