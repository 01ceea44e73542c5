package app

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"

	"github.com/footingdev/footing/gatewaycore/server"
)

// Serve runs the service on ln until ctx is done, then shuts down gracefully, in
// gatewaycore/server's order: readiness turns false and open WatchADRs streams end
// with Unavailable (so clients reconnect to another instance); after the drain
// delay the listener closes; in-flight requests finish; then the job workers stop
// and everything New opened is closed. It takes ownership of ln.
func (a *App) Serve(ctx context.Context, ln net.Listener) error {
	if err := a.jobs.Start(context.WithoutCancel(ctx)); err != nil {
		_ = ln.Close()
		return fmt.Errorf("jobs: %w", err)
	}
	hubCtx, stopHub := context.WithCancel(context.WithoutCancel(ctx))
	hubDone := make(chan error, 1)
	go func() { hubDone <- a.hub.Run(hubCtx) }()

	srv, err := server.New(a.cfg.Server, a.handler,
		server.WithLogger(a.logger),
		server.WithReadiness(&draining{health: a.health, stop: stopHub}))
	if err != nil {
		stopHub()
		if hubErr := <-hubDone; hubErr != nil {
			a.logger.Warn("watch hub stopped with an error", "error", hubErr)
		}
		_ = ln.Close()
		return err
	}
	// Closers run in reverse order: jobs stop first, then the pools and clients.
	srv.OnShutdown("app", a.Close)
	srv.OnShutdown("watch", func(context.Context) error { stopHub(); return <-hubDone })
	srv.OnShutdown("jobs", a.jobs.Stop)
	return srv.Serve(ctx, ln)
}

// draining is the server's readiness switch: turning it off also ends the watch
// streams, which would otherwise hold the shutdown until its deadline.
type draining struct {
	health interface{ SetReady(bool) }
	stop   context.CancelFunc
	once   sync.Once
}

func (d *draining) SetReady(ready bool) {
	d.health.SetReady(ready)
	if !ready {
		d.once.Do(d.stop)
	}
}

// ListenAndServe is Serve on the configured address.
func (a *App) ListenAndServe(ctx context.Context) error {
	ln, err := net.Listen("tcp", a.cfg.Server.Addr)
	if err != nil {
		_ = a.Close(context.WithoutCancel(ctx))
		return errors.New("listen on " + a.cfg.Server.Addr + ": " + err.Error())
	}
	return a.Serve(ctx, ln)
}
