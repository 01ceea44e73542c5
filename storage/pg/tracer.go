package pg

import (
	"context"
	"errors"
	"strings"

	"github.com/jackc/pgx/v5"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

const instrumentationName = "github.com/footingdev/footing/storage/pg"

// A TracerOption configures a [Tracer].
type TracerOption func(*Tracer)

// WithTracerProvider sets the provider spans come from; nil keeps the global one.
func WithTracerProvider(tp trace.TracerProvider) TracerOption {
	return func(t *Tracer) {
		if tp != nil {
			t.tp = tp
		}
	}
}

// WithDatabase names the database on spans (db.namespace).
func WithDatabase(name string) TracerOption {
	return func(t *Tracer) { t.db = name }
}

// A Tracer is a pgx [pgx.QueryTracer] and [pgx.BatchTracer] that makes one client span per
// query or batch. Spans carry the SQL text (db.query.text) but never the arguments, which may
// hold secrets, and string literals in the text (dollar-quoted ones too) are redacted to
// '?'. It is safe for concurrent use.
type Tracer struct {
	tp     trace.TracerProvider
	tracer trace.Tracer
	db     string
}

// NewTracer returns a [Tracer].
func NewTracer(opts ...TracerOption) *Tracer {
	t := &Tracer{tp: otel.GetTracerProvider()}
	for _, o := range opts {
		o(t)
	}
	t.tracer = t.tp.Tracer(instrumentationName)
	return t
}

func (t *Tracer) start(ctx context.Context, name, sql string) context.Context {
	attrs := []attribute.KeyValue{attribute.String("db.system.name", "postgresql")}
	if t.db != "" {
		attrs = append(attrs, attribute.String("db.namespace", t.db))
	}
	if sql != "" {
		attrs = append(attrs, attribute.String("db.query.text", redactLiterals(sql)))
	}
	ctx, _ = t.tracer.Start(ctx, name, trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(attrs...))
	return ctx
}

func end(ctx context.Context, err error) {
	span := trace.SpanFromContext(ctx)
	if err != nil {
		span.SetStatus(codes.Error, "query failed")
		span.SetAttributes(attribute.String("error.type", errorType(err)))
	}
	span.End()
}

// errorType is the SQLSTATE when there is one; never the message, which may quote data.
func errorType(err error) string {
	type sqlStater interface{ SQLState() string }
	var s sqlStater
	if errors.As(err, &s) {
		return s.SQLState()
	}
	return "other"
}

// spanName is the first keyword of the statement (SELECT, INSERT, BEGIN ...).
func spanName(sql string) string {
	sql = strings.TrimSpace(sql)
	if i := strings.IndexAny(sql, " \t\n;("); i > 0 {
		sql = sql[:i]
	}
	if sql == "" || len(sql) > 20 {
		return "postgresql"
	}
	return strings.ToUpper(sql)
}

// TraceQueryStart implements [pgx.QueryTracer].
func (t *Tracer) TraceQueryStart(ctx context.Context, _ *pgx.Conn, data pgx.TraceQueryStartData) context.Context {
	return t.start(ctx, spanName(data.SQL), data.SQL)
}

// TraceQueryEnd implements [pgx.QueryTracer].
func (t *Tracer) TraceQueryEnd(ctx context.Context, _ *pgx.Conn, data pgx.TraceQueryEndData) {
	end(ctx, data.Err)
}

// TraceBatchStart implements [pgx.BatchTracer].
func (t *Tracer) TraceBatchStart(ctx context.Context, _ *pgx.Conn, data pgx.TraceBatchStartData) context.Context {
	ctx = t.start(ctx, "batch", "")
	if data.Batch != nil {
		trace.SpanFromContext(ctx).SetAttributes(attribute.Int("db.operation.batch.size", data.Batch.Len()))
	}
	return ctx
}

// TraceBatchQuery implements [pgx.BatchTracer].
func (t *Tracer) TraceBatchQuery(ctx context.Context, _ *pgx.Conn, data pgx.TraceBatchQueryData) {
	if data.Err != nil {
		trace.SpanFromContext(ctx).AddEvent("query failed", trace.WithAttributes(attribute.String("error.type", errorType(data.Err))))
	}
}

// TraceBatchEnd implements [pgx.BatchTracer].
func (t *Tracer) TraceBatchEnd(ctx context.Context, _ *pgx.Conn, data pgx.TraceBatchEndData) {
	end(ctx, data.Err)
}
