package edge_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/footingdev/footing/gatewaycore/edge"
)

// TestTrustedProxiesRefuseTheInternet: trusting every peer, or a block of public
// addresses wider than any operator's network, lets whoever connects from it write
// the client IP that rate limits key on and logs record. Such an entry is a
// configuration error naming the value as written, reported with the others.
func TestTrustedProxiesRefuseTheInternet(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		cidr, want string
	}{
		{"0.0.0.0/0", "trusts every address"},
		{"::/0", "trusts every address"},
		{"203.0.113.7/0", "trusts every address"}, // masked, it is 0.0.0.0/0
		{"::ffff:0.0.0.0/96", "trusts every address"},
		{" 0.0.0.0/0 ", "trusts every address"},
		{"0.0.0.0/1", "public addresses"},
		{"128.0.0.0/1", "public addresses"},
		{"8.0.0.0/7", "public addresses"},
		{"::ffff:64.0.0.0/98", "public addresses"},
		{"2000::/3", "public addresses"},
		{"::/1", "public addresses"},
		// IPv6 blocks wider than the largest allocation to one network (/19s:
		// 2003::/19) span several networks' customers.
		{"2000::/8", "public addresses"},
		{"2400::/12", "public addresses"},
		{"2a00::/16", "public addresses"},
		{"2003::/18", "public addresses"},
	} {
		t.Run(tc.cidr, func(t *testing.T) {
			t.Parallel()
			tp, err := edge.NewTrustedProxies("10.0.0.0/8", tc.cidr)
			if err == nil {
				t.Fatalf("NewTrustedProxies(%q) accepted it", tc.cidr)
			}
			if tp != nil {
				t.Errorf("NewTrustedProxies(%q) returned proxies with its error", tc.cidr)
			}
			msg := err.Error()
			if !strings.Contains(msg, `"`+strings.TrimSpace(tc.cidr)+`"`) || !strings.Contains(msg, tc.want) ||
				!strings.Contains(msg, "X-Forwarded-For") {
				t.Errorf("error %q does not name %q and say it %s", msg, tc.cidr, tc.want)
			}
		})
	}

	_, err := edge.NewTrustedProxies("0.0.0.0/0", "nope", "::/0", "10.0.0.0/33")
	if err == nil {
		t.Fatal("accepted")
	}
	for _, want := range []string{`"0.0.0.0/0"`, `"nope"`, `"::/0"`, `"10.0.0.0/33"`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not report %s", err, want)
		}
	}
}

// TestTrustedProxiesPrivateAndNarrow: private networks however wide (10/8, ULA
// fc00::/7, CGNAT 100.64/10) and operators' public networks are accepted, and an
// IPv4 network written in IPv6-mapped form trusts the IPv4 peers it names.
func TestTrustedProxiesPrivateAndNarrow(t *testing.T) {
	t.Parallel()
	for _, cidr := range []string{
		"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "127.0.0.1",
		"fc00::/7", "fe80::/10", "::1", "2001:db8::/32", "2600:1f00::/24", "198.51.100.0/24",
		"0.0.0.0/8", "::ffff:10.0.0.0/104",
		"2003::/19", "2a06:98c0::/29", "fd00::/8",
	} {
		if _, err := edge.NewTrustedProxies(cidr); err != nil {
			t.Errorf("NewTrustedProxies(%q): %v", cidr, err)
		}
	}

	tp, err := edge.NewTrustedProxies("::ffff:10.0.0.0/104")
	if err != nil {
		t.Fatal(err)
	}
	for remote, want := range map[string]string{
		"10.1.2.3:1":              "198.51.100.7",
		"[::ffff:10.1.2.3]:1":     "198.51.100.7",
		"192.0.2.1:1":             "192.0.2.1",
		"[::ffff:192.0.2.1]:1":    "192.0.2.1",
		"[2001:db8::10.1.2.3]:1":  "2001:db8::a01:203",
		"[::ffff:10.255.0.1]:443": "198.51.100.7",
	} {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.RemoteAddr = remote
		r.Header.Set("X-Forwarded-For", "198.51.100.7")
		if got := tp.ClientIP(r); got != want {
			t.Errorf("peer %s: ClientIP = %q, want %q", remote, got, want)
		}
	}
}
