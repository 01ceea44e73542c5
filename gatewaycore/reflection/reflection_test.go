package reflection_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"connectrpc.com/connect"
	"connectrpc.com/grpcreflect"
	"go.uber.org/goleak"

	_ "github.com/footingdev/footing/contracts/gen/go/footing/ai/v1" // registers the service's descriptors
	"github.com/footingdev/footing/gatewaycore/reflection"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const service = "footing.ai.v1.AIGatewayService"

func TestMount(t *testing.T) {
	t.Parallel()
	for _, enabled := range []bool{true, false} {
		mux := http.NewServeMux()
		if got := reflection.Mount(mux, reflection.Config{Enabled: enabled}, []string{service}); got != enabled {
			t.Fatalf("Mount = %v with Enabled %v", got, enabled)
		}
		srv := httptest.NewUnstartedServer(mux)
		srv.EnableHTTP2 = true
		srv.StartTLS()
		stream := grpcreflect.NewClient(srv.Client(), srv.URL, connect.WithGRPC()).NewStream(context.Background())
		names, err := stream.ListServices()
		_, _ = stream.Close()
		srv.Close()
		if !enabled {
			if connect.CodeOf(err) != connect.CodeUnimplemented && connect.CodeOf(err) != connect.CodeNotFound {
				t.Fatalf("disabled reflection answered %v, %v", names, err)
			}
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, n := range names {
			got = append(got, string(n))
		}
		if !slices.Contains(got, service) {
			t.Fatalf("ListServices = %v; want %s", got, service)
		}
	}
}

// TestMountBoundsDecompressedRequests: a request that inflates past
// MaxRequestBytes is refused before it is decoded (the edge's body limit counts
// compressed bytes); one within the bound is answered.
func TestMountBoundsDecompressedRequests(t *testing.T) {
	t.Parallel()
	mux := http.NewServeMux()
	reflection.Mount(mux, reflection.Config{Enabled: true}, []string{service})
	srv := httptest.NewUnstartedServer(mux)
	srv.EnableHTTP2 = true
	srv.StartTLS()
	t.Cleanup(srv.Close)
	for _, tc := range []struct {
		size int
		want connect.Code
	}{
		{reflection.MaxRequestBytes + 1, connect.CodeResourceExhausted},
		{1000, connect.CodeNotFound},
	} {
		stream := grpcreflect.NewClient(srv.Client(), srv.URL, connect.WithGRPC(), connect.WithSendGzip()).NewStream(t.Context())
		_, err := stream.FileByFilename(strings.Repeat("a", tc.size) + ".proto")
		_, _ = stream.Close()
		if got := connect.CodeOf(err); got != tc.want {
			t.Errorf("a %d-byte file name: %v, want %v", tc.size, err, tc.want)
		}
	}
}
