package app_test

// Attacks on the whole service, over the wire, by a caller holding tenant A's
// credential or none. Each test asserts that the attack fails.

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"io"
	"net/http"
	"strconv"
	"testing"

	"github.com/google/uuid"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"

	"github.com/footingdev/footing/examples/app"
	adrv1 "github.com/footingdev/footing/examples/gen/go/footing/examples/adr/v1"
	healthv1 "google.golang.org/grpc/health/grpc_health_v1"
)

// inflated is m's binary encoding followed by an unknown field of n zero bytes, which
// every decoder skips: a message valid after decompression, and n bytes larger than it
// looks on the wire.
func inflated(t *testing.T, m proto.Message, n int) []byte {
	t.Helper()
	b, err := proto.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	b = protowire.AppendTag(b, 4242, protowire.BytesType)
	return protowire.AppendBytes(b, make([]byte, n))
}

func gzipped(t *testing.T, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestCompressedBodiesAreBoundedAfterDecompression: the edge's body limit
// (app.MaxRequestBytes) counts the bytes on the wire; a gzip request of a few KiB
// inflates to many MiB in the handler's memory. Every Connect handler must refuse a
// message larger than the limit once decompressed — the ADR service for a caller
// with a token, and the gRPC health service, which answers callers without one.
func TestCompressedBodiesAreBoundedAfterDecompression(t *testing.T) {
	t.Parallel()
	h := start(t, nil)
	const size = 8 * app.MaxRequestBytes
	create := inflated(t, &adrv1.CreateADRRequest{Adr: newADR("bomb")}, size)
	check := inflated(t, &healthv1.HealthCheckRequest{}, size)
	token := h.token(uuid.NewString(), app.ScopeRead, app.ScopeWrite)
	for _, c := range []struct {
		name, path, token string
		msg               []byte
	}{
		{"ADRService", "/footing.examples.adr.v1.ADRService/CreateADR", token, create},
		{"Health, no credential", "/grpc.health.v1.Health/Check", "", check},
	} {
		t.Run(c.name+"/connect", func(t *testing.T) {
			body := gzipped(t, c.msg)
			if len(body) >= app.MaxRequestBytes {
				t.Fatalf("the compressed body (%d bytes) is not under the edge's limit", len(body))
			}
			req, _ := http.NewRequest(http.MethodPost, h.url+c.path, bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/proto")
			req.Header.Set("Content-Encoding", "gzip")
			if c.token != "" {
				req.Header.Set("Authorization", "Bearer "+c.token)
			}
			res, err := h.http.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			out, _ := io.ReadAll(res.Body)
			_ = res.Body.Close()
			if res.StatusCode != http.StatusTooManyRequests && res.StatusCode != http.StatusRequestEntityTooLarge {
				t.Fatalf("%d bytes gzipped to %d were served: %d %s", size, len(body), res.StatusCode, out)
			}
		})
		t.Run(c.name+"/grpc", func(t *testing.T) {
			z := gzipped(t, c.msg)
			env := make([]byte, 5, 5+len(z))
			env[0] = 1 // compressed
			binary.BigEndian.PutUint32(env[1:], uint32(len(z)))
			env = append(env, z...)
			req, _ := http.NewRequest(http.MethodPost, h.url+c.path, bytes.NewReader(env))
			req.Header.Set("Content-Type", "application/grpc")
			req.Header.Set("Grpc-Encoding", "gzip")
			req.Header.Set("Te", "trailers")
			if c.token != "" {
				req.Header.Set("Authorization", "Bearer "+c.token)
			}
			res, err := h.http.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, res.Body)
			_ = res.Body.Close()
			status := res.Trailer.Get("Grpc-Status")
			if status == "" {
				status = res.Header.Get("Grpc-Status")
			}
			if code, _ := strconv.Atoi(status); code != 8 { // RESOURCE_EXHAUSTED
				t.Fatalf("%d bytes gzipped to %d: grpc-status %q (%s), want 8", size, len(z), status, res.Header.Get("Grpc-Message")+res.Trailer.Get("Grpc-Message"))
			}
		})
	}
}
