package app_test

// Attacks on the whole service, over the wire, by a caller holding tenant A's
// credential or none. Each test asserts that the attack fails.

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/binary"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/google/uuid"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"

	"github.com/footingdev/footing/contracts/errs"
	commonv1 "github.com/footingdev/footing/contracts/gen/go/footing/common/v1"
	"github.com/footingdev/footing/examples/app"
	adrv1 "github.com/footingdev/footing/examples/gen/go/footing/examples/adr/v1"
	"github.com/footingdev/footing/examples/gen/go/footing/examples/adr/v1/adrv1connect"
	"github.com/footingdev/footing/gatewaycore/auth/authtest"
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

// TestTenantSpellingsAreOneTenant: a token may spell its tenant's UUID in upper case.
// Row-level security and the cache treat every spelling as the one tenant; so must
// WatchADRs (a watcher subscribed under its raw spelling saw nothing, silently) and the
// render job's event (its tenant and source carried the raw spelling).
func TestTenantSpellingsAreOneTenant(t *testing.T) {
	t.Parallel()
	h := start(t, nil)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	tenant := uuid.NewString()
	upper := h.client(protocols[0].opt, h.token(strings.ToUpper(tenant), app.ScopeRead, app.ScopeWrite))
	lower := h.client(protocols[0].opt, h.token(tenant, app.ScopeRead, app.ScopeWrite))
	var watches []*connect.ServerStreamForClient[adrv1.WatchADRsResponse]
	for _, c := range []adrv1connect.ADRServiceClient{upper, lower} {
		w, err := c.WatchADRs(ctx, connect.NewRequest(&adrv1.WatchADRsRequest{}))
		if err != nil {
			t.Fatal(err)
		}
		defer w.Close()
		_ = w.ResponseHeader()
		watches = append(watches, w)
	}
	res, err := lower.CreateADR(ctx, connect.NewRequest(&adrv1.CreateADRRequest{Adr: newADR("one tenant")}))
	if err != nil {
		t.Fatal(err)
	}
	for i, w := range watches {
		if !w.Receive() || w.Msg().GetAdr().GetId() != res.Msg.GetAdr().GetId() {
			t.Fatalf("watch %d (upper case first) missed the change: %v", i, w.Err())
		}
	}
	if _, err := upper.CreateADR(ctx, connect.NewRequest(&adrv1.CreateADRRequest{Adr: newADR("from upper")})); err != nil {
		t.Fatal(err)
	}
	var events []*commonv1.EventEnvelope
	for len(events) < 2 && ctx.Err() == nil { // The context bounds a stuck queue.
		time.Sleep(50 * time.Millisecond)
		events = outbox(t, h, tenant)
	}
	for _, ev := range events {
		if ev.GetTenant() != tenant || !strings.HasSuffix(ev.GetSource(), "/tenants/"+tenant) {
			t.Fatalf("event tenant %q source %q; want the canonical %s", ev.GetTenant(), ev.GetSource(), tenant)
		}
	}
	if len(events) != 2 {
		t.Fatalf("%d events, want 2", len(events))
	}
}

// TestTenantlessOrMalformedTenantTokens: a token of the trusted issuer without a tenant,
// or whose tenant is not a UUID (or is SQL), gets a clear refusal on every RPC, the watch
// included (it stayed open and silent), never Internal or data.
func TestTenantlessOrMalformedTenantTokens(t *testing.T) {
	t.Parallel()
	h := start(t, nil)
	ctx := context.Background()
	victim := h.client(protocols[0].opt, h.token(uuid.NewString(), app.ScopeRead, app.ScopeWrite))
	res, err := victim.CreateADR(ctx, connect.NewRequest(&adrv1.CreateADRRequest{Adr: newADR("victim's")}))
	if err != nil {
		t.Fatal(err)
	}
	id := res.Msg.GetAdr().GetId()
	for name, claims := range map[string]authtest.Claims{
		"no tenant":    {"sub": "x"},
		"empty tenant": {"sub": "x", "tenant_id": ""},
		"not a uuid":   {"sub": "x", "tenant_id": "acme"},
		"sql":          {"sub": "x", "tenant_id": "' OR true --"},
		"nul":          {"sub": "x", "tenant_id": "\x00"},
	} {
		claims["scope"] = []string{app.ScopeRead, app.ScopeWrite}
		// The bound of a watch that stays open (the attack succeeding), not a timing assertion.
		ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
		defer cancel()
		c := h.client(protocols[0].opt, h.issuer.Mint(claims))
		refused := func(what string, err error) {
			t.Helper()
			switch code := errs.From(err).Code; code {
			case connect.CodeUnauthenticated, connect.CodePermissionDenied, connect.CodeFailedPrecondition:
			default:
				t.Errorf("%s: %s: %v", name, what, err)
			}
		}
		_, err := c.GetADR(ctx, connect.NewRequest(&adrv1.GetADRRequest{Id: id}))
		refused("get", err)
		_, err = c.ListADRs(ctx, connect.NewRequest(&adrv1.ListADRsRequest{}))
		refused("list", err)
		_, err = c.CreateADR(ctx, connect.NewRequest(&adrv1.CreateADRRequest{Adr: newADR("x")}))
		refused("create", err)
		_, err = c.DeleteADR(ctx, connect.NewRequest(&adrv1.DeleteADRRequest{Id: id, Version: 1}))
		refused("delete", err)
		w, err := c.WatchADRs(ctx, connect.NewRequest(&adrv1.WatchADRsRequest{}))
		if err == nil {
			if w.Receive() {
				t.Errorf("%s: watch delivered %v", name, w.Msg())
			}
			err = w.Err()
			_ = w.Close()
		}
		refused("watch", err)
	}
	if _, err := victim.GetADR(ctx, connect.NewRequest(&adrv1.GetADRRequest{Id: id})); err != nil {
		t.Fatalf("the victim's ADR: %v", err)
	}
}
