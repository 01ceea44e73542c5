package health_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"connectrpc.com/connect"
	healthv1 "google.golang.org/grpc/health/grpc_health_v1"

	healthv1connect "github.com/footingdev/footing/contracts/gen/go/grpc/health/v1/grpc_health_v1connect"
	"github.com/footingdev/footing/gatewaycore/health"
)

// TestWatchStreamsAreBounded: grpc.health.v1 is served without a credential, and
// each Watch holds a goroutine and a timer for as long as its caller likes, so
// anyone could open streams until the server ran out of memory. Past WithMaxWatches
// streams, Watch answers ResourceExhausted at once; a stream that ends frees its slot.
func TestWatchStreamsAreBounded(t *testing.T) {
	t.Parallel()
	c := health.New(quiet(), health.WithWatchInterval(time.Hour), health.WithMaxWatches(2))
	mux := http.NewServeMux()
	c.Mount(mux)
	srv := httptest.NewUnstartedServer(mux)
	srv.EnableHTTP2 = true
	srv.StartTLS()
	defer srv.Close()
	client := healthv1connect.NewHealthClient(srv.Client(), srv.URL, connect.WithGRPC())

	open := func(ctx context.Context) (*connect.ServerStreamForClient[healthv1.HealthCheckResponse], error) {
		stream, err := client.Watch(ctx, connect.NewRequest(&healthv1.HealthCheckRequest{}))
		if err != nil {
			return nil, err
		}
		if !stream.Receive() {
			_ = stream.Close()
			return nil, stream.Err()
		}
		return stream, nil
	}
	ctx1, cancel1 := context.WithCancel(context.Background())
	defer cancel1()
	first, err := open(ctx1)
	if err != nil {
		t.Fatal(err)
	}
	second, err := open(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer second.Close()
	// The bound of a stream that is not refused (the failure), not a timing assertion.
	ctx3, cancel3 := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel3()
	if s, err := open(ctx3); connect.CodeOf(err) != connect.CodeResourceExhausted {
		if s != nil {
			_ = s.Close()
		}
		t.Fatalf("third watch: %v, want ResourceExhausted", err)
	}
	// Check is not a stream and is not bounded by watches.
	if _, err := client.Check(context.Background(), connect.NewRequest(&healthv1.HealthCheckRequest{})); err != nil {
		t.Fatalf("Check while watches are full: %v", err)
	}
	// The first caller leaves: its slot is free once its handler returns.
	cancel1()
	_ = first.Close()
	var again *connect.ServerStreamForClient[healthv1.HealthCheckResponse]
	for range 200 { // the server sees the cancellation shortly after the client
		ctx4, cancel4 := context.WithTimeout(context.Background(), 10*time.Second)
		again, err = open(ctx4)
		if connect.CodeOf(err) != connect.CodeResourceExhausted {
			defer cancel4()
			break
		}
		cancel4()
		time.Sleep(10 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("watch after one ended: %v", err)
	}
	_ = again.Close()
}
