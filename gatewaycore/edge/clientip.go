package edge

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// MaxForwardedHops bounds how many X-Forwarded-For entries are examined.
const MaxForwardedHops = 32

// TrustedProxies decides which X-Forwarded-For entries to believe. The zero value
// trusts no proxy: the client IP is the connection's peer. It is safe for concurrent use.
type TrustedProxies struct {
	prefixes []netip.Prefix
}

// NewTrustedProxies returns [TrustedProxies] for the given CIDRs or single addresses
// ("10.0.0.0/8", "127.0.0.1"). It reports every malformed entry at once.
func NewTrustedProxies(cidrs ...string) (*TrustedProxies, error) {
	t := &TrustedProxies{}
	var problems []error
	for _, c := range cidrs {
		c = strings.TrimSpace(c)
		if c == "" {
			continue
		}
		if p, err := netip.ParsePrefix(c); err == nil {
			t.prefixes = append(t.prefixes, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(c)
		if err != nil {
			problems = append(problems, fmt.Errorf("trusted proxy %q: not an IP address or CIDR", c))
			continue
		}
		t.prefixes = append(t.prefixes, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
	}
	if len(problems) > 0 {
		return nil, errors.Join(problems...)
	}
	return t, nil
}

func (t *TrustedProxies) trusted(a netip.Addr) bool {
	a = a.Unmap()
	for _, p := range t.prefixes {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// ClientIP returns the client's IP address for r. Starting from the connection's
// peer, while the current hop is a trusted proxy it steps one entry left in
// X-Forwarded-For (all X-Forwarded-For headers, in order); the first untrusted hop is
// the client. Malformed entries stop the walk at the last good hop, so a client
// cannot forge its address past a trusted proxy.
func (t *TrustedProxies) ClientIP(r *http.Request) string {
	peer, ok := parseHostPort(r.RemoteAddr)
	if !ok {
		return ""
	}
	if len(t.prefixes) == 0 || !t.trusted(peer) {
		return peer.String()
	}
	hops := ForwardedFor(r.Header)
	current := peer
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(hops[i])
		if err != nil {
			break
		}
		current = a.Unmap()
		if !t.trusted(current) {
			break
		}
	}
	return current.String()
}

// ForwardedFor returns the X-Forwarded-For entries of h, left to right, trimmed, at
// most the last [MaxForwardedHops] of them.
func ForwardedFor(h http.Header) []string {
	var out []string
	for _, v := range h.Values("X-Forwarded-For") {
		for part := range strings.SplitSeq(v, ",") {
			out = append(out, strings.TrimSpace(part))
		}
	}
	if len(out) > MaxForwardedHops {
		out = out[len(out)-MaxForwardedHops:]
	}
	return out
}

func parseHostPort(s string) (netip.Addr, bool) {
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap(), true
	}
	host, _, err := net.SplitHostPort(s)
	if err != nil {
		host = s
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Addr{}, false
	}
	return a.Unmap(), true
}
