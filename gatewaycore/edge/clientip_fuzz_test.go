package edge

import (
	"net/http"
	"testing"
)

// FuzzClientIPFastPath checks ClientIP's shortcut for a plain IPv4 peer against
// the general path (parseHostPort, addrString) for any RemoteAddr, with no trusted
// proxy (the only case the shortcut serves) and with one (where it must not apply).
func FuzzClientIPFastPath(f *testing.F) {
	for _, s := range []string{
		"198.51.100.7:40000", "198.51.100.7", "0.0.0.0:1", "255.255.255.255:65535", "256.1.1.1:1",
		"01.2.3.4:5", "1.2.3.04:5", "1.2.3:4", "1.2.3.4.5:6", "1..3.4:5", ".1.2.3:4", "1.2.3.4.:5",
		"1.2.3.4:", "1.2.3.4:[", "1.2.3.4:]", "[1.2.3.4]:5", "[::1]:80", "::1", "[::ffff:1.2.3.4]:9",
		"1.2.3.4%eth0:5", "1.2.3.4::5", "", ":", "a.b.c.d:1", "1.2.3.4:5:6", "10.0.0.1:x",
	} {
		f.Add(s)
	}
	none := &TrustedProxies{}
	some, err := NewTrustedProxies("10.0.0.0/8")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, addr string) {
		r := &http.Request{RemoteAddr: addr, Header: http.Header{"X-Forwarded-For": {"203.0.113.9"}}}
		for _, tp := range []*TrustedProxies{none, some} {
			if got, want := tp.ClientIP(r), tp.clientIP(r); got != want {
				t.Fatalf("ClientIP(%q) = %q, general path %q", addr, got, want)
			}
		}
		if host, ok := canonicalIPv4Peer(addr); ok {
			if want := none.clientIP(r); host != want {
				t.Fatalf("canonicalIPv4Peer(%q) = %q, general path %q", addr, host, want)
			}
		}
	})
}
