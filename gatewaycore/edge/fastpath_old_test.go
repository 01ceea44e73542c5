package edge

import (
	"encoding/hex"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"testing"
)

// oldClientIPNoProxies is ClientIP without trusted proxies as it was before its
// plain-IPv4 shortcut (212b5df), written out with net and netip alone so that it
// does not share code with either path of today's ClientIP.
func oldClientIPNoProxies(remoteAddr string) string {
	host, _, err := net.SplitHostPort(remoteAddr)
	if err != nil {
		host = remoteAddr
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return ""
	}
	return a.Unmap().String()
}

// adversarialPeers are RemoteAddr spellings around the plain "a.b.c.d:port" that
// ClientIP's shortcut reads: other spellings of one address, malformed near misses,
// and addresses a careless scan would fold into another's rate-limit key.
var adversarialPeers = []string{
	"1.2.3.4:5", "1.2.3.4:", "1.2.3.4", "1.2.3.4:0", "1.2.3.4:65536", "1.2.3.4:99999999999",
	"010.0.0.1:1", "10.0.0.01:1", "0.0.0.0:1", "00.0.0.0:1", "0x7f.0.0.1:1", "127.1:1", "2130706433:1",
	"256.0.0.1:1", "1.2.3.256:1", "1.2.3.2555:1", "255.255.255.255:1", "999.999.999.999:1",
	"1.2.3.4 :5", " 1.2.3.4:5", "1.2.3.4: 5", "1.2.3.4:5 ", "1.2.3.4:\x00", "1.2.3.4\x00:5",
	"1.2.3.4::5", "1.2.3.4:5:6", ":1.2.3.4:5", "1.2.3.4:[5]", "1.2.3.4:]", "1.2.3.4:[", "[1.2.3.4]:5",
	"1.2.3.4.:5", ".1.2.3.4:5", "1.2.3:4", "1.2.3.4.5:6", "1..3.4:5", "1.2.3.-4:5", "+1.2.3.4:5",
	"1.2.3.4%eth0:5", "1.2.3.4%:5", "[::ffff:1.2.3.4]:5", "::ffff:1.2.3.4", "[::ffff:0102:0304]:5",
	"[::1]:5", "::1", "[::1]", "[fe80::1%eth0]:5", "[::FFFF:1.2.3.4]:5", "[0:0:0:0:0:ffff:1.2.3.4]:5",
	"１.2.3.4:5", "1.2.3.4:５", "١.2.3.4:5", "", ":", "::", ":5", "a.b.c.d:1", "@", "/tmp/sock",
	"1.2.3.4:" + strings.Repeat("9", 4096), strings.Repeat("1.", 2048) + "1:5",
	strings.Repeat("0", 4096) + "1.2.3.4:5",
}

// TestClientIPMatchesOld holds ClientIP without trusted proxies to the code before
// its shortcut for every adversarial peer, and checks what makes it a sound
// rate-limit key: the answer is empty or an address in netip's own spelling, so two
// spellings of one address are one key and a malformed peer is never read as
// another address.
func TestClientIPMatchesOld(t *testing.T) {
	t.Parallel()
	none := &TrustedProxies{}
	for _, addr := range adversarialPeers {
		r := &http.Request{RemoteAddr: addr, Header: http.Header{"X-Forwarded-For": {"203.0.113.9"}}}
		got, want := none.ClientIP(r), oldClientIPNoProxies(addr)
		if got != want {
			t.Errorf("ClientIP(%.80q) = %.80q, before the shortcut %.80q", addr, got, want)
		}
		if got != "" {
			if a, err := netip.ParseAddr(got); err != nil || a.Unmap().String() != got {
				t.Errorf("ClientIP(%.80q) = %.80q: not an address in its canonical spelling", addr, got)
			}
		}
	}
	// Spellings of 1.2.3.4 that the old code read as it are still one key.
	for _, addr := range []string{"1.2.3.4:5", "1.2.3.4:", "1.2.3.4", "[::ffff:1.2.3.4]:5", "::ffff:1.2.3.4", "[::ffff:0102:0304]:5"} {
		if got := none.ClientIP(&http.Request{RemoteAddr: addr}); got != "1.2.3.4" {
			t.Errorf("ClientIP(%q) = %q, want 1.2.3.4", addr, got)
		}
	}
}

// FuzzClientIPMatchesOld is TestClientIPMatchesOld for any peer address.
func FuzzClientIPMatchesOld(f *testing.F) {
	for _, s := range adversarialPeers {
		if len(s) < 256 {
			f.Add(s)
		}
	}
	none := &TrustedProxies{}
	f.Fuzz(func(t *testing.T, addr string) {
		got, want := none.ClientIP(&http.Request{RemoteAddr: addr}), oldClientIPNoProxies(addr)
		if got != want {
			t.Fatalf("ClientIP(%.80q) = %.80q, before the shortcut %.80q", addr, got, want)
		}
	})
}

// TestNewRequestIDFormat: ids from NewRequestID are still 32 lower-case hex
// characters (16 random bytes, as hex.EncodeToString wrote them), which
// ValidRequestID accepts, so an id generated here passes as an incoming one.
func TestNewRequestIDFormat(t *testing.T) {
	t.Parallel()
	seen := make(map[string]bool, 10000)
	for range 10000 {
		id := NewRequestID()
		b, err := hex.DecodeString(id)
		if err != nil || len(b) != 16 || hex.EncodeToString(b) != id {
			t.Fatalf("id %q is not 32 lower-case hex characters", id)
		}
		if !ValidRequestID(id) {
			t.Fatalf("ValidRequestID(%q) = false", id)
		}
		if seen[id] {
			t.Fatalf("id %q repeated", id)
		}
		seen[id] = true
	}
}
