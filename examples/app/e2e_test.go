package app_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/google/uuid"
	"google.golang.org/protobuf/proto"

	"github.com/footingdev/footing/contracts/errs"
	commonv1 "github.com/footingdev/footing/contracts/gen/go/footing/common/v1"
	healthv1connect "github.com/footingdev/footing/contracts/gen/go/grpc/health/v1/grpc_health_v1connect"
	"github.com/footingdev/footing/contracts/identity"
	"github.com/footingdev/footing/examples/adr"
	"github.com/footingdev/footing/examples/app"
	adrv1 "github.com/footingdev/footing/examples/gen/go/footing/examples/adr/v1"
	healthv1 "google.golang.org/grpc/health/grpc_health_v1"
)

func newADR(title string) *adrv1.ADR {
	return &adrv1.ADR{Title: title, Status: adrv1.Status_STATUS_PROPOSED, Decision: "d", Tags: []string{"e2e"}}
}

func TestCRUDOverEveryProtocol(t *testing.T) {
	t.Parallel()
	h := start(t, nil)
	for _, p := range protocols {
		t.Run(p.name, func(t *testing.T) {
			ctx := context.Background()
			c := h.client(p.opt, h.token(uuid.NewString(), app.ScopeRead, app.ScopeWrite))
			created, err := c.CreateADR(ctx, connect.NewRequest(&adrv1.CreateADRRequest{Adr: newADR("over " + p.name)}))
			if err != nil {
				t.Fatalf("CreateADR: %v", err)
			}
			a := created.Msg.GetAdr()
			got, err := c.GetADR(ctx, connect.NewRequest(&adrv1.GetADRRequest{Id: a.GetId()}))
			if err != nil || got.Msg.GetAdr().GetTitle() != "over "+p.name {
				t.Fatalf("GetADR = %v, %v", got, err)
			}
			// The client accepts gzip; a small Connect answer comes uncompressed (gRPC
			// never uses Content-Encoding, so this holds there too).
			if enc := got.Header().Get("Content-Encoding"); enc != "" {
				t.Fatalf("small GetADR answer sent with Content-Encoding %q", enc)
			}
			a.Title = "updated"
			upd, err := c.UpdateADR(ctx, connect.NewRequest(&adrv1.UpdateADRRequest{Adr: a}))
			if err != nil || upd.Msg.GetAdr().GetVersion() != 2 {
				t.Fatalf("UpdateADR = %v, %v", upd, err)
			}
			// The cached v1 must be gone.
			got, err = c.GetADR(ctx, connect.NewRequest(&adrv1.GetADRRequest{Id: a.GetId()}))
			if err != nil || got.Msg.GetAdr().GetTitle() != "updated" {
				t.Fatalf("GetADR after update = %v, %v", got.Msg.GetAdr(), err)
			}
			// Stale version: Aborted, nothing written.
			_, err = c.UpdateADR(ctx, connect.NewRequest(&adrv1.UpdateADRRequest{Adr: a}))
			if d := errs.From(err); d.Code != connect.CodeAborted || d.Reason != "VERSION_CONFLICT" {
				t.Fatalf("stale update: %+v", d)
			}
			if _, err := c.DeleteADR(ctx, connect.NewRequest(&adrv1.DeleteADRRequest{Id: a.GetId(), Version: 2})); err != nil {
				t.Fatal(err)
			}
			_, err = c.GetADR(ctx, connect.NewRequest(&adrv1.GetADRRequest{Id: a.GetId()}))
			if d := errs.From(err); d.Code != connect.CodeNotFound {
				t.Fatalf("get deleted: %+v", d)
			}
		})
	}
}

func TestBadInputWritesNothing(t *testing.T) {
	t.Parallel()
	h := start(t, nil)
	tenant := uuid.NewString()
	for _, p := range protocols {
		t.Run(p.name, func(t *testing.T) {
			ctx := context.Background()
			c := h.client(p.opt, h.token(tenant, app.ScopeRead, app.ScopeWrite))
			bad := newADR("")
			bad.Tags = []string{"Not A Tag"}
			bad.Status = adrv1.Status_STATUS_SUPERSEDED // without superseded_by
			_, err := c.CreateADR(ctx, connect.NewRequest(&adrv1.CreateADRRequest{Adr: bad}))
			d := errs.From(err)
			fields := map[string]bool{}
			for _, v := range d.FieldViolations {
				fields[v.GetField()] = true
			}
			if d.Code != connect.CodeInvalidArgument || !fields["adr.title"] || !fields["adr.tags[0]"] || !fields["adr"] {
				t.Fatalf("invalid create: %+v (fields %v)", d, fields)
			}
			_, err = c.GetADR(ctx, connect.NewRequest(&adrv1.GetADRRequest{Id: "not-a-uuid"}))
			if errs.From(err).Code != connect.CodeInvalidArgument {
				t.Fatalf("bad id: %v", err)
			}
			_, err = c.GetADR(ctx, connect.NewRequest(&adrv1.GetADRRequest{Id: uuid.NewString()}))
			if errs.From(err).Code != connect.CodeNotFound {
				t.Fatalf("unknown id: %v", err)
			}
			// No token, a garbage token, a token of another issuer, a token without scope.
			for name, tok := range map[string]string{
				"none": "", "garbage": "abc.def.ghi", "forged": forged(t, tenant),
			} {
				_, err := h.client(p.opt, tok).CreateADR(ctx, connect.NewRequest(&adrv1.CreateADRRequest{Adr: newADR("x")}))
				if errs.From(err).Code != connect.CodeUnauthenticated {
					t.Fatalf("%s token: %v", name, err)
				}
			}
			_, err = h.client(p.opt, h.token(tenant, app.ScopeRead)).CreateADR(ctx, connect.NewRequest(&adrv1.CreateADRRequest{Adr: newADR("x")}))
			if errs.From(err).Code != connect.CodePermissionDenied {
				t.Fatalf("read-only token wrote: %v", err)
			}
			list, err := c.ListADRs(ctx, connect.NewRequest(&adrv1.ListADRsRequest{}))
			if err != nil || len(list.Msg.GetAdrs()) != 0 {
				t.Fatalf("something was written: %v, %v", list.Msg.GetAdrs(), err)
			}
		})
	}
}

// forged is a token for tenant signed by another issuer's key that claims to be ours.
func forged(t *testing.T, tenant string) string {
	t.Helper()
	h := start(t, nil) // Its issuer is a stranger to every other harness.
	return h.issuer.Mint(map[string]any{"tenant_id": tenant, "scope": []string{app.ScopeWrite}})
}

func TestTenantIsolationOverTheAPI(t *testing.T) {
	t.Parallel()
	h := start(t, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	ta, tb := uuid.NewString(), uuid.NewString()
	ca := h.client(protocols[0].opt, h.token(ta, app.ScopeRead, app.ScopeWrite))
	cb := h.client(protocols[1].opt, h.token(tb, app.ScopeRead, app.ScopeWrite))

	wa, err := ca.WatchADRs(ctx, connect.NewRequest(&adrv1.WatchADRsRequest{}))
	if err != nil {
		t.Fatal(err)
	}
	defer wa.Close()
	wb, err := cb.WatchADRs(ctx, connect.NewRequest(&adrv1.WatchADRsRequest{}))
	if err != nil {
		t.Fatal(err)
	}
	defer wb.Close()
	_, _ = wa.ResponseHeader(), wb.ResponseHeader() // Both watches are established.

	const n = 1000
	ids := map[string]string{} // ADR id → owning tenant
	for i := range n {
		c, tenant := ca, ta
		if i%2 == 1 {
			c, tenant = cb, tb
		}
		res, err := c.CreateADR(ctx, connect.NewRequest(&adrv1.CreateADRRequest{Adr: newADR(fmt.Sprintf("%s #%d", tenant[:8], i))}))
		if err != nil {
			t.Fatalf("create %d: %v", i, err)
		}
		ids[res.Msg.GetAdr().GetId()] = tenant
	}

	// Each tenant pages through exactly its 500, never one of the other's.
	for tenant, c := range map[string]interface {
		ListADRs(context.Context, *connect.Request[adrv1.ListADRsRequest]) (*connect.Response[adrv1.ListADRsResponse], error)
	}{ta: ca, tb: cb} {
		seen := 0
		token := ""
		for {
			res, err := c.ListADRs(ctx, connect.NewRequest(&adrv1.ListADRsRequest{Page: &commonv1.PageRequest{PageSize: 73, PageToken: token}}))
			if err != nil {
				t.Fatal(err)
			}
			for _, a := range res.Msg.GetAdrs() {
				if ids[a.GetId()] != tenant {
					t.Fatalf("tenant %s listed %s of tenant %s", tenant, a.GetId(), ids[a.GetId()])
				}
				seen++
			}
			if token = res.Msg.GetPage().GetNextPageToken(); token == "" {
				break
			}
		}
		if seen != n/2 {
			t.Fatalf("tenant %s listed %d ADRs, want %d", tenant, seen, n/2)
		}
	}

	// Each watch saw exactly its tenant's 500 creates.
	for tenant, w := range map[string]interface {
		Receive() bool
		Msg() *adrv1.WatchADRsResponse
		Err() error
	}{ta: wa, tb: wb} {
		for i := range n / 2 {
			if !w.Receive() {
				t.Fatalf("tenant %s watch ended after %d events: %v", tenant, i, w.Err())
			}
			if owner := ids[w.Msg().GetAdr().GetId()]; owner != tenant {
				t.Fatalf("tenant %s watched a change of tenant %s", tenant, owner)
			}
		}
	}

	// Reading another tenant's ADR by id is NotFound.
	for id, owner := range ids {
		c := cb
		if owner == tb {
			c = ca
		}
		_, err := c.GetADR(ctx, connect.NewRequest(&adrv1.GetADRRequest{Id: id}))
		if errs.From(err).Code != connect.CodeNotFound {
			t.Fatalf("cross-tenant get of %s: %v", id, err)
		}
		break
	}
}

func TestPlainHTTPSurface(t *testing.T) {
	t.Parallel()
	h := start(t, nil)
	res, err := h.http.Get(h.url + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	_ = res.Body.Close()
	if res.StatusCode != http.StatusOK || res.Header.Get("X-Request-Id") == "" {
		t.Fatalf("/healthz: %d, request id %q", res.StatusCode, res.Header.Get("X-Request-Id"))
	}
	// Undeclared routes are denied by the policy, before any handler.
	res, err = h.http.Get(h.url + "/debug/pprof/")
	if err != nil {
		t.Fatal(err)
	}
	_ = res.Body.Close()
	if res.StatusCode != http.StatusUnauthorized && res.StatusCode != http.StatusForbidden {
		t.Fatalf("undeclared route answered %d", res.StatusCode)
	}
	// Connect JSON over plain HTTP, as curl would send it.
	req, _ := http.NewRequest(http.MethodPost, h.url+"/footing.examples.adr.v1.ADRService/CreateADR",
		strings.NewReader(`{"adr":{"title":"curl","status":"STATUS_PROPOSED"}}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+h.token(uuid.NewString(), app.ScopeWrite))
	res, err = h.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("Connect JSON create: %d", res.StatusCode)
	}
}

func TestReadinessAndGRPCHealth(t *testing.T) {
	t.Parallel()
	h := start(t, nil)
	res, err := h.http.Get(h.url + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	_ = res.Body.Close()
	if res.StatusCode != http.StatusOK || !strings.Contains(string(body), `"postgres"`) || !strings.Contains(string(body), `"redis"`) {
		t.Fatalf("/readyz: %d %s", res.StatusCode, body)
	}
	for _, p := range protocols {
		hc := healthv1connect.NewHealthClient(h.http, h.url, p.opt)
		out, err := hc.Check(context.Background(), connect.NewRequest(&healthv1.HealthCheckRequest{}))
		if err != nil || out.Msg.GetStatus() != healthv1.HealthCheckResponse_SERVING {
			t.Fatalf("%s: grpc health = %v, %v", p.name, out, err)
		}
	}
	h.app.Health().SetReady(false) // What a graceful shutdown does first.
	res, err = h.http.Get(h.url + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	_ = res.Body.Close()
	if res.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("/readyz while draining: %d", res.StatusCode)
	}
}

// outbox reads tenant's outbox rows as the system role, which sees every tenant.
func outbox(t *testing.T, h *harness, tenant string) []*commonv1.EventEnvelope {
	t.Helper()
	rows, err := h.db.System.Query(context.Background(), `SELECT envelope FROM outbox WHERE tenant_id = $1`, tenant)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []*commonv1.EventEnvelope
	for rows.Next() {
		var b []byte
		if err := rows.Scan(&b); err != nil {
			t.Fatal(err)
		}
		env := &commonv1.EventEnvelope{}
		if err := proto.Unmarshal(b, env); err != nil {
			t.Fatal(err)
		}
		out = append(out, env)
	}
	return out
}

func TestRenderJobRunsUnderTheTenant(t *testing.T) {
	t.Parallel()
	h := start(t, nil)
	ctx := context.Background()
	ta, tb := uuid.NewString(), uuid.NewString()
	c := h.client(protocols[0].opt, h.token(ta, app.ScopeRead, app.ScopeWrite))
	res, err := c.CreateADR(ctx, connect.NewRequest(&adrv1.CreateADRRequest{Adr: newADR("render me")}))
	if err != nil {
		t.Fatal(err)
	}
	id := res.Msg.GetAdr().GetId()
	deadline := time.Now().Add(60 * time.Second) // A bound for a stuck queue, not a timing assertion.
	var events []*commonv1.EventEnvelope
	for len(events) == 0 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
		events = outbox(t, h, ta)
	}
	if len(events) != 1 {
		t.Fatalf("outbox of the creating tenant has %d events, want 1", len(events))
	}
	ev := events[0]
	if ev.GetTenant() != ta || ev.GetSubject() != id || ev.GetType() != adr.EventTypeRendered || ev.GetSpecversion() != "1.0" {
		t.Fatalf("event = %v", ev)
	}
	a := &adrv1.ADR{}
	if err := ev.GetData().UnmarshalTo(a); err != nil || a.GetTitle() != "render me" {
		t.Fatalf("event data = %v, %v", a, err)
	}
	if other := outbox(t, h, tb); len(other) != 0 {
		t.Fatalf("another tenant's outbox got %d events", len(other))
	}
}

func TestFlagChangesBehaviour(t *testing.T) {
	t.Parallel()
	h := start(t, nil)
	ctx := context.Background()
	tenant := uuid.NewString()
	c := h.client(protocols[0].opt, h.token(tenant, app.ScopeRead, app.ScopeWrite))
	accepted := newADR("accepted, no consequences")
	accepted.Status = adrv1.Status_STATUS_ACCEPTED
	if _, err := c.CreateADR(ctx, connect.NewRequest(&adrv1.CreateADRRequest{Adr: accepted})); err != nil {
		t.Fatalf("flag off: %v", err)
	}
	// Overrides belong to a provisioned tenant (organizations row), as in production.
	if _, err := h.db.System.Exec(ctx, `INSERT INTO organizations (id, slug, display_name) VALUES ($1, $2, 'Acme')`,
		tenant, "acme-"+tenant[:8]); err != nil {
		t.Fatal(err)
	}
	tenantCtx := identity.WithPrincipal(ctx, &commonv1.Principal{Subject: "admin", TenantId: tenant})
	if err := h.app.Flags().SetTenantOverride(tenantCtx, adr.FlagRequireConsequences, true); err != nil {
		t.Fatal(err)
	}
	_, err := c.CreateADR(ctx, connect.NewRequest(&adrv1.CreateADRRequest{Adr: accepted}))
	if d := errs.From(err); d.Code != connect.CodeInvalidArgument || d.Reason != "CONSEQUENCES_REQUIRED" {
		t.Fatalf("flag on for the tenant: %+v", d)
	}
	// Another tenant is not affected.
	other := h.client(protocols[0].opt, h.token(uuid.NewString(), app.ScopeWrite))
	if _, err := other.CreateADR(ctx, connect.NewRequest(&adrv1.CreateADRRequest{Adr: accepted})); err != nil {
		t.Fatalf("flag leaked to another tenant: %v", err)
	}
}

// TestPlainHTTPRoutesAreLabelled: the plain HTTP routes behind the chain (health)
// are measured under their route, although auth hands the mux a copy of the request
// (without the instrument's router the pattern was lost and every such request was
// measured with no http.route). /metrics is the admin listener's.
func TestPlainHTTPRoutesAreLabelled(t *testing.T) {
	t.Parallel()
	h := start(t, nil)
	get := func(url string) string {
		t.Helper()
		res, err := h.http.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		if err != nil || res.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d %v", url, res.StatusCode, err)
		}
		return string(b)
	}
	get(h.url + "/healthz")
	metrics := get(h.adminURL + "/metrics")
	var found bool
	for line := range strings.Lines(metrics) {
		if strings.HasPrefix(line, "http_server_request_duration_seconds_count{") && strings.Contains(line, `http_route="/healthz"`) {
			found = true
		}
	}
	if !found {
		t.Fatalf("no http_server_request_duration_seconds_count with http_route=\"/healthz\" in /metrics:\n%s", grepLines(metrics, "http_server_request_duration_seconds_count"))
	}
}

func grepLines(s, prefix string) string {
	var b strings.Builder
	for line := range strings.Lines(s) {
		if strings.HasPrefix(line, prefix) {
			b.WriteString(line)
		}
	}
	return b.String()
}
