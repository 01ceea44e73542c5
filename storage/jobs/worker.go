package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"runtime/debug"
	"strconv"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"

	"github.com/footingdev/footing/contracts/errs"
	"github.com/footingdev/footing/contracts/identity"
	"github.com/footingdev/footing/observability/semconv"
)

const instrumentationName = "github.com/footingdev/footing/storage/jobs"

// instruments are the per-job metrics.
type instruments struct {
	duration metric.Float64Histogram
	attempts metric.Int64Counter
	failures metric.Int64Counter
}

func newInstruments(m metric.Meter) (*instruments, error) {
	var in instruments
	var err, e error
	in.duration, e = m.Float64Histogram(semconv.JobDuration.Name, metric.WithUnit(semconv.JobDuration.Unit), metric.WithDescription(semconv.JobDuration.Description))
	err = errors.Join(err, e)
	in.attempts, e = m.Int64Counter(semconv.JobAttempts.Name, metric.WithUnit(semconv.JobAttempts.Unit), metric.WithDescription(semconv.JobAttempts.Description))
	err = errors.Join(err, e)
	in.failures, e = m.Int64Counter(semconv.JobFailures.Name, metric.WithUnit(semconv.JobFailures.Unit), metric.WithDescription(semconv.JobFailures.Description))
	return &in, errors.Join(err, e)
}

// workerMiddleware restores the enqueuer's context into the worker's and records a span and
// metrics per attempt.
type workerMiddleware struct {
	river.MiddlewareDefaults
	tracer trace.Tracer
	in     *instruments
	logger *slog.Logger
}

// Work implements [rivertype.WorkerMiddleware].
func (w *workerMiddleware) Work(ctx context.Context, job *rivertype.JobRow, doInner func(context.Context) error) error {
	ctx, remote, err := restore(ctx, job.Metadata)
	if err != nil {
		// Unreadable metadata: run without a Principal (tenant-scoped work then fails closed).
		// err names the part, the problem and the byte offset only, never the metadata.
		w.logger.WarnContext(ctx, "jobs: cannot read job metadata", "job_id", job.ID, "kind", job.Kind, "error", err)
	}
	kindQueue := []attribute.KeyValue{attribute.String(semconv.AttrJobKind, job.Kind), attribute.String(semconv.AttrJobQueue, job.Queue)}
	spanAttrs := append([]attribute.KeyValue{
		attribute.Int64("messaging.message.id", job.ID),
		attribute.Int("footing.job.attempt", job.Attempt),
	}, kindQueue...)
	if tid, ok := identity.TenantID(ctx); ok {
		spanAttrs = append(spanAttrs, attribute.String(semconv.AttrTenantID, tid))
	}
	if rid := identity.RequestID(ctx); rid != "" {
		spanAttrs = append(spanAttrs, attribute.String(semconv.AttrRequestID, rid))
	}
	opts := []trace.SpanStartOption{trace.WithSpanKind(trace.SpanKindConsumer), trace.WithAttributes(spanAttrs...)}
	if sc := trace.SpanContextFromContext(remote); sc.IsValid() {
		opts = append(opts, trace.WithLinks(trace.Link{SpanContext: sc}))
	}
	ctx, span := w.tracer.Start(ctx, "job "+job.Kind, opts...)
	defer span.End()

	w.in.attempts.Add(ctx, 1, metric.WithAttributes(kindQueue...))
	start := time.Now()
	err = w.work(ctx, job, doInner)
	outcome := "ok"
	if err != nil {
		outcome = "error"
		var cancel *rivertype.JobCancelError
		var snooze *rivertype.JobSnoozeError
		switch {
		case errors.As(err, &snooze):
			outcome = "snoozed"
		case errors.As(err, &cancel):
			outcome = "cancelled"
		}
		if outcome == "error" || outcome == "cancelled" {
			w.in.failures.Add(ctx, 1, metric.WithAttributes(kindQueue...))
			span.SetStatus(codes.Error, "job failed")
			span.RecordError(err)
		}
	}
	w.in.duration.Record(ctx, time.Since(start).Seconds(), metric.WithAttributes(append(kindQueue, attribute.String(semconv.AttrResult, outcome))...))
	return err
}

// work runs doInner and turns a panic in it into an error, so that the attempt is
// counted, its span marked and the job retried like any failed attempt. The panic is
// logged here with a fresh error id and the stack; the error River records (and logs,
// and keeps in the job row's errors) names only that id: a panic value can quote the
// job's arguments, which may be secrets. A runtime error (nil dereference, index out of
// range) is logged with its message; any other value only with its type.
func (w *workerMiddleware) work(ctx context.Context, job *rivertype.JobRow, doInner func(context.Context) error) (err error) {
	defer func() {
		r := recover()
		if r == nil {
			return
		}
		id := errs.NewErrorID()
		what := fmt.Sprintf("a %T (value not logged: it may hold job data)", r)
		if re, ok := r.(runtime.Error); ok {
			what = re.Error()
		}
		w.logger.ErrorContext(ctx, "jobs: worker panicked; the attempt fails and the job is retried",
			slog.String("error_id", id), slog.Int64("job_id", job.ID), slog.String("kind", job.Kind),
			slog.Int("attempt", job.Attempt), slog.String("panic", what), slog.String("stack", string(debug.Stack())))
		err = fmt.Errorf("jobs: worker panicked (error id %s)", id)
	}()
	return withoutArgValues(doInner(ctx))
}

// withoutArgValues replaces an error of decoding a job's args by one that names the
// field, the problem and the byte offset, never the value. River decodes the args inside
// doInner, before the worker runs, and returns the decoder's error as it is; those of
// encoding/json (a number that does not fit: "cannot unmarshal number 4111111111111111
// into ... int16") and of time.Time ("parsing time \"sk-…\"") quote the value, and the
// span, River's log line at every attempt and the job row's errors would keep it: args
// can be secrets. A worker's own error of one of those types, returned as it is, is
// treated alike; any other error is left unchanged.
func withoutArgValues(err error) error {
	// Only the error itself, never what it wraps: River returns the decoder's error
	// unwrapped, and replacing a worker's wrapping error would lose what River reads
	// from it (river.JobCancel, JobSnooze).
	switch e := err.(type) { //nolint:errorlint // deliberately not unwrapped, see above
	case *json.UnmarshalTypeError:
		problem := "a value of the wrong type"
		if e.Type != nil {
			problem += " for " + e.Type.String()
		}
		return &argsError{problem: problem, field: e.Field, offset: e.Offset}
	case *json.SyntaxError:
		return &argsError{problem: "syntax error", offset: e.Offset}
	case *time.ParseError:
		return &argsError{problem: "a time that does not parse as " + strconv.Quote(e.Layout), offset: -1}
	}
	return err
}

// An argsError says how a job's args failed to decode, without their values.
type argsError struct {
	problem string
	field   string // dotted path, when the decoder names one
	offset  int64  // byte offset in the args, or -1
}

func (e *argsError) Error() string {
	msg := "jobs: job args do not decode: " + e.problem
	if e.field != "" {
		msg += " in field " + e.field
	}
	if e.offset >= 0 {
		msg += " at byte " + strconv.FormatInt(e.offset, 10)
	}
	return msg
}
