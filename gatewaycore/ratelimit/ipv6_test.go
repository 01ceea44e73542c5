package ratelimit_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	commonv1 "github.com/footingdev/footing/contracts/gen/go/footing/common/v1"
	"github.com/footingdev/footing/contracts/identity"
	"github.com/footingdev/footing/gatewaycore/ratelimit"
)

// TestIPv6ClientsCountPerNetwork: one IPv6 subscriber holds a whole /64 (or more), so
// counting each /128 would give it 2^64 buckets: a new source address per request
// would never be refused. KeyIP counts IPv6 callers per /64 by default, per address
// with IPv6Prefix 128, and IPv4 callers per address.
func TestIPv6ClientsCountPerNetwork(t *testing.T) {
	t.Parallel()
	once := ratelimit.Limit{Rate: 1, Period: time.Hour, Burst: 1}
	tests := []struct {
		name       string
		prefix     int
		first      string
		second     string
		wantSecond int
	}{
		{"same /64 shares a bucket", 0, "[2001:db8:1:2::1]:1000", "[2001:db8:1:2:ffff:ffff:ffff:fffe]:2000", http.StatusTooManyRequests},
		{"another /64 has its own", 0, "[2001:db8:1:2::1]:1000", "[2001:db8:1:3::1]:1000", http.StatusOK},
		{"a zone is not a network", 0, "[fe80::1%eth0]:1000", "[fe80::2%eth1]:1000", http.StatusTooManyRequests},
		{"per address with 128", 128, "[2001:db8:1:2::1]:1000", "[2001:db8:1:2::2]:1000", http.StatusOK},
		{"per /48", 48, "[2001:db8:1:2::1]:1000", "[2001:db8:1:ffff::1]:1000", http.StatusTooManyRequests},
		{"ipv4 per address", 0, "192.0.2.1:1000", "192.0.2.2:1000", http.StatusOK},
		{"ipv4 same address", 0, "192.0.2.1:1000", "192.0.2.1:2000", http.StatusTooManyRequests},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			mw := mustMiddleware(t, ratelimit.NewLocal(), ratelimit.Rule{Prefix: "/api/",
				Policy: ratelimit.Policy{Name: "api", Key: ratelimit.KeyIP, Limit: once, IPv6Prefix: tc.prefix}})
			h := mw(newMux())
			do := func(peer string) int {
				r := httptest.NewRequest(http.MethodGet, "/api/x", nil)
				r.RemoteAddr = peer
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, r)
				return rec.Code
			}
			if got := do(tc.first); got != http.StatusOK {
				t.Fatalf("first request from %s: %d", tc.first, got)
			}
			if got := do(tc.second); got != tc.wantSecond {
				t.Fatalf("second request from %s after %s: %d, want %d", tc.second, tc.first, got, tc.wantSecond)
			}
		})
	}
}

// TestIPv6Keys: the key of an IPv6 caller names its network, the same whether the
// address came from the peer or from edge's RequestMetadata (a mapped IPv4 address
// counts as that IPv4 address).
func TestIPv6Keys(t *testing.T) {
	t.Parallel()
	withMD := func(ip string) *http.Request {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.RemoteAddr = "192.0.2.1:5555"
		return r.WithContext(identity.WithRequestMetadata(r.Context(), &commonv1.RequestMetadata{ClientIp: ip}))
	}
	peer := func(addr string) *http.Request {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.RemoteAddr = addr
		return r
	}
	for _, tc := range []struct {
		name string
		r    *http.Request
		want string
	}{
		{"peer", peer("[2001:db8:aa:bb:1:2:3:4]:443"), "ip:2001:db8:aa:bb::/64"},
		{"metadata", withMD("2001:db8:aa:bb:1:2:3:4"), "ip:2001:db8:aa:bb::/64"},
		{"mapped ipv4", withMD("::ffff:198.51.100.7"), "ip:198.51.100.7"},
		{"mapped ipv4 peer", peer("[::ffff:198.51.100.7]:443"), "ip:198.51.100.7"},
		{"ipv4", withMD("203.0.113.5"), "ip:203.0.113.5"},
	} {
		if got := ratelimit.Key(tc.r, ratelimit.KeyIP, ""); got != tc.want {
			t.Errorf("%s: Key = %q, want %q", tc.name, got, tc.want)
		}
		// Callers without a tenant count by IP, by the same rule.
		if got := ratelimit.Key(tc.r, ratelimit.KeyTenant, ""); got != tc.want {
			t.Errorf("%s: tenant fallback Key = %q, want %q", tc.name, got, tc.want)
		}
	}
}

// TestIPv6PrefixValidated: both constructors refuse a prefix that would lump whole
// providers together or is not a prefix length, and two rules sharing a policy's
// buckets must count them alike.
func TestIPv6PrefixValidated(t *testing.T) {
	t.Parallel()
	constructors := map[string]func([]ratelimit.Rule) error{
		"Middleware": func(rules []ratelimit.Rule) error {
			_, err := ratelimit.Middleware(ratelimit.NewLocal(), rules)
			return err
		},
		"NewInterceptor": func(rules []ratelimit.Rule) error {
			_, err := ratelimit.NewInterceptor(ratelimit.NewLocal(), rules)
			return err
		},
	}
	for name, build := range constructors {
		for _, tc := range []struct {
			rules []ratelimit.Rule
			want  string
		}{
			{[]ratelimit.Rule{{Prefix: "/a", Policy: ratelimit.Policy{Name: "a", Limit: ratelimit.PerSecond(1), IPv6Prefix: 16}}}, "IPv6Prefix 16"},
			{[]ratelimit.Rule{{Prefix: "/a", Policy: ratelimit.Policy{Name: "a", Limit: ratelimit.PerSecond(1), IPv6Prefix: 129}}}, "IPv6Prefix 129"},
			{[]ratelimit.Rule{{Prefix: "/a", Policy: ratelimit.Policy{Name: "a", Limit: ratelimit.PerSecond(1), IPv6Prefix: -1}}}, "IPv6Prefix -1"},
			{[]ratelimit.Rule{
				{Prefix: "/a", Policy: ratelimit.Policy{Name: "p", Limit: ratelimit.PerSecond(1)}},
				{Prefix: "/b", Policy: ratelimit.Policy{Name: "p", Limit: ratelimit.PerSecond(1), IPv6Prefix: 128}},
			}, `policy "p" counts IPv6 callers per /128 here and per /64 in rule 0`},
		} {
			err := build(tc.rules)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%s: error %v, want one containing %q", name, err, tc.want)
			}
		}
		if err := build([]ratelimit.Rule{{Prefix: "/a", Policy: ratelimit.Policy{Name: "a", Limit: ratelimit.PerSecond(1), IPv6Prefix: 56}}}); err != nil {
			t.Errorf("%s: /56 refused: %v", name, err)
		}
	}
}
