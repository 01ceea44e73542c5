package app_test

// Attacks on the whole service, over the wire, by a caller holding tenant A's
// credential or none. Each test asserts that the attack fails.

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
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

// syncBuffer is a bytes.Buffer safe for the concurrent writers a server has.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestLogsHoldNoCredentials: everything the service logs (its logger and slog.Default,
// where the access log and River write) while serving good, bad, expired and foreign
// tokens, failed calls and a watch holds none of the tokens nor their signatures.
// Not parallel: it swaps slog.Default while no other test runs.
func TestLogsHoldNoCredentials(t *testing.T) {
	var logs syncBuffer
	prev := slog.Default()
	slog.SetDefault(slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	defer slog.SetDefault(prev)

	h := start(t, nil)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	tenant := uuid.NewString()
	good := h.token(tenant, app.ScopeRead, app.ScopeWrite)
	tokens := map[string]string{
		"good":      good,
		"read-only": h.token(tenant, app.ScopeRead),
		"expired":   h.issuer.Mint(authtest.Claims{"tenant_id": tenant, "exp": time.Now().Add(-time.Hour).Unix()}),
		"forged":    forged(t, tenant),
		"garbage":   "not-a-jwt-but-a-secret-0123456789",
	}
	for _, tok := range tokens {
		for _, p := range protocols {
			c := h.client(p.opt, tok)
			res, err := c.CreateADR(ctx, connect.NewRequest(&adrv1.CreateADRRequest{Adr: newADR("logged?")}))
			if err == nil {
				_, _ = c.GetADR(ctx, connect.NewRequest(&adrv1.GetADRRequest{Id: res.Msg.GetAdr().GetId()}))
				a := res.Msg.GetAdr()
				a.Title = "bad\x00title"
				_, _ = c.UpdateADR(ctx, connect.NewRequest(&adrv1.UpdateADRRequest{Adr: a}))
			}
			_, _ = c.ListADRs(ctx, connect.NewRequest(&adrv1.ListADRsRequest{Page: &commonv1.PageRequest{PageToken: "forged"}}))
			if w, err := c.WatchADRs(ctx, connect.NewRequest(&adrv1.WatchADRsRequest{})); err == nil {
				_ = w.Close()
			}
		}
	}
	// A token in places it does not belong: the query string and a cookie.
	req, _ := http.NewRequest(http.MethodGet, h.url+"/healthz?access_token="+good, nil)
	req.Header.Set("Cookie", "session="+good)
	if res, err := h.http.Do(req); err == nil {
		_ = res.Body.Close()
	}
	out := logs.String()
	if !strings.Contains(out, "http request") {
		t.Fatalf("no access log captured; the test is blind:\n%s", out)
	}
	for name, tok := range tokens {
		secrets := []string{tok}
		if parts := strings.Split(tok, "."); len(parts) == 3 {
			secrets = append(secrets, parts[2]) // the signature
		}
		for _, s := range secrets {
			if i := strings.Index(out, s); i >= 0 {
				t.Errorf("the %s token is in the logs: …%s…", name, out[max(0, i-200):min(len(out), i+len(s)+40)])
			}
		}
	}
}

// TestResponsesCannotBecomePages: answers carry tenants' text (a title "<script>…");
// every response — an ADR, a validation error, the edge's refusals, health, and the
// admin listener's metrics and probes — says its type and forbids sniffing another,
// and carries a CSP that runs and frames nothing, so that no browser renders one as a
// page of this origin.
func TestResponsesCannotBecomePages(t *testing.T) {
	t.Parallel()
	h := start(t, nil)
	token := h.token(uuid.NewString(), app.ScopeRead, app.ScopeWrite)
	const xss = `{"adr":{"title":"<script>alert(document.domain)</script>","status":"STATUS_PROPOSED"}}`
	for _, c := range []struct {
		name, method, path, ctype, token, body string
	}{
		{"create", http.MethodPost, "/footing.examples.adr.v1.ADRService/CreateADR", "application/json", token, xss},
		{"invalid", http.MethodPost, "/footing.examples.adr.v1.ADRService/CreateADR", "application/json", token, `{"adr":{"title":"<script>"}}`},
		{"connect get", http.MethodGet, "/footing.examples.adr.v1.ADRService/GetADR?encoding=json&message=%7B%22id%22%3A%22%3Cscript%3E%22%7D", "", token, ""},
		{"unsupported type", http.MethodPost, "/footing.examples.adr.v1.ADRService/CreateADR", "text/html", token, xss},
		{"no credential", http.MethodPost, "/footing.examples.adr.v1.ADRService/CreateADR", "application/json", "", xss},
		{"undeclared route", http.MethodGet, "/%3Cscript%3Ealert(1)%3C/script%3E", "", "", ""},
		{"healthz", http.MethodGet, "/healthz", "", "", ""},
		{"readyz", http.MethodGet, "/readyz", "", "", ""},
		{"metrics (404: admin listener only)", http.MethodGet, "/metrics", "", "", ""},
		{"admin metrics", http.MethodGet, "admin:/metrics", "", "", ""},
		{"admin readyz", http.MethodGet, "admin:/readyz", "", "", ""},
	} {
		url := h.url + c.path
		if p, ok := strings.CutPrefix(c.path, "admin:"); ok {
			url = h.adminURL + p
		}
		req, _ := http.NewRequest(c.method, url, strings.NewReader(c.body))
		if c.ctype != "" {
			req.Header.Set("Content-Type", c.ctype)
		}
		if c.token != "" {
			req.Header.Set("Authorization", "Bearer "+c.token)
		}
		res, err := h.http.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		_ = res.Body.Close()
		ct := res.Header.Get("Content-Type")
		if len(body) > 0 && (ct == "" || strings.Contains(ct, "html")) {
			t.Errorf("%s: %d bytes as %q", c.name, len(body), ct)
		}
		if res.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s (%d): no X-Content-Type-Options: nosniff", c.name, res.StatusCode)
		}
		if cc := res.Header.Get("Cache-Control"); cc != "no-store" {
			t.Errorf("%s (%d): Cache-Control %q, want no-store", c.name, res.StatusCode, cc)
		}
		if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") || !strings.Contains(csp, "frame-ancestors 'none'") {
			t.Errorf("%s (%d): Content-Security-Policy %q", c.name, res.StatusCode, csp)
		}
	}
}

// TestWatchOutlivesNoCredential: credentials are checked when a stream starts, so a
// WatchADRs opened with a token that then expires or is revoked kept receiving the
// tenant's changes for as long as the connection lasted. The stream now ends after
// WATCH_MAX_AGE with Unavailable (retry at once), and watching again needs a current
// token.
func TestWatchOutlivesNoCredential(t *testing.T) {
	t.Parallel()
	h := start(t, func(c *app.Config) { c.WatchMaxAge = time.Second })
	// The bound of a stream that never ends (the attack succeeding), not a timing assertion.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	tenant := uuid.NewString()
	for _, p := range protocols {
		w, err := h.client(p.opt, h.token(tenant, app.ScopeRead)).WatchADRs(ctx, connect.NewRequest(&adrv1.WatchADRsRequest{}))
		if err != nil {
			t.Fatal(err)
		}
		for w.Receive() {
		}
		d := errs.From(w.Err())
		_ = w.Close()
		if d.Code != connect.CodeUnavailable || d.Reason != "WATCH_MAX_AGE" {
			t.Fatalf("%s: watch ended with %+v, want Unavailable WATCH_MAX_AGE", p.name, d)
		}
		if ra, ok := errs.RetryAfter(w.Err()); !ok || ra != 0 {
			t.Fatalf("%s: retry after %v, %v; want at once", p.name, ra, ok)
		}
	}
	expired := h.issuer.Mint(authtest.Claims{"tenant_id": tenant, "scope": []string{app.ScopeRead}, "exp": time.Now().Add(-time.Hour).Unix()})
	w, err := h.client(protocols[0].opt, expired).WatchADRs(ctx, connect.NewRequest(&adrv1.WatchADRsRequest{}))
	if err == nil {
		for w.Receive() {
		}
		err = w.Err()
		_ = w.Close()
	}
	if errs.From(err).Code != connect.CodeUnauthenticated {
		t.Fatalf("watch again with an expired token: %v", err)
	}
}

// TestCrossTenantWritesAndTokensOverTheAPI: tenant A, knowing the id and version of an
// ADR of tenant B, cannot update or delete it (NotFound, as for an id that does not
// exist, so A learns nothing), cannot list with B's page token or an altered one, and B's
// ADR, its watch and its outbox see nothing of A's attempts.
func TestCrossTenantWritesAndTokensOverTheAPI(t *testing.T) {
	t.Parallel()
	h := start(t, nil)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	ta, tb := uuid.NewString(), uuid.NewString()
	for _, p := range protocols {
		a := h.client(p.opt, h.token(ta, app.ScopeRead, app.ScopeWrite))
		b := h.client(p.opt, h.token(tb, app.ScopeRead, app.ScopeWrite))
		wb, err := b.WatchADRs(ctx, connect.NewRequest(&adrv1.WatchADRsRequest{}))
		if err != nil {
			t.Fatal(err)
		}
		_ = wb.ResponseHeader()
		var victim *adrv1.ADR
		for i := range 3 {
			res, err := b.CreateADR(ctx, connect.NewRequest(&adrv1.CreateADRRequest{Adr: newADR(fmt.Sprintf("B's %d", i))}))
			if err != nil {
				t.Fatal(err)
			}
			victim = res.Msg.GetAdr()
			if !wb.Receive() || wb.Msg().GetAdr().GetId() != victim.GetId() {
				t.Fatalf("%s: B's watch: %v, %v", p.name, wb.Msg(), wb.Err())
			}
		}

		steal := newADR("stolen")
		steal.Id, steal.Version = victim.GetId(), victim.GetVersion()
		_, err = a.UpdateADR(ctx, connect.NewRequest(&adrv1.UpdateADRRequest{Adr: steal}))
		if d := errs.From(err); d.Code != connect.CodeNotFound || strings.Contains(d.Message, victim.GetId()) {
			t.Fatalf("%s: A updated B's ADR: %+v", p.name, d)
		}
		_, err = a.DeleteADR(ctx, connect.NewRequest(&adrv1.DeleteADRRequest{Id: strings.ToUpper(victim.GetId()), Version: victim.GetVersion()}))
		if errs.From(err).Code != connect.CodeNotFound {
			t.Fatalf("%s: A deleted B's ADR: %v", p.name, err)
		}
		page, err := b.ListADRs(ctx, connect.NewRequest(&adrv1.ListADRsRequest{Page: &commonv1.PageRequest{PageSize: 1}}))
		if err != nil || page.Msg.GetPage().GetNextPageToken() == "" {
			t.Fatalf("%s: B's first page: %v", p.name, err)
		}
		tok := page.Msg.GetPage().GetNextPageToken()
		altered := []byte(tok)
		altered[len(altered)/2] ^= 0x01
		for name, pt := range map[string]string{"B's": tok, "altered": string(altered)} {
			res, err := a.ListADRs(ctx, connect.NewRequest(&adrv1.ListADRsRequest{Page: &commonv1.PageRequest{PageToken: pt}}))
			if d := errs.From(err); d.Code != connect.CodeInvalidArgument || d.Reason != errs.ReasonPageTokenInvalid {
				t.Fatalf("%s: A listed with %s page token: %v, %+v", p.name, name, res.Msg.GetAdrs(), d)
			}
		}
		got, err := b.GetADR(ctx, connect.NewRequest(&adrv1.GetADRRequest{Id: victim.GetId()}))
		if err != nil || got.Msg.GetAdr().GetVersion() != victim.GetVersion() || got.Msg.GetAdr().GetTitle() != victim.GetTitle() {
			t.Fatalf("%s: B's ADR after A's attempts: %v, %v", p.name, got.Msg.GetAdr(), err)
		}
		// B's watch saw none of it: the next change it sees is B's own.
		res, err := b.CreateADR(ctx, connect.NewRequest(&adrv1.CreateADRRequest{Adr: newADR("B's marker")}))
		if err != nil {
			t.Fatal(err)
		}
		if !wb.Receive() || wb.Msg().GetAdr().GetId() != res.Msg.GetAdr().GetId() {
			t.Fatalf("%s: B's watch saw %v before its own change (%v)", p.name, wb.Msg(), wb.Err())
		}
		_ = wb.Close()
	}
}
