package edge

import (
	"crypto/rand"
	"encoding/hex"
	mathrand "math/rand/v2"
	"net/http"
	"sync"

	commonv1 "github.com/footingdev/footing/contracts/gen/go/footing/common/v1"
	"github.com/footingdev/footing/contracts/identity"
	"github.com/footingdev/footing/gatewaycore/internal/routepath"
)

// HeaderRequestID is the header that carries the request id in and out.
const HeaderRequestID = "X-Request-Id"

// MaxRequestIDLen is the longest incoming request id that is accepted.
const MaxRequestIDLen = 128

// ValidRequestID reports whether id is acceptable as an incoming request id: 1 to
// [MaxRequestIDLen] characters from A-Z a-z 0-9 and "-_.:". Anything else is replaced,
// so that a caller cannot inject text into logs.
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
	return true
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
	var b [16]byte
	g := chachaPool.Get().(*mathrand.ChaCha8)
	_, _ = g.Read(b[:]) // ChaCha8.Read never fails.
	chachaPool.Put(g)
	return hex.EncodeToString(b[:])
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
// response header. The context also gets an empty identity.PrincipalSlot, which
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
					UserAgent:   headerValue(r.Header, "User-Agent"),
					Traceparent: headerValue(r.Header, "Traceparent"),
					Procedure:   Procedure(r),
				},
				header: [1]string{id},
			}
			w.Header()[HeaderRequestID] = st.header[:] // canonical key: Header.Set without its work
			ctx := identity.WithRequestMetadata(r.Context(), &st.md)
			next.ServeHTTP(w, r.WithContext(identity.WithPrincipalSlot(ctx, &st.slot)))
		})
	}
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
