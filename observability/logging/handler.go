package logging

import (
	"context"
	"io"
	"log/slog"
	"slices"

	"go.opentelemetry.io/otel/trace"

	"github.com/footingdev/footing/contracts/identity"
)

// Format is the line format of a [Handler].
type Format int

const (
	// JSON writes one JSON object per line (slog.JSONHandler's format).
	JSON Format = iota
	// Text writes key=value lines (slog.TextHandler's format).
	Text
)

// Keys of the attributes a [Handler] takes from the context.
const (
	TraceIDKey   = "trace_id"
	SpanIDKey    = "span_id"
	RequestIDKey = "request_id"
	TenantKey    = "tenant"
	UserKey      = "user"
)

// Options configures a [Handler]. The zero value writes JSON at Info level.
type Options struct {
	// Format is JSON (the default) or Text.
	Format Format
	// Level is the minimum level written; nil means Info.
	Level slog.Leveler
	// AddSource adds the source file and line of the log call.
	AddSource bool
	// SecretKeys are keys to redact in addition to [DefaultSecretKeys], matched
	// the same way (any case, separators ignored).
	SecretKeys []string
	// ReplaceAttr is passed to the underlying slog handler; it sees attributes
	// after redaction.
	ReplaceAttr func(groups []string, a slog.Attr) slog.Attr
}

// A Handler is an [slog.Handler] that writes through slog's JSON or text handler,
// adds the trace id, span id, request id, tenant and user found in the context of
// each record (the last three from contracts/identity) at the top level, and
// redacts secrets (see the package documentation). It is safe for concurrent use.
type Handler struct {
	base   slog.Handler // the slog handler, with the top-level attributes applied
	groups []openGroup  // groups opened by WithGroup, innermost last
	red    *redactor
	bound  context.Context // the context a FromContext logger was made for, or nil
	w      *lockedWriter   // what base writes to, and WriteRecord's fast path
	// fast is set when WriteRecord may encode lines itself: JSON, no
	// ReplaceAttr or AddSource, nothing added by WithAttrs or WithGroup.
	fast      bool
	addSource bool
}

// openGroup is a group opened by WithGroup and the attributes added inside it.
type openGroup struct {
	name  string
	attrs []slog.Attr
	// secret is set when the group's own name is a secret key: everything in it
	// is redacted.
	secret bool
}

// NewHandler returns a [Handler] writing to w. A nil opts means the defaults.
func NewHandler(w io.Writer, opts *Options) *Handler {
	if opts == nil {
		opts = &Options{}
	}
	ho := &slog.HandlerOptions{Level: opts.Level, AddSource: opts.AddSource, ReplaceAttr: opts.ReplaceAttr}
	lw := &lockedWriter{w: w}
	var base slog.Handler
	if opts.Format == Text {
		base = slog.NewTextHandler(lw, ho)
	} else {
		base = slog.NewJSONHandler(lw, ho)
	}
	return &Handler{
		base: base, red: newRedactor(opts.SecretKeys), w: lw,
		fast:      opts.Format != Text && opts.ReplaceAttr == nil && !opts.AddSource,
		addSource: opts.AddSource,
	}
}

// Enabled reports whether the handler writes records at level.
func (h *Handler) Enabled(ctx context.Context, level slog.Level) bool {
	return h.base.Enabled(ctx, level)
}

// WithAttrs returns a handler whose records carry attrs, redacted now, once.
func (h *Handler) WithAttrs(attrs []slog.Attr) slog.Handler {
	if len(attrs) == 0 {
		return h
	}
	h2 := *h
	h2.fast = false
	if len(h.groups) == 0 {
		h2.base = h.base.WithAttrs(h.red.attrs(attrs))
		return &h2
	}
	h2.groups = slices.Clone(h.groups)
	g := &h2.groups[len(h2.groups)-1]
	if g.secret {
		return h
	}
	g.attrs = slices.Concat(g.attrs, h.red.attrs(attrs))
	return &h2
}

// WithGroup returns a handler that puts the attributes that follow in group name.
func (h *Handler) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}
	h2 := *h
	h2.fast = false
	// A name holding a credential is written redacted (redactKey); whether
	// the group is secret is asked of the name as given.
	written, _ := h.red.redactKey(name)
	h2.groups = append(slices.Clip(h.groups), openGroup{name: written, secret: h.red.secretKey(name)})
	return &h2
}

// Handle redacts r and writes it with the context's ids.
func (h *Handler) Handle(ctx context.Context, r slog.Record) error {
	if h.bound != nil && (ctx == nil || ctx == context.Background() || ctx == context.TODO()) {
		ctx = h.bound
	}
	if ctx == nil {
		ctx = context.Background()
	}
	if len(h.groups) == 0 {
		// One scan of the message for its pre-check (mayHoldCredential) and
		// for writeFast's escaping.
		mc := scanClasses(r.Message)
		if (mc&classCredential == 0 || !h.red.hasCredentialMarker(r.Message)) && h.allClean(r) {
			// allClean has checked keys and strings; writeFast declines other kinds.
			if h.fast && fastTime(r.Time) {
				if ok, err := h.writeFast(ctx, r.Time, r.Level, r.Message, mc, nil, &r, nil); ok {
					return err
				}
			}
			if ok, err := h.handleClean(ctx, r); ok {
				return err
			}
		}
	}
	msg, _ := h.red.redactString(r.Message)
	out := slog.NewRecord(r.Time, r.Level, msg, r.PC)

	// Every attribute goes into one slice and the record in one call, so that the
	// record grows its storage once. Small lines use the stack. The context's ids
	// come last, as on the fast path.
	var buf [16]slog.Attr
	all := buf[:0]
	if n := r.NumAttrs() + 5; n > len(buf) {
		all = make([]slog.Attr, 0, n)
	}
	r.Attrs(func(a slog.Attr) bool {
		if a, ok := h.red.attr(a); ok {
			all = append(all, a)
		}
		return true
	})
	var idBuf [5]slog.Attr
	ids := h.addContext(ctx, idBuf[:0])
	for i := range ids {
		ids[i], _ = h.red.attr(ids[i]) // a string under a key: never dropped
	}
	if len(h.groups) == 0 {
		for _, id := range ids {
			if !hasKey(all, id.Key) {
				all = append(all, id)
			}
		}
	} else {
		if g, ok := h.nest(0, all); ok {
			all = append(all[:0], g)
		} else {
			all = all[:0]
		}
		all = append(all, ids...)
	}
	out.AddAttrs(all...)
	return h.base.Handle(ctx, out)
}

// allClean reports whether no attribute of r needs redacting or resolving.
func (h *Handler) allClean(r slog.Record) bool {
	clean := true
	r.Attrs(func(a slog.Attr) bool {
		clean = h.red.clean(a)
		return clean
	})
	return clean
}

// handleClean writes a record that needs no redaction: as it is when the context
// adds nothing, else a clone with the context's ids (those the record does not
// name) added at the end. It saves copying every attribute into a new record.
// It reports false, having written nothing, when an id it would add needs
// redacting (see cleanContextID).
func (h *Handler) handleClean(ctx context.Context, r slog.Record) (bool, error) {
	var buf [5]slog.Attr
	ids := h.addContext(ctx, buf[:0])
	if len(ids) == 0 {
		return true, h.base.Handle(ctx, r)
	}
	kept := ids[:0]
	for _, id := range ids {
		named := false
		r.Attrs(func(a slog.Attr) bool {
			named = a.Key == id.Key
			return !named
		})
		if !named {
			if !h.red.cleanContextID(id.Value.String()) {
				return false, nil
			}
			kept = append(kept, id)
		}
	}
	r = r.Clone()
	r.AddAttrs(kept...)
	return true, h.base.Handle(ctx, r)
}

// nest builds group i with its attributes and everything opened inside it.
func (h *Handler) nest(i int, own []slog.Attr) (slog.Attr, bool) {
	g := h.groups[i]
	if g.secret {
		if len(g.attrs) == 0 && len(own) == 0 && i == len(h.groups)-1 {
			return slog.Attr{}, false
		}
		return slog.String(g.name, Redacted), true
	}
	attrs := g.attrs
	if i == len(h.groups)-1 {
		attrs = slices.Concat(attrs, own)
	} else if inner, ok := h.nest(i+1, own); ok {
		attrs = append(slices.Clip(attrs), inner)
	}
	if len(attrs) == 0 {
		return slog.Attr{}, false
	}
	return slog.Attr{Key: g.name, Value: slog.GroupValue(attrs...)}, true
}

// addContext appends the context's ids to dst.
func (h *Handler) addContext(ctx context.Context, dst []slog.Attr) []slog.Attr {
	if ctx == nil {
		return dst
	}
	if sc := trace.SpanContextFromContext(ctx); sc.IsValid() {
		dst = append(dst, slog.String(TraceIDKey, sc.TraceID().String()), slog.String(SpanIDKey, sc.SpanID().String()))
	}
	if id := identity.RequestID(ctx); id != "" {
		dst = append(dst, slog.String(RequestIDKey, id))
	}
	if p, ok := identity.PrincipalFrom(ctx); ok {
		if t := p.GetTenantId(); t != "" {
			dst = append(dst, slog.String(TenantKey, t))
		}
		if u := p.GetUserId(); u != "" {
			dst = append(dst, slog.String(UserKey, u))
		}
	}
	return dst
}

func hasKey(attrs []slog.Attr, key string) bool {
	for _, a := range attrs {
		if a.Key == key {
			return true
		}
	}
	return false
}
