package health_test

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"testing"
	"time"

	"connectrpc.com/connect"
	healthv1 "google.golang.org/grpc/health/grpc_health_v1"

	healthv1connect "github.com/footingdev/footing/contracts/gen/go/grpc/health/v1/grpc_health_v1connect"
	"github.com/footingdev/footing/gatewaycore/health"
	"github.com/footingdev/footing/gatewaycore/server"
)

// TestWatchEndsWhenDraining: load balancers and gRPC clients keep a
// grpc.health.v1 Watch stream open for as long as they use the server. At
// shutdown, Watch told them NOT_SERVING but kept the stream open, and the graceful
// shutdown waits for every open stream: with one watcher connected, every shutdown
// took the whole ShutdownTimeout and reported in-flight requests that did not
// finish. Once draining, Watch ends the stream after telling the caller.
func TestWatchEndsWhenDraining(t *testing.T) {
	t.Parallel()
	checker := health.New(quiet())
	mux := http.NewServeMux()
	checker.Mount(mux)
	srv, err := server.New(server.Config{DrainDelay: time.Millisecond, ShutdownTimeout: 3 * time.Second}, mux,
		server.WithReadiness(checker), server.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ctx, ln) }()

	tr := &http.Transport{Protocols: new(http.Protocols)}
	tr.Protocols.SetUnencryptedHTTP2(true)
	defer tr.CloseIdleConnections()
	client := healthv1connect.NewHealthClient(&http.Client{Transport: tr}, "http://"+ln.Addr().String(), connect.WithGRPC())
	stream, err := client.Watch(context.Background(), connect.NewRequest(&healthv1.HealthCheckRequest{}))
	if err != nil {
		t.Fatal(err)
	}
	defer stream.Close()
	if !stream.Receive() || stream.Msg().GetStatus() != healthv1.HealthCheckResponse_SERVING {
		t.Fatalf("first message: %v %v", stream.Msg(), stream.Err())
	}

	stop() // as SIGTERM would
	if !stream.Receive() || stream.Msg().GetStatus() != healthv1.HealthCheckResponse_NOT_SERVING {
		t.Fatalf("while draining: %v %v; want NOT_SERVING", stream.Msg(), stream.Err())
	}
	if stream.Receive() || stream.Err() != nil {
		t.Fatalf("after NOT_SERVING: message %v, error %v; want the stream ended cleanly", stream.Msg(), stream.Err())
	}
	if err := <-served; err != nil {
		t.Fatalf("Serve: %v; want a clean shutdown", err)
	}
}
