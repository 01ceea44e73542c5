package app

import (
	"context"
	"fmt"
	"net"
	"sync"

	"github.com/footingdev/footing/gatewaycore/health"
	"github.com/footingdev/footing/gatewaycore/server"
)

// Serve runs the service on ln until ctx is done, then shuts down gracefully, in
// gatewaycore/server's order: readiness turns false and open WatchADRs streams end
// with Unavailable (so clients reconnect to another instance); after the drain
// delay the listener closes; in-flight requests finish; the admin listener closes;
// then the job workers stop and everything New opened is closed. If
// Config.Server.AdminAddr is set, Serve also listens there for [App.AdminHandler]
// (/metrics, /healthz, /readyz). It takes ownership of ln.
func (a *App) Serve(ctx context.Context, ln net.Listener) error {
	return a.serve(ctx, ln, nil, false)
}

// ServeWithAdmin is Serve with the admin listener given (ADMIN_ADDR is not used);
// nil means none. It takes ownership of both listeners.
func (a *App) ServeWithAdmin(ctx context.Context, ln, admin net.Listener) error {
	return a.serve(ctx, ln, admin, true)
}

func (a *App) serve(ctx context.Context, ln, admin net.Listener, adminGiven bool) error {
	closeAll := func() {
		_ = ln.Close()
		if admin != nil {
			_ = admin.Close()
		}
	}
	// The server first: a Serve that cannot start must start nothing (workers left
	// running on pools the caller then closes).
	hubCtx, stopHub := context.WithCancel(context.WithoutCancel(ctx))
	srv, err := server.New(a.cfg.Server, a.handler,
		server.WithAdmin(a.admin),
		server.WithLogger(a.logger),
		server.WithReadiness(&draining{health: a.health, stop: stopHub}))
	if err != nil {
		stopHub()
		closeAll()
		return err
	}
	if err := a.jobs.Start(context.WithoutCancel(ctx)); err != nil {
		stopHub()
		closeAll()
		return fmt.Errorf("jobs: %w", err)
	}
	hubDone := make(chan error, 1)
	go func() { hubDone <- a.hub.Run(hubCtx) }()
	// Closers run in reverse order: jobs stop first, then the pools and clients.
	srv.OnShutdown("app", a.Close)
	srv.OnShutdown("watch", func(context.Context) error { stopHub(); return <-hubDone })
	srv.OnShutdown("jobs", a.jobs.Stop)
	if adminGiven {
		return srv.ServeWithAdmin(ctx, ln, admin)
	}
	return srv.Serve(ctx, ln)
}

// draining is the server's readiness switch: turning it off also ends the ADR watch
// streams, which would otherwise hold the shutdown until its deadline. It passes on
// Drain too, which the server calls as a shutdown starts: the health checker's ends
// the grpc.health.v1 Watch streams (load balancers keep one open), where
// SetReady(false) alone leaves them open until the deadline.
type draining struct {
	health *health.Checker
	stop   context.CancelFunc
	once   sync.Once
}

func (d *draining) SetReady(ready bool) {
	d.health.SetReady(ready)
	if !ready {
		d.once.Do(d.stop)
	}
}

// Drain implements the server's draining readiness switch.
func (d *draining) Drain() {
	d.health.Drain()
	d.once.Do(d.stop)
}

// ListenAndServe is Serve on the configured addresses: ADDR, and ADMIN_ADDR if set.
func (a *App) ListenAndServe(ctx context.Context) error {
	ln, admin, err := Listen(a.cfg.Server)
	if err != nil {
		_ = a.Close(context.WithoutCancel(ctx))
		return err
	}
	return a.ServeWithAdmin(ctx, ln, admin)
}

// Listen listens on cfg.Addr and, if set, cfg.AdminAddr (admin is nil otherwise).
// An error names the variable whose address failed.
func Listen(cfg server.Config) (ln, admin net.Listener, err error) {
	if ln, err = net.Listen("tcp", cfg.Addr); err != nil {
		return nil, nil, fmt.Errorf("listen on ADDR %s: %w", cfg.Addr, err)
	}
	if cfg.AdminAddr != "" {
		if admin, err = net.Listen("tcp", cfg.AdminAddr); err != nil {
			_ = ln.Close()
			return nil, nil, fmt.Errorf("listen on ADMIN_ADDR %s: %w", cfg.AdminAddr, err)
		}
	}
	return ln, admin, nil
}
