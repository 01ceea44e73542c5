package edge

import (
	"crypto/rand"
	mathrand "math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"unicode/utf8"

	commonv1 "github.com/footingdev/footing/contracts/gen/go/footing/common/v1"
	"github.com/footingdev/footing/contracts/identity"
	"github.com/footingdev/footing/gatewaycore/internal/routepath"
	"github.com/footingdev/footing/observability/logging"
)

// HeaderRequestID is the header that carries the request id in and out.
const HeaderRequestID = "X-Request-Id"

// MaxRequestIDLen is the longest incoming request id that is accepted.
const MaxRequestIDLen = 128

// ValidRequestID reports whether id is acceptable as an incoming request id: 1 to
// [MaxRequestIDLen] characters from A-Z a-z 0-9 and "-_.:", and nothing footing's log
// redaction would hide (a JWT fits those characters). Anything else is replaced, so
// that a caller cannot inject text into logs, and a token sent by mistake as the id
// is not echoed, logged or put on spans.
func ValidRequestID(id string) bool {
	if id == "" || len(id) > MaxRequestIDLen {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '-', c == '_', c == '.', c == ':':
		default:
			return false
		}
	}
	return logging.Redact(id) == id
}

// chachaPool holds ChaCha8 generators (cryptographically strong, seeded from
// crypto/rand) so that request ids cost no system call.
var chachaPool = sync.Pool{New: func() any {
	var seed [32]byte
	_, _ = rand.Read(seed[:]) // crypto/rand.Read never fails on supported platforms.
	return mathrand.NewChaCha8(seed)
}}

// NewRequestID returns a fresh random request id: 32 lower-case hex characters.
func NewRequestID() string {
	g := chachaPool.Get().(*mathrand.ChaCha8)
	id := requestIDFrom(g)
	chachaPool.Put(g)
	return id
}

// requestIDFrom returns the hex text of g's next 16 bytes — what
// hex.EncodeToString of g.Read's 16 bytes gives (two Uint64 values, little-endian
// bytes), without Read's buffering of a partial value, and each byte written as a
// pair from a table (hex.Encode's loop costs twice as much).
func requestIDFrom(g *mathrand.ChaCha8) string {
	var out [32]byte
	putHex64(out[:16], g.Uint64())
	putHex64(out[16:], g.Uint64())
	return string(out[:])
}

// hexPairs holds the two lower-case hex digits of every byte value, at 2*b.
var hexPairs = func() (t [512]byte) {
	const digits = "0123456789abcdef"
	for b := range 256 {
		t[2*b], t[2*b+1] = digits[b>>4], digits[b&15]
	}
	return t
}()

// putHex64 writes the hex text of v's 8 bytes, least significant first (as
// binary.LittleEndian lays them out), into dst[:16].
func putHex64(dst []byte, v uint64) {
	_ = dst[15]
	for i := range 8 {
		b := 2 * int(byte(v>>(8*i)))
		dst[2*i], dst[2*i+1] = hexPairs[b], hexPairs[b+1]
	}
}

// A MetadataOption configures [Metadata].
type MetadataOption func(*metadataConfig)

type metadataConfig struct {
	proxies *TrustedProxies
	newID   func() string
}

// WithTrustedProxies sets the proxies whose X-Forwarded-For is believed. Without it
// the client IP is the connection's peer address. A nil value is ignored.
func WithTrustedProxies(p *TrustedProxies) MetadataOption {
	return func(c *metadataConfig) {
		if p != nil {
			c.proxies = p
		}
	}
}

// WithRequestIDGenerator replaces [NewRequestID]. A nil function is ignored.
func WithRequestIDGenerator(f func() string) MetadataOption {
	return func(c *metadataConfig) {
		if f != nil {
			c.newID = f
		}
	}
}

// Metadata returns middleware that builds the request's
// footing.common.v1.RequestMetadata once, puts it in the context
// (identity.WithRequestMetadata) and echoes the request id in the X-Request-Id
// response header. The message keeps its contract's bounds, so it always
// validates and marshals: the user agent and procedure are cut to 1024 and 512
// bytes at a character boundary, a traceparent over 128 bytes is left out, and
// bytes that are not UTF-8 become U+FFFD. The context also gets an empty identity.PrincipalSlot, which
// authentication further down fills (gatewaycore/auth does) instead of copying the
// request again.
func Metadata(opts ...MetadataOption) func(http.Handler) http.Handler {
	c := metadataConfig{proxies: &TrustedProxies{}, newID: NewRequestID}
	for _, opt := range opts {
		opt(&c)
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			id := headerValue(r.Header, HeaderRequestID)
			if !ValidRequestID(id) {
				id = c.newID()
			}
			// One allocation for the metadata, the principal slot and the response
			// header's value.
			st := &metadataState{
				md: commonv1.RequestMetadata{
					RequestId:   id,
					ClientIp:    c.proxies.ClientIP(r),
					UserAgent:   bounded(headerValue(r.Header, "User-Agent"), maxUserAgent),
					Traceparent: traceparent(headerValue(r.Header, "Traceparent")),
					Procedure:   bounded(Procedure(r), maxProcedure),
				},
				header: [1]string{id},
			}
			w.Header()[HeaderRequestID] = st.header[:] // canonical key: Header.Set without its work
			ctx := identity.WithRequestMetadata(r.Context(), &st.md)
			next.ServeHTTP(w, r.WithContext(identity.WithPrincipalSlot(ctx, &st.slot)))
		})
	}
}

// The bounds footing.common.v1.RequestMetadata puts on its fields
// (contracts/proto/footing/common/v1/metadata.proto).
const (
	maxUserAgent   = 1024
	maxTraceparent = 128
	maxProcedure   = 512
)

// bounded returns s as a proto3 string field within max bytes may hold it: bytes
// that are not UTF-8 (obs-text in a header, %FF in a path) replaced by U+FFFD, and
// cut to max bytes at a character boundary. An ordinary value is returned as it is.
func bounded(s string, max int) string {
	if len(s) <= max && isASCII(s) {
		return s
	}
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut]
}

// traceparent returns the Traceparent header's value, or "" if it is longer than
// RequestMetadata holds or not ASCII: W3C traceparents are 55 characters of hex
// and dashes, and a cut one would name no trace.
func traceparent(v string) string {
	if len(v) > maxTraceparent || !isASCII(v) {
		return ""
	}
	return v
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// metadataState is what [Metadata] allocates per request.
type metadataState struct {
	md     commonv1.RequestMetadata
	slot   identity.PrincipalSlot
	header [1]string
}

// Procedure returns the Connect procedure ("/pkg.Service/Method") or HTTP route of r:
// its URL path, cleaned as gatewaycore's auth, rate-limit and timeout middleware judge
// it ("//pkg.Service/./Method" is "/pkg.Service/Method", "/public/../admin" is
// "/admin"), so logs and metrics name the route that was judged, never a spelling the
// caller chose. Connect, gRPC and gRPC-Web all put the procedure in the path.
func Procedure(r *http.Request) string {
	return routepath.Clean(r.URL.Path)
}

// headerValue is h.Get(key) for a key already in canonical form, without the
// canonicalization Header.Get repeats on every call.
func headerValue(h http.Header, key string) string {
	if v := h[key]; len(v) > 0 {
		return v[0]
	}
	return ""
}
