package edge

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"slices"
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
// ("10.0.0.0/8", "127.0.0.1"). An IPv4 network written in IPv6-mapped form
// ("::ffff:10.0.0.0/104") means that IPv4 network. It refuses a prefix that trusts
// every address ("0.0.0.0/0", "::/0") or a block of public addresses wider than one
// network's, /8 in IPv4 and /19 in IPv6 ("0.0.0.0/1", "2a00::/16"): whoever
// connects from it could write any client IP in X-Forwarded-For, for rate limits and
// logs to believe. Private networks of any size (fc00::/7) are accepted. It reports every problem at once.
func NewTrustedProxies(cidrs ...string) (*TrustedProxies, error) {
	t := &TrustedProxies{}
	var problems []error
	for _, c := range cidrs {
		c = strings.TrimSpace(c)
		if c == "" {
			continue
		}
		var p netip.Prefix
		if pp, err := netip.ParsePrefix(c); err == nil {
			p = unmapPrefix(pp.Masked())
		} else if a, err := netip.ParseAddr(c); err == nil {
			p = netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen())
		} else {
			problems = append(problems, fmt.Errorf("trusted proxy %q: not an IP address or CIDR", c))
			continue
		}
		if err := tooWide(c, p); err != nil {
			problems = append(problems, err)
			continue
		}
		t.prefixes = append(t.prefixes, p)
	}
	if len(problems) > 0 {
		return nil, errors.Join(problems...)
	}
	return t, nil
}

// unmapPrefix returns an IPv6-mapped IPv4 network (::ffff:a.b.c.d/96+n) as the IPv4
// network it names (a.b.c.d/n): peers and hops are compared unmapped, so in mapped
// form it would match none of them.
func unmapPrefix(p netip.Prefix) netip.Prefix {
	if a := p.Addr(); a.Is4In6() && p.Bits() >= 96 {
		return netip.PrefixFrom(a.Unmap(), p.Bits()-96)
	}
	return p
}

// minPublicBits is the shortest prefix that may hold public IPv4 addresses: IPv4's
// largest allocations (and private block, 10.0.0.0/8) are /8s.
const minPublicBits = 8

// minPublicBits6 is the same for IPv6's public space: its largest allocations to one
// network (2003::/19) are /19s, so a wider block spans several networks' customers.
const minPublicBits6 = 19

// globalUnicast6 is IPv6's global unicast space, the public addresses.
var globalUnicast6 = netip.MustParsePrefix("2000::/3")

// tooWide returns an error naming c if p, parsed from it, trusts every address or
// a block of public addresses wider than one network's (/8 in IPv4, /19 in IPv6).
func tooWide(c string, p netip.Prefix) error {
	minBits := minPublicBits
	if p.Addr().Is6() {
		minBits = minPublicBits6
	}
	switch {
	case p.Bits() == 0:
		return fmt.Errorf("trusted proxy %q: trusts every address, so any client could forge X-Forwarded-For; list your proxies' networks", c)
	case p.Bits() < minBits && (p.Addr().Is4() || p.Overlaps(globalUnicast6)):
		return fmt.Errorf("trusted proxy %q: trusts a /%d of public addresses, so any client in it could forge X-Forwarded-For; list your proxies' networks (/%d or narrower)", c, p.Bits(), minBits)
	}
	return nil
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
// the client. An entry may carry a port ("203.0.113.9:5123", "[2001:db8::1]:443"),
// which is ignored. Malformed entries stop the walk at the last good hop, so a client
// cannot forge its address past a trusted proxy. At most [MaxForwardedHops] entries
// are read, from the right: whatever a client puts further left costs nothing.
func (t *TrustedProxies) ClientIP(r *http.Request) string {
	if len(t.prefixes) == 0 {
		// No proxy is trusted: the client is the peer, and a peer that is a plain
		// IPv4 address is its own text, which needs no parsing to say so.
		if host, ok := canonicalIPv4Peer(r.RemoteAddr); ok {
			return host
		}
	}
	return t.clientIP(r)
}

// clientIP is [TrustedProxies.ClientIP] without its fast path.
func (t *TrustedProxies) clientIP(r *http.Request) string {
	peer, host, ok := parseHostPort(r.RemoteAddr)
	if !ok {
		return ""
	}
	if len(t.prefixes) == 0 || !t.trusted(peer) {
		return addrString(peer, host)
	}
	current, text := peer, host
	eachHopFromRight(r.Header, func(hop string) bool {
		a, ok := parseHop(hop)
		if !ok {
			return false
		}
		current, text = a, hop
		return t.trusted(current)
	})
	return addrString(current, text)
}

// eachHopFromRight calls yield with the X-Forwarded-For entries of h, trimmed, from
// the right (the last header's last entry first), at most [MaxForwardedHops] of
// them, until yield returns false. It reads the headers from their end and splits
// nothing it does not visit, so its cost does not grow with what a client puts on
// the left.
func eachHopFromRight(h http.Header, yield func(string) bool) {
	values := h["X-Forwarded-For"]
	n := 0
	for i := len(values) - 1; i >= 0; i-- {
		v := values[i]
		for {
			if n == MaxForwardedHops {
				return
			}
			n++
			j := strings.LastIndexByte(v, ',')
			if !yield(strings.TrimSpace(v[j+1:])) {
				return
			}
			if j < 0 {
				break
			}
			v = v[:j]
		}
	}
}

// parseHop reads one X-Forwarded-For entry: an address, an address with a port
// ("203.0.113.9:5123", "[2001:db8::1]:443", written by some proxies and load
// balancers) or a bracketed IPv6 address. A zone is dropped: it names an interface
// of the machine that wrote it, not the client.
func parseHop(s string) (netip.Addr, bool) {
	a, err := netip.ParseAddr(s)
	if err != nil {
		ap, perr := netip.ParseAddrPort(s)
		switch {
		case perr == nil:
			a = ap.Addr()
		case len(s) > 2 && s[0] == '[' && s[len(s)-1] == ']':
			if a, err = netip.ParseAddr(s[1 : len(s)-1]); err != nil || !a.Is6() {
				return netip.Addr{}, false
			}
		default:
			return netip.Addr{}, false
		}
	}
	return a.Unmap().WithZone(""), true
}

// addrString returns a.String(), reusing text when that is what it already says (the
// usual case), so that no new string is allocated.
func addrString(a netip.Addr, text string) string {
	var buf [64]byte
	if string(a.AppendTo(buf[:0])) == text {
		return text
	}
	return a.String()
}

// ForwardedFor returns the X-Forwarded-For entries of h, left to right, trimmed, at
// most the last [MaxForwardedHops] of them.
func ForwardedFor(h http.Header) []string {
	var out []string
	eachHopFromRight(h, func(hop string) bool {
		out = append(out, hop)
		return true
	})
	slices.Reverse(out)
	return out
}

// parseHostPort returns the address of "host:port" (or of a bare host) and the text
// of its host part.
func parseHostPort(s string) (netip.Addr, string, bool) {
	host, _, err := net.SplitHostPort(s)
	if err != nil {
		host = s
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Addr{}, "", false
	}
	return a.Unmap(), host, true
}

// canonicalIPv4Peer returns the host of a peer address "a.b.c.d:port" whose host is
// an IPv4 address written as netip writes it (four decimal fields of 0-255, no
// leading zeros) — the usual RemoteAddr — and true; then parseHostPort and
// addrString would return that same text. Anything else is left to them. One pass:
// the host up to the first ':', then a port without ':' (so that ':' was the last
// one, where net.SplitHostPort splits) and without brackets (which it refuses).
func canonicalIPv4Peer(s string) (string, bool) {
	dots, field, digits := 0, 0, 0
	j := 0
	for ; j < len(s); j++ {
		c := s[j]
		if c >= '0' && c <= '9' {
			if digits > 0 && field == 0 { // a leading zero
				return "", false
			}
			field = field*10 + int(c-'0')
			digits++
			if field > 255 {
				return "", false
			}
			continue
		}
		if c == '.' && digits > 0 && dots < 3 {
			dots++
			field, digits = 0, 0
			continue
		}
		if c == ':' && digits > 0 && dots == 3 {
			break
		}
		return "", false
	}
	if j == len(s) {
		return "", false // no port
	}
	for k := j + 1; k < len(s); k++ {
		if c := s[k]; c == ':' || c == '[' || c == ']' {
			return "", false
		}
	}
	return s[:j], true
}
