package server

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// Config configures a [Server]. Its zero value serves cleartext on 127.0.0.1:8080
// with the defaults below; gatewaycore/config loads it from the environment.
type Config struct {
	// Addr is host:port to listen on.
	Addr string `env:"ADDR" default:"127.0.0.1:8080"`
	// AdminAddr is host:port of the admin listener, which serves the handler given
	// with [WithAdmin] (metrics, probes) in cleartext HTTP/1.1 and h2c, for the
	// whole life of the server, its drain included. Empty (the default) means no
	// admin listener. Keep it reachable only inside the cluster.
	AdminAddr string `env:"ADMIN_ADDR"`
	// TLSCertFile and TLSKeyFile, both set, serve TLS (HTTP/1.1 and HTTP/2). The
	// files are read again when they change, so a renewed certificate is served from
	// the next handshake on; one that does not load (a rotation half written) leaves
	// the last good pair in use, and a warning is logged.
	TLSCertFile string `env:"TLS_CERT_FILE"`
	TLSKeyFile  string `env:"TLS_KEY_FILE"`
	// ReadHeaderTimeout bounds reading request headers. Default 10s.
	ReadHeaderTimeout time.Duration `env:"READ_HEADER_TIMEOUT" default:"10s"`
	// ReadTimeout bounds reading a whole request; zero (the default) leaves it to
	// per-route deadlines, since client streams may be long.
	ReadTimeout time.Duration `env:"READ_TIMEOUT"`
	// WriteTimeout bounds writing a response; zero (the default) for server streams.
	WriteTimeout time.Duration `env:"WRITE_TIMEOUT"`
	// IdleTimeout closes keep-alive connections idle this long. Default 120s.
	IdleTimeout time.Duration `env:"IDLE_TIMEOUT" default:"120s"`
	// MaxHeaderBytes bounds request headers. Default 1 MiB.
	MaxHeaderBytes int `env:"MAX_HEADER_BYTES" default:"1048576"`
	// DrainDelay is how long readiness is false before the listener closes.
	// Default 5s; negative means none.
	DrainDelay time.Duration `env:"DRAIN_DELAY" default:"5s"`
	// ShutdownTimeout bounds how long in-flight requests and streams may take to
	// finish after the listener closes. Default 30s.
	ShutdownTimeout time.Duration `env:"SHUTDOWN_TIMEOUT" default:"30s"`
	// CloseTimeout bounds the registered closers, all together: one still running
	// then is abandoned and those after it are not run. Default 10s.
	CloseTimeout time.Duration `env:"CLOSE_TIMEOUT" default:"10s"`
}

func (c Config) withDefaults() Config {
	if c.Addr == "" {
		c.Addr = "127.0.0.1:8080"
	}
	if c.ReadHeaderTimeout == 0 {
		c.ReadHeaderTimeout = 10 * time.Second
	}
	if c.IdleTimeout == 0 {
		c.IdleTimeout = 120 * time.Second
	}
	if c.MaxHeaderBytes == 0 {
		c.MaxHeaderBytes = 1 << 20
	}
	if c.DrainDelay == 0 {
		c.DrainDelay = 5 * time.Second
	}
	if c.ShutdownTimeout == 0 {
		c.ShutdownTimeout = 30 * time.Second
	}
	if c.CloseTimeout == 0 {
		c.CloseTimeout = 10 * time.Second
	}
	return c
}

// Validate reports every problem with c at once.
func (c Config) Validate() error {
	var problems []error
	if (c.TLSCertFile == "") != (c.TLSKeyFile == "") {
		problems = append(problems, errors.New("TLS_CERT_FILE and TLS_KEY_FILE must be set together"))
	}
	addrHost, addrPort, addrErr := net.SplitHostPort(c.withDefaults().Addr)
	if addrErr != nil {
		problems = append(problems, fmt.Errorf("ADDR %q: want host:port", c.Addr))
	}
	if c.AdminAddr != "" {
		host, port, err := net.SplitHostPort(c.AdminAddr)
		switch {
		case err != nil:
			problems = append(problems, fmt.Errorf("ADMIN_ADDR %q: want host:port", c.AdminAddr))
		case addrErr == nil && sameSocket(host, port, addrHost, addrPort):
			problems = append(problems, fmt.Errorf("ADMIN_ADDR %q: must differ from ADDR %q", c.AdminAddr, c.withDefaults().Addr))
		}
	}
	for name, d := range map[string]time.Duration{
		"READ_HEADER_TIMEOUT": c.ReadHeaderTimeout, "READ_TIMEOUT": c.ReadTimeout, "WRITE_TIMEOUT": c.WriteTimeout,
		"IDLE_TIMEOUT": c.IdleTimeout, "SHUTDOWN_TIMEOUT": c.ShutdownTimeout, "CLOSE_TIMEOUT": c.CloseTimeout,
	} {
		if d < 0 {
			problems = append(problems, fmt.Errorf("%s must not be negative", name))
		}
	}
	if c.MaxHeaderBytes < 0 {
		problems = append(problems, errors.New("MAX_HEADER_BYTES must not be negative"))
	}
	return errors.Join(problems...)
}

// sameSocket reports whether two host:port pairs would bind the same port: the
// same port (not 0, which picks a free one) on the same host or on a wildcard.
func sameSocket(host1, port1, host2, port2 string) bool {
	if port1 != port2 || port1 == "0" || port1 == "" {
		return false
	}
	wildcard := func(h string) bool { return h == "" || h == "0.0.0.0" || h == "::" }
	return host1 == host2 || wildcard(host1) || wildcard(host2)
}

// Readiness is what the server turns off when a shutdown starts; *health.Checker
// implements it. If it also has a Drain method (*health.Checker's ends open gRPC
// health Watch streams, which would otherwise hold the shutdown until
// ShutdownTimeout), the server calls Drain instead of SetReady(false).
type Readiness interface {
	SetReady(ready bool)
}

// An Option configures a [Server].
type Option func(*Server)

// WithReadiness sets the readiness switch to turn off at shutdown. Nil is ignored.
func WithReadiness(r Readiness) Option {
	return func(s *Server) {
		if r != nil {
			s.readiness = r
		}
	}
}

// WithLogger sets the logger for lifecycle events. Default slog.Default(); nil is ignored.
func WithLogger(l *slog.Logger) Option {
	return func(s *Server) {
		if l != nil {
			s.log = l
		}
	}
}

// WithTLSConfig sets the TLS configuration (certificates and all) instead of
// TLSCertFile/TLSKeyFile. Nil is ignored.
func WithTLSConfig(c *tls.Config) Option {
	return func(s *Server) {
		if c != nil {
			s.tls = c.Clone()
		}
	}
}

// WithAdmin sets the handler of the admin listener (Config.AdminAddr): typically
// /metrics, /healthz and /readyz, kept off the public listener. Nil is ignored.
func WithAdmin(h http.Handler) Option {
	return func(s *Server) {
		if h != nil {
			s.adminHandler = h
		}
	}
}

// The admin listener's own timeouts: its answers are short (a scrape, a probe),
// but leave room for a profile of up to a minute should the handler serve pprof.
const (
	adminReadTimeout     = 30 * time.Second
	adminWriteTimeout    = 90 * time.Second
	adminShutdownTimeout = 5 * time.Second
)

type closer struct {
	name string
	fn   func(context.Context) error
}

// A Server is an http.Server with a graceful lifecycle. Serve it once.
type Server struct {
	cfg       Config
	http      *http.Server
	readiness Readiness
	log       *slog.Logger
	tls       *tls.Config

	adminHandler http.Handler
	admin        *http.Server

	mu      sync.Mutex
	closers []closer

	// handlers counts the handlers running, on both listeners: http.Server.Shutdown
	// does not wait for those that hijacked their connection, nor does Close for
	// those past the deadline, and the closers must not pull their pool away.
	handlers atomic.Int64

	baseCancel context.CancelFunc
}

// New returns a [Server] for handler. It reports every configuration problem at once.
func New(cfg Config, handler http.Handler, opts ...Option) (*Server, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("server: %w", err)
	}
	cfg = cfg.withDefaults()
	s := &Server{cfg: cfg, log: slog.Default()}
	for _, opt := range opts {
		opt(s)
	}
	if cfg.AdminAddr != "" && s.adminHandler == nil {
		return nil, errors.New("server: ADMIN_ADDR is set but no admin handler was given (server.WithAdmin)")
	}
	if s.tls == nil && cfg.TLSCertFile != "" {
		files, err := loadCertFiles(cfg.TLSCertFile, cfg.TLSKeyFile, s.log)
		if err != nil {
			return nil, fmt.Errorf("server: TLS key pair: %w", err)
		}
		s.tls = &tls.Config{GetCertificate: files.getCertificate, MinVersion: tls.VersionTLS12}
	}
	var protocols http.Protocols
	protocols.SetHTTP1(true)
	if s.tls != nil {
		protocols.SetHTTP2(true)
	} else {
		protocols.SetUnencryptedHTTP2(true)
	}
	base, cancel := context.WithCancel(context.Background())
	s.baseCancel = cancel
	s.http = &http.Server{
		Addr:              cfg.Addr,
		Handler:           s.counted(handler),
		Protocols:         &protocols,
		TLSConfig:         s.tls,
		ReadHeaderTimeout: cfg.ReadHeaderTimeout,
		ReadTimeout:       cfg.ReadTimeout,
		WriteTimeout:      cfg.WriteTimeout,
		IdleTimeout:       cfg.IdleTimeout,
		MaxHeaderBytes:    cfg.MaxHeaderBytes,
		BaseContext:       func(net.Listener) context.Context { return base },
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelDebug),
	}
	if s.adminHandler != nil {
		var adminProtocols http.Protocols
		adminProtocols.SetHTTP1(true)
		adminProtocols.SetUnencryptedHTTP2(true)
		s.admin = &http.Server{
			Addr:              cfg.AdminAddr,
			Handler:           s.counted(s.adminHandler),
			Protocols:         &adminProtocols,
			ReadHeaderTimeout: cfg.ReadHeaderTimeout,
			ReadTimeout:       adminReadTimeout,
			WriteTimeout:      adminWriteTimeout,
			IdleTimeout:       cfg.IdleTimeout,
			MaxHeaderBytes:    cfg.MaxHeaderBytes,
			ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelDebug),
		}
	}
	return s, nil
}

// OnShutdown registers a closer to run after the last request has finished.
// Closers run in reverse order of registration (last opened, first closed), with a
// context that ends at CloseTimeout, which bounds them all together. A closer that
// panics is reported as failed and the others still run; one still running at
// CloseTimeout is abandoned, and the closers after it are not run: Serve's error
// names both, and the shutdown ends.
func (s *Server) OnShutdown(name string, fn func(context.Context) error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closers = append(s.closers, closer{name, fn})
}

// Run listens on Config.Addr (and Config.AdminAddr, if set) and serves until ctx
// is done or the process gets SIGINT or SIGTERM, then shuts down gracefully; a
// second SIGINT or SIGTERM during the shutdown ends the process at once. It
// returns nil after a clean shutdown. A listen failure is reported naming the
// variable (ADDR or ADMIN_ADDR); nothing is served then, and no closer runs.
func (s *Server) Run(ctx context.Context) error {
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	ln, err := net.Listen("tcp", s.cfg.Addr)
	if err != nil {
		return fmt.Errorf("server: listen on ADDR %s: %w", s.cfg.Addr, err)
	}
	var admin net.Listener
	if s.cfg.AdminAddr != "" {
		if admin, err = net.Listen("tcp", s.cfg.AdminAddr); err != nil {
			_ = ln.Close()
			return fmt.Errorf("server: listen on ADMIN_ADDR %s: %w", s.cfg.AdminAddr, err)
		}
	}
	// Once the shutdown starts, stop gives the signals their default behaviour
	// back, so that a second SIGINT or SIGTERM ends the process at once instead of
	// waiting out the drain.
	return s.serve(ctx, ln, admin, stop)
}

// Serve serves on ln until ctx is done, then shuts down gracefully (see the
// package documentation). It takes ownership of ln. If Config.AdminAddr is set, it
// listens there too, for the admin handler; failing that, it closes ln, runs the
// closers and reports ADMIN_ADDR. [Server.ServeWithAdmin] takes that listener
// instead.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	var admin net.Listener
	if s.cfg.AdminAddr != "" {
		var err error
		if admin, err = net.Listen("tcp", s.cfg.AdminAddr); err != nil {
			_ = ln.Close()
			return errors.Join(fmt.Errorf("server: listen on ADMIN_ADDR %s: %w", s.cfg.AdminAddr, err), s.runClosers())
		}
	}
	return s.serve(ctx, ln, admin, nil)
}

// ServeWithAdmin is [Server.Serve] with the admin listener given (Config.AdminAddr
// is not used): admin serves the [WithAdmin] handler from now until ln has
// drained, so that metrics and probes stay answerable during the shutdown; it
// closes after the in-flight requests of ln have finished (or been cut at the
// deadline) and before the closers run. A nil admin means no admin listener. It
// takes ownership of both listeners.
func (s *Server) ServeWithAdmin(ctx context.Context, ln, admin net.Listener) error {
	if admin != nil && s.admin == nil {
		_ = ln.Close()
		_ = admin.Close()
		return errors.Join(errors.New("server: an admin listener was given but no admin handler (server.WithAdmin)"), s.runClosers())
	}
	return s.serve(ctx, ln, admin, nil)
}

// serve serves on ln and adminLn until ctx is done, then shuts down; onDone, if
// not nil, is called as the shutdown starts.
func (s *Server) serve(ctx context.Context, ln, adminLn net.Listener, onDone func()) error {
	errc := make(chan error, 1)
	go func() {
		var err error
		if s.tls != nil {
			err = s.http.ServeTLS(ln, "", "")
		} else {
			err = s.http.Serve(ln)
		}
		errc <- err
	}()
	s.log.InfoContext(ctx, "serving", "addr", ln.Addr().String(), "tls", s.tls != nil)
	var adminErrc chan error
	if adminLn != nil {
		adminErrc = make(chan error, 1)
		go func() { adminErrc <- s.admin.Serve(adminLn) }()
		s.log.InfoContext(ctx, "serving admin", "addr", adminLn.Addr().String())
	}
	var adminFailed error
	select {
	case err := <-errc:
		s.baseCancel()
		return errors.Join(fmt.Errorf("server: %w", err), s.stopAdmin(adminErrc), s.waitHandlers(), s.runClosers())
	case err := <-adminErrc:
		// The admin listener failed: metrics and probes are gone, so shut down
		// gracefully and say why.
		adminFailed = fmt.Errorf("server: admin listener: %w", err)
		s.log.ErrorContext(ctx, "admin listener failed; shutting down", "error", err)
		served := make(chan error, 1)
		served <- nil
		adminErrc = served // Still shut it down: its open connections close.
	case <-ctx.Done():
	}
	if onDone != nil {
		onDone()
	}
	return errors.Join(adminFailed, s.shutdown(errc, adminErrc))
}

func (s *Server) shutdown(errc, adminErrc <-chan error) error {
	ctx := context.Background()
	if d, ok := s.readiness.(interface{ Drain() }); ok {
		d.Drain()
	} else if s.readiness != nil {
		s.readiness.SetReady(false)
	}
	s.log.InfoContext(ctx, "shutting down: readiness off, draining", "drain_delay", s.cfg.DrainDelay)
	if s.cfg.DrainDelay > 0 {
		time.Sleep(s.cfg.DrainDelay)
	}
	var errsOut []error
	sctx, cancel := context.WithTimeout(ctx, s.cfg.ShutdownTimeout)
	err := s.http.Shutdown(sctx)
	cancel()
	if err != nil {
		// Past the deadline: tell the remaining handlers, then cut their connections.
		s.log.WarnContext(ctx, "shutdown deadline passed; cancelling in-flight requests", "error", err)
		s.baseCancel()
		_ = s.http.Close()
		errsOut = append(errsOut, fmt.Errorf("server: in-flight requests did not finish within %s", s.cfg.ShutdownTimeout))
	}
	s.baseCancel()
	if serveErr := <-errc; serveErr != nil && !errors.Is(serveErr, http.ErrServerClosed) {
		errsOut = append(errsOut, fmt.Errorf("server: %w", serveErr))
	}
	// The main listener has drained: now the admin one (metrics, probes) may go.
	errsOut = append(errsOut, s.stopAdmin(adminErrc), s.waitHandlers(), s.runClosers())
	s.log.InfoContext(ctx, "shut down")
	return errors.Join(errsOut...)
}

// counted wraps h so that s knows how many of its handlers are running.
func (s *Server) counted(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.handlers.Add(1)
		defer s.handlers.Add(-1)
		h.ServeHTTP(w, r)
	})
}

// waitHandlers waits, up to CloseTimeout, for the handlers still running once the
// listeners are shut: ones that hijacked their connection (Shutdown does not track
// them) and ones past the shutdown deadline, whose contexts are cancelled but which
// may still be unwinding. The closers run after them, so that no handler finds its
// pool closed under it.
func (s *Server) waitHandlers() error {
	if s.handlers.Load() == 0 {
		return nil
	}
	s.log.Info("waiting for handlers that are still running", "handlers", s.handlers.Load())
	deadline := time.Now().Add(s.cfg.CloseTimeout)
	for s.handlers.Load() > 0 {
		if !time.Now().Before(deadline) {
			n := s.handlers.Load()
			s.log.Warn("handlers still running after CLOSE_TIMEOUT; closing anyway", "handlers", n)
			return fmt.Errorf("server: %d handlers were still running after %s; closers ran anyway", n, s.cfg.CloseTimeout)
		}
		time.Sleep(5 * time.Millisecond)
	}
	return nil
}

// stopAdmin shuts the admin listener down, if it is serving (adminErrc not nil):
// its requests get a few seconds to finish, then their connections are closed.
func (s *Server) stopAdmin(adminErrc <-chan error) error {
	if adminErrc == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), min(adminShutdownTimeout, s.cfg.ShutdownTimeout))
	defer cancel()
	if err := s.admin.Shutdown(ctx); err != nil {
		s.log.WarnContext(ctx, "admin requests did not finish; closing their connections", "error", err)
		_ = s.admin.Close()
	}
	if err := <-adminErrc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("server: admin listener: %w", err)
	}
	return nil
}

// runClosers runs the registered closers in reverse order, all within CloseTimeout.
// Each runs in a goroutine of its own: a closer that panics is reported as failed
// (its value and stack logged) and the others still run; one that has not returned
// at CloseTimeout — it ignores its context, or waits for something that never
// comes — is abandoned and named, and the closers after it are not run (their
// context is done) but named too, so the shutdown always ends.
func (s *Server) runClosers() error {
	s.mu.Lock()
	closers := s.closers
	s.closers = nil
	s.mu.Unlock()
	if len(closers) == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), s.cfg.CloseTimeout)
	defer cancel()
	var out []error
	for i := len(closers) - 1; i >= 0; i-- {
		c := closers[i]
		if ctx.Err() != nil {
			return errors.Join(append(out, s.notClosed(closers[:i+1]))...)
		}
		done := make(chan error, 1)
		go func() { done <- s.runCloser(ctx, c) }()
		var err error
		select {
		case err = <-done:
		case <-ctx.Done():
			select {
			case err = <-done: // it returned as the deadline passed
			default:
				s.log.Error("closer did not return within CLOSE_TIMEOUT; abandoning it", "closer", c.name, "close_timeout", s.cfg.CloseTimeout)
				out = append(out, fmt.Errorf("server: closing %s: did not return within CLOSE_TIMEOUT (%s)", c.name, s.cfg.CloseTimeout))
				if i > 0 {
					out = append(out, s.notClosed(closers[:i]))
				}
				return errors.Join(out...)
			}
		}
		if err != nil {
			out = append(out, fmt.Errorf("server: closing %s: %w", c.name, err))
		}
	}
	return errors.Join(out...)
}

// runCloser calls c, turning a panic into an error (its value and stack logged).
func (s *Server) runCloser(ctx context.Context, c closer) (err error) {
	defer func() {
		if v := recover(); v != nil {
			s.log.Error("closer panicked", "closer", c.name, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
			err = fmt.Errorf("panicked: %v", v)
		}
	}()
	return c.fn(ctx)
}

// notClosed reports closers, given in registration order, that were not run because
// CloseTimeout had passed, naming them in the order they would have run.
func (s *Server) notClosed(closers []closer) error {
	names := make([]string, 0, len(closers))
	for i := len(closers) - 1; i >= 0; i-- {
		names = append(names, closers[i].name)
	}
	s.log.Error("CLOSE_TIMEOUT passed; closers not run", "closers", names)
	return fmt.Errorf("server: closers not run, CLOSE_TIMEOUT (%s) had passed: %s", s.cfg.CloseTimeout, strings.Join(names, ", "))
}
