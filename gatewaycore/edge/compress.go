package edge

import (
	"compress/gzip"
	"net/http"
	"slices"
	"strings"
	"sync"
)

// DefaultCompressMinSize is the smallest response [Compress] compresses by default.
const DefaultCompressMinSize = 1024

var gzipPool = sync.Pool{New: func() any {
	w, _ := gzip.NewWriterLevel(nil, gzip.DefaultCompression)
	return w
}}

// Compress returns middleware that gzips plain HTTP responses of at least minSize
// bytes (<= 0 means [DefaultCompressMinSize]) for clients that accept gzip. It leaves
// alone Connect, gRPC and gRPC-Web requests (they negotiate compression themselves),
// responses that already have a Content-Encoding, partial content (206, whose
// Content-Range counts uncompressed bytes), event streams, and responses marked
// Cache-Control: no-transform. Every response it handles says Vary:
// Accept-Encoding, whether or not this client accepted gzip, so that a shared
// cache keys each one on the header Compress decided on.
//
// Entity tags: the gzip representation is not the identity one, so a gzipped
// response gets its own strong validator (RFC 9110 §8.8.1): the handler's ETag
// "v1" goes out as "v1--gzip" (a weak tag W/"v1" is left as it is), and the
// response drops Accept-Ranges. The handler still judges the tags it issued:
// "--gzip" is taken off the tags of If-None-Match and If-Match before it sees
// them (on a copy of the request), so a client holding the gzip representation
// gets a 304, which names "v1--gzip", and a conditional write with If-Match:
// "v1--gzip" passes while "v1" is current. If-Range keeps the suffix: it does not
// match, and the whole document is sent rather than a range of the identity
// bytes. A handler tag that itself ends in --gzip" is read as Compress's.
//
// Compression and secrets (BREACH): when a response carries a secret (a CSRF
// token, a session value) beside text the caller can choose (a reflected query,
// a search term), the compressed length tells an attacker who can make a victim's
// browser send many requests whether a guess matched, one character at a time,
// through TLS. Mark such responses Cache-Control: no-transform (Compress then
// sends them uncompressed), or keep the secret out of bodies that reflect input.
func Compress(minSize int) func(http.Handler) http.Handler {
	if minSize <= 0 {
		minSize = DefaultCompressMinSize
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if isRPC(r) {
				next.ServeHTTP(w, r)
				return
			}
			cw := &compressWriter{ResponseWriter: w, min: minSize, gzipOK: acceptsGzip(r)}
			r, cw.gzipTags = stripGzipETags(r)
			defer cw.close()
			next.ServeHTTP(cw, r)
		})
	}
}

func acceptsGzip(r *http.Request) bool {
	for _, v := range r.Header.Values("Accept-Encoding") {
		for part := range strings.SplitSeq(v, ",") {
			name, params, _ := strings.Cut(part, ";")
			if strings.EqualFold(strings.TrimSpace(name), "gzip") && !zeroQuality(params) {
				return true
			}
		}
	}
	return false
}

// zeroQuality reports whether params (what follows a coding's ';') set its weight
// to 0: "q=0", "q=0.0", "Q = 0.000" (RFC 9110 §12.4.2), which refuses the coding.
func zeroQuality(params string) bool {
	for p := range strings.SplitSeq(params, ";") {
		k, v, _ := strings.Cut(p, "=")
		if strings.EqualFold(strings.TrimSpace(k), "q") {
			v = strings.TrimSpace(v)
			return v != "" && strings.Trim(v, "0.") == "" && v[0] == '0'
		}
	}
	return false
}

func isRPC(r *http.Request) bool {
	ct := r.Header.Get("Content-Type")
	return r.Header.Get("Connect-Protocol-Version") != "" ||
		strings.HasPrefix(ct, "application/grpc") || strings.HasPrefix(ct, "application/connect+")
}

// compressWriter buffers up to min bytes to decide, then either gzips or passes
// through. For a client that does not accept gzip it decides at once (nothing is
// held back) and only adds Vary.
type compressWriter struct {
	http.ResponseWriter
	min    int
	gzipOK bool // the client accepts gzip
	// gzipTags are the handler's tags (`"v1"`) whose gzip form (`"v1--gzip"`)
	// the request's If-None-Match named: a 304 to it names the gzip form.
	gzipTags []string
	buf      []byte
	status   int
	decided  bool
	gz       *gzip.Writer
}

func (c *compressWriter) WriteHeader(code int) {
	if code >= 100 && code < 200 && code != http.StatusSwitchingProtocols && c.status == 0 {
		// An informational response (103 Early Hints) goes out at once, as
		// net/http sends it; the final status comes later.
		c.ResponseWriter.WriteHeader(code)
		return
	}
	if c.status == 0 {
		c.status = code
	}
	if !c.gzipOK || code < 200 || code == http.StatusNoContent || code == http.StatusNotModified {
		c.decide(false)
	}
}

func (c *compressWriter) Write(b []byte) (int, error) {
	if c.status == 0 {
		c.status = http.StatusOK
	}
	if !c.decided && !c.gzipOK {
		c.decide(false)
	}
	if !c.decided {
		c.buf = append(c.buf, b...)
		if len(c.buf) < c.min {
			return len(b), nil
		}
		c.decide(true)
		return len(b), c.flushBuf()
	}
	if c.gz != nil {
		return c.gz.Write(b)
	}
	return c.ResponseWriter.Write(b)
}

func (c *compressWriter) decide(big bool) {
	if c.decided {
		return
	}
	c.decided = true
	h := c.Header()
	// Whether the response is gzipped depends on Accept-Encoding, whatever this
	// client sent: say so on every response (RFC 9110 §12.5.5), a 304 included
	// (§15.4.5), as the header goes out, so a handler's Header().Set("Vary", …)
	// does not remove it.
	addVaryAcceptEncoding(h)
	ct := h.Get("Content-Type")
	if ct == "" && len(c.buf) > 0 {
		ct = http.DetectContentType(c.buf)
		h.Set("Content-Type", ct)
	}
	// A 206 (or any Content-Range) counts bytes of the uncompressed representation:
	// gzipping it would send other bytes under the same range.
	if c.gzipOK && big && h.Get("Content-Encoding") == "" && c.status != http.StatusPartialContent &&
		h.Get("Content-Range") == "" && compressible(ct) && !noTransform(h) {
		h.Set("Content-Encoding", "gzip")
		h.Del("Content-Length")
		// Compress answers no range of the gzip bytes (a 206 passes
		// uncompressed), and the gzip representation is not the identity
		// one: it gets its own strong validator (RFC 9110 §8.8.1).
		h.Del("Accept-Ranges")
		if et := h.Get("ETag"); strongETag(et) {
			h.Set("ETag", et[:len(et)-1]+etagGzipSuffix+`"`)
		}
		c.gz = gzipPool.Get().(*gzip.Writer)
		c.gz.Reset(c.ResponseWriter)
	}
	if c.status == http.StatusNotModified && c.gzipOK && c.gz == nil && len(c.gzipTags) > 0 {
		// The client holds the gzip representation and the handler found its
		// tag current: the 304 names the tag the client holds, that of the
		// 200 it stands for (RFC 9110 §15.4.5).
		if et := h.Get("ETag"); strongETag(et) && slices.Contains(c.gzipTags, et) {
			h.Set("ETag", et[:len(et)-1]+etagGzipSuffix+`"`)
		}
	}
	if c.status != 0 {
		c.ResponseWriter.WriteHeader(c.status)
	}
}

func (c *compressWriter) flushBuf() error {
	if len(c.buf) == 0 {
		return nil
	}
	var err error
	if c.gz != nil {
		_, err = c.gz.Write(c.buf)
	} else {
		_, err = c.ResponseWriter.Write(c.buf)
	}
	c.buf = nil
	return err
}

// etagGzipSuffix marks the entity tag of a response Compress gzipped: the
// handler's strong tag "v1" becomes "v1--gzip" (Jetty's convention; Apache adds
// "-gzip"). Weak tags are left alone: one may be shared by every content coding.
const etagGzipSuffix = "--gzip"

// strongETag reports whether et is a strong entity tag: a quoted string.
func strongETag(et string) bool {
	return len(et) >= 2 && et[0] == '"' && et[len(et)-1] == '"' && !strings.Contains(et[1:len(et)-1], `"`)
}

// stripGzipETags returns r with the gzip suffix taken off the entity tags of its
// If-None-Match and If-Match, so the handler compares the tags it issued, and the
// handler's tags whose gzip form If-None-Match named. r itself is left as it is;
// a request without such tags is returned unchanged. If-Range keeps the suffix:
// a range of the identity bytes must not be spliced into gzip ones, and with it
// If-Range does not match and the whole document is sent.
func stripGzipETags(r *http.Request) (*http.Request, []string) {
	var clone *http.Request
	var inm []string
	for _, name := range [...]string{"If-None-Match", "If-Match"} {
		values := r.Header.Values(name)
		var out []string
		for i, v := range values {
			if !strings.Contains(v, etagGzipSuffix+`"`) {
				continue
			}
			stripped, bases, ok := stripGzipSuffixes(v)
			if !ok {
				continue // not a list of entity tags: the handler judges it as sent
			}
			if out == nil {
				out = slices.Clone(values)
			}
			out[i] = stripped
			if name == "If-None-Match" {
				inm = append(inm, bases...)
			}
		}
		if out == nil {
			continue
		}
		if clone == nil {
			clone = r.WithContext(r.Context())
			clone.Header = r.Header.Clone()
		}
		clone.Header[name] = out
	}
	if clone == nil {
		return r, nil
	}
	return clone, inm
}

// stripGzipSuffixes rewrites a list of entity tags (RFC 9110 §8.8.3) with the
// gzip suffix taken off each, and returns the strong form of the tags it took it
// off. ok is false when v is not such a list.
func stripGzipSuffixes(v string) (out string, bases []string, ok bool) {
	var b strings.Builder
	for {
		v = strings.TrimLeft(v, " \t,")
		if v == "" {
			return b.String(), bases, true
		}
		if b.Len() > 0 {
			b.WriteString(", ")
		}
		weak := strings.HasPrefix(v, "W/")
		if weak {
			b.WriteString("W/")
			v = v[2:]
		}
		if len(v) < 2 || v[0] != '"' {
			return "", nil, false
		}
		end := strings.IndexByte(v[1:], '"') + 1
		if end == 0 {
			return "", nil, false
		}
		opaque := v[1:end]
		v = v[end+1:]
		if base, cut := strings.CutSuffix(opaque, etagGzipSuffix); cut && base != "" {
			opaque = base
			bases = append(bases, `"`+base+`"`)
		}
		b.WriteString(`"` + opaque + `"`)
	}
}

// addVaryAcceptEncoding adds Accept-Encoding to h's Vary unless it names it
// already (in any case) or is "*".
func addVaryAcceptEncoding(h http.Header) {
	for _, v := range h.Values("Vary") {
		for f := range strings.SplitSeq(v, ",") {
			if f = strings.TrimSpace(f); f == "*" || strings.EqualFold(f, "Accept-Encoding") {
				return
			}
		}
	}
	h.Add("Vary", "Accept-Encoding")
}

// noTransform reports whether h's Cache-Control has the no-transform directive
// (RFC 9111 §5.2.2.6: the content coding must not be changed), in any case.
func noTransform(h http.Header) bool {
	for _, v := range h.Values("Cache-Control") {
		for d := range strings.SplitSeq(v, ",") {
			if strings.EqualFold(strings.TrimSpace(d), "no-transform") {
				return true
			}
		}
	}
	return false
}

func compressible(ct string) bool {
	ct = strings.ToLower(ct)
	switch {
	case strings.HasPrefix(ct, "text/event-stream"):
		return false
	case strings.HasPrefix(ct, "text/"), strings.Contains(ct, "json"), strings.Contains(ct, "javascript"),
		strings.Contains(ct, "xml"), strings.HasPrefix(ct, "image/svg"):
		return true
	}
	return false
}

// Flush sends what is buffered, compressed or not.
func (c *compressWriter) Flush() {
	c.decide(len(c.buf) >= c.min)
	_ = c.flushBuf()
	if c.gz != nil {
		_ = c.gz.Flush()
	}
	_ = http.NewResponseController(c.ResponseWriter).Flush()
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (c *compressWriter) Unwrap() http.ResponseWriter { return c.ResponseWriter }

func (c *compressWriter) close() {
	if !c.decided {
		if c.status == 0 && len(c.buf) == 0 {
			// Nothing was written; net/http sends its own empty 200 with
			// the headers as they are now.
			addVaryAcceptEncoding(c.Header())
			return
		}
		c.decide(false)
	}
	_ = c.flushBuf()
	if c.gz != nil {
		_ = c.gz.Close()
		c.gz.Reset(nil)
		gzipPool.Put(c.gz)
		c.gz = nil
	}
}
