package adr

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	commonv1 "github.com/footingdev/footing/contracts/gen/go/footing/common/v1"
	"github.com/footingdev/footing/contracts/identity"
	adrv1 "github.com/footingdev/footing/examples/gen/go/footing/examples/adr/v1"
	"github.com/footingdev/footing/storage/rls"
)

// DefaultMaxWatchersPerTenant is how many WatchADRs streams one tenant may hold open
// on one instance unless [WithMaxWatchersPerTenant] says otherwise.
const DefaultMaxWatchersPerTenant = 100

// A HubOption configures a [Hub].
type HubOption func(*Hub)

// WithMaxWatchersPerTenant bounds the subscriptions one tenant may hold at once on this
// hub; past it, WatchADRs is ResourceExhausted. Each costs a goroutine, a connection and
// a buffer of changes, so without a bound one tenant's credential could hold them by the
// hundred thousand. n <= 0 is ignored.
func WithMaxWatchersPerTenant(n int) HubOption {
	return func(h *Hub) {
		if n > 0 {
			h.maxPerTenant = n
		}
	}
}

// DefaultMaxWatchers is how many WatchADRs streams one instance holds open, across
// tenants, unless [WithMaxWatchers] says otherwise.
const DefaultMaxWatchers = 10_000

// WithMaxWatchers bounds the subscriptions the hub holds at once, across tenants; past
// it, WatchADRs is Unavailable WATCH_CAPACITY (another instance may have room). The
// per-tenant bound alone let many tenants, or one caller holding tokens of many, hold
// them without bound. n <= 0 is ignored.
func WithMaxWatchers(n int) HubOption {
	return func(h *Hub) {
		if n > 0 {
			h.maxTotal = n
		}
	}
}

// DefaultChangeReadTimeout is how long the hub waits to read a change it was told
// of, unless [WithChangeReadTimeout] says otherwise.
const DefaultChangeReadTimeout = 5 * time.Second

// WithChangeReadTimeout bounds each read of a change the hub was told of. The hub
// reads changes one at a time, so one read that hangs (a lock on adr_changes, a
// stalled connection) would stall every watch on the instance; past the bound the
// tenant's watches end with Unavailable WATCH_ENDED and the hub goes on. d <= 0 is
// ignored.
func WithChangeReadTimeout(d time.Duration) HubOption {
	return func(h *Hub) {
		if d > 0 {
			h.readTimeout = d
		}
	}
}

// ErrTooManyWatchers is Subscribe's error when the tenant holds the maximum.
var ErrTooManyWatchers = errors.New("adr watch: the tenant holds the maximum number of watches")

// ErrAtCapacity is Subscribe's error when the hub holds [WithMaxWatchers] subscriptions.
var ErrAtCapacity = errors.New("adr watch: this instance holds the maximum number of watches")

// errNotListening ends the subscriptions that may have missed changes: those open when
// the hub's LISTEN connection broke, or when a change could not be read, and those
// started while it does not listen. The client lists again and watches again.
var errNotListening = errors.New("the change feed was interrupted and changes may have been missed; list again and watch again")

// subscriptionBuffer is how many changes a watcher may fall behind before it is cut
// off (its stream then ends with Unavailable WATCH_ENDED, and it may watch again).
const subscriptionBuffer = 256

// Hub listens on [NotifyChannel] with one connection per instance and fans each
// change out to the watchers of its tenant. Changes made on any instance reach the
// watchers on every instance.
type Hub struct {
	pool   *pgxpool.Pool
	logger *slog.Logger

	mu   sync.Mutex
	subs map[string]map[*Subscription]struct{} // the subscriptions changes are delivered to
	// held counts each tenant's subscriptions not yet Closed, ended or not: the bound of
	// WithMaxWatchersPerTenant. A watcher cut off for falling behind may still be
	// blocked writing to its connection, holding what it was sending, until its handler
	// returns and closes it.
	held   map[string]int
	total  int // the sum of held
	closed bool
	// listening is true while the LISTEN connection is up: only then are changes heard.
	listening bool
	ready     chan struct{}

	maxPerTenant int
	maxTotal     int
	readTimeout  time.Duration
}

// A Subscription receives the changes of one tenant.
type Subscription struct {
	hub    *Hub
	tenant string
	c      chan *adrv1.WatchADRsResponse
	done   chan struct{}
	once   sync.Once
	err    error // why it ended; set before done is closed
	held   bool  // counted in hub.held; guarded by hub.mu
}

// NewHub returns a Hub on pool; start it with Run.
func NewHub(pool *pgxpool.Pool, logger *slog.Logger, opts ...HubOption) *Hub {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	h := &Hub{pool: pool, logger: logger, subs: map[string]map[*Subscription]struct{}{}, held: map[string]int{}, ready: make(chan struct{}),
		maxPerTenant: DefaultMaxWatchersPerTenant, maxTotal: DefaultMaxWatchers, readTimeout: DefaultChangeReadTimeout}
	for _, o := range opts {
		o(h)
	}
	return h
}

// Ready is closed once the hub listens, so changes committed after it are seen.
func (h *Hub) Ready() <-chan struct{} { return h.ready }

// Run listens until ctx is done, reconnecting with backoff when the connection
// breaks. The changes committed while it reconnects are not heard, so the
// subscriptions open when it broke end then (as do a tenant's when one of its changes
// cannot be read): their watchers list again and watch again. When it returns, every
// subscription has ended.
func (h *Hub) Run(ctx context.Context) error {
	defer h.closeAll(errors.New("the server is shutting down"))
	backoff := 100 * time.Millisecond
	var once sync.Once
	for {
		err := h.listen(ctx, func() { once.Do(func() { close(h.ready) }) })
		if ctx.Err() != nil {
			return nil
		}
		// Changes committed until the hub listens again are never heard: end the
		// watches now rather than let them go on without them.
		h.interrupted()
		h.logger.WarnContext(ctx, "adr watch: listener failed; reconnecting", "error", err, "backoff", backoff)
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 5*time.Second)
	}
}

func (h *Hub) listen(ctx context.Context, ready func()) error {
	pooled, err := h.pool.Acquire(ctx)
	if err != nil {
		return err
	}
	// A connection that LISTENed must not go back to the pool: take it out for good.
	conn := pooled.Hijack()
	defer conn.Close(context.WithoutCancel(ctx)) //nolint:errcheck // best effort on a connection we drop
	if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{NotifyChannel}.Sanitize()); err != nil {
		return err
	}
	h.mu.Lock()
	h.listening = true
	h.mu.Unlock()
	ready()
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		h.deliver(ctx, n.Payload)
	}
}

// parseNotification reads a [NotifyChannel] payload as Store writes it: "<tenant
// id>:<change seq>", the tenant a canonical UUID (Postgres's spelling) and the sequence
// a positive decimal without sign or leading zeros. Any role that can connect may
// NOTIFY on the channel, so anything else is refused rather than looked up.
func parseNotification(payload string) (tenant string, seq int64, ok bool) {
	tenant, seqText, ok := strings.Cut(payload, ":")
	if !ok {
		return "", 0, false
	}
	if u, err := uuid.Parse(tenant); err != nil || u.String() != tenant {
		return "", 0, false
	}
	seq, err := strconv.ParseInt(seqText, 10, 64)
	if err != nil || seq <= 0 || strconv.FormatInt(seq, 10) != seqText {
		return "", 0, false
	}
	return tenant, seq, true
}

func (h *Hub) deliver(ctx context.Context, payload string) {
	tenant, seq, ok := parseNotification(payload)
	if !ok {
		h.logger.WarnContext(ctx, "adr watch: malformed notification", "bytes", len(payload))
		return
	}
	h.mu.Lock()
	watchers := len(h.subs[tenant])
	h.mu.Unlock()
	if watchers == 0 {
		return
	}
	readCtx, cancel := context.WithTimeout(ctx, h.readTimeout)
	ev, err := h.load(readCtx, tenant, seq)
	cancel()
	if errors.Is(err, pgx.ErrNoRows) {
		// No such change in that tenant: a forged notification (any role that can
		// connect may NOTIFY), nothing missed; or, with the hub more than
		// ChangeRetention behind, one dropped already.
		h.logger.WarnContext(ctx, "adr watch: notification names no change of its tenant", "tenant", tenant, "seq", seq)
		return
	}
	if err != nil && ctx.Err() != nil {
		return // Shutting down: Run ends every subscription, saying so.
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if err != nil {
		h.logger.ErrorContext(ctx, "adr watch: load change; ending the tenant's watches", "tenant", tenant, "seq", seq, "error", err)
		for s := range h.subs[tenant] {
			h.endLocked(s, errNotListening)
		}
		return
	}
	for s := range h.subs[tenant] {
		select {
		case s.c <- ev:
		default:
			h.endLocked(s, fmt.Errorf("the watcher fell more than %d changes behind", subscriptionBuffer))
		}
	}
}

// load reads one change row, acting for its tenant.
func (h *Hub) load(ctx context.Context, tenant string, seq int64) (*adrv1.WatchADRsResponse, error) {
	ctx = identity.WithPrincipal(ctx, &commonv1.Principal{
		Subject: "system:adr-watch", TenantId: tenant, AuthMethod: commonv1.AuthMethod_AUTH_METHOD_SYSTEM,
	})
	var kind int16
	var body []byte
	var at time.Time
	err := rls.InTenant(ctx, h.pool, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `SELECT kind, adr, change_time FROM adr_changes WHERE seq = $1`, seq).Scan(&kind, &body, &at)
	})
	if err != nil {
		return nil, err
	}
	a := &adrv1.ADR{}
	if err := proto.Unmarshal(body, a); err != nil {
		return nil, err
	}
	return &adrv1.WatchADRsResponse{Kind: adrv1.WatchADRsResponse_Kind(kind), Adr: a, Time: timestamppb.New(at)}, nil
}

// Subscribe starts receiving tenant's changes. Close the subscription when done. When
// the tenant already holds the maximum number of subscriptions it returns
// ErrTooManyWatchers and a nil subscription (ErrAtCapacity when the hub holds
// WithMaxWatchers across tenants); a subscription holds its place until it is
// closed, even once the hub has ended it. While the hub does not listen (before
// Run's LISTEN, while it reconnects, after it returned) the subscription is ended
// already, Err saying why: it would miss changes.
func (h *Hub) Subscribe(tenant string) (*Subscription, error) {
	s := &Subscription{hub: h, tenant: tenant, c: make(chan *adrv1.WatchADRsResponse, subscriptionBuffer), done: make(chan struct{})}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		s.end(errors.New("the server is shutting down"))
		return s, nil
	}
	if !h.listening {
		s.end(errNotListening)
		return s, nil
	}
	if h.held[tenant] >= h.maxPerTenant {
		return nil, ErrTooManyWatchers
	}
	if h.total >= h.maxTotal {
		return nil, ErrAtCapacity
	}
	h.held[tenant]++
	h.total++
	s.held = true
	if h.subs[tenant] == nil {
		h.subs[tenant] = map[*Subscription]struct{}{}
	}
	h.subs[tenant][s] = struct{}{}
	return s, nil
}

// C delivers the changes.
func (s *Subscription) C() <-chan *adrv1.WatchADRsResponse { return s.c }

// Done is closed when the subscription ends; Err then says why.
func (s *Subscription) Done() <-chan struct{} { return s.done }

// Err says why the subscription ended, once Done is closed.
func (s *Subscription) Err() error {
	<-s.done
	return s.err
}

// Close ends the subscription and gives back its place: until then it counts towards
// the tenant's maximum, even once ended.
func (s *Subscription) Close() {
	h := s.hub
	h.mu.Lock()
	defer h.mu.Unlock()
	if s.held {
		s.held = false
		h.total--
		if h.held[s.tenant]--; h.held[s.tenant] <= 0 {
			delete(h.held, s.tenant)
		}
	}
	h.endLocked(s, nil)
}

func (s *Subscription) end(err error) {
	s.once.Do(func() {
		s.err = err
		close(s.done)
	})
}

func (h *Hub) endLocked(s *Subscription, err error) {
	if m := h.subs[s.tenant]; m != nil {
		delete(m, s)
		if len(m) == 0 {
			delete(h.subs, s.tenant)
		}
	}
	s.end(err)
}

// interrupted ends every subscription with errNotListening: the LISTEN connection is
// gone, and the hub does not listen until Run has connected again.
func (h *Hub) interrupted() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.listening = false
	for _, m := range h.subs {
		for s := range m {
			h.endLocked(s, errNotListening)
		}
	}
}

func (h *Hub) closeAll(err error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.closed = true
	for _, m := range h.subs {
		for s := range m {
			h.endLocked(s, err)
		}
	}
}
