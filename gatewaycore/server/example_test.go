package server_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"

	"github.com/footingdev/footing/gatewaycore/health"
	"github.com/footingdev/footing/gatewaycore/server"
)

func Example() {
	checks := health.New()
	mux := http.NewServeMux()
	checks.Mount(mux)
	mux.HandleFunc("/hello", func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "hello") })

	srv, err := server.New(server.Config{DrainDelay: -1}, mux, server.WithReadiness(checks), server.WithLogger(quietLogger()))
	if err != nil {
		panic(err)
	}
	srv.OnShutdown("telemetry", func(context.Context) error { fmt.Println("telemetry flushed"); return nil })

	// Run(ctx) listens on Config.Addr and stops on SIGINT/SIGTERM; here, a test listener.
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()

	res, err := http.Get("http://" + ln.Addr().String() + "/hello") //nolint:noctx // example
	if err != nil {
		panic(err)
	}
	body, _ := io.ReadAll(res.Body)
	_ = res.Body.Close()
	fmt.Println(string(body))
	http.DefaultClient.CloseIdleConnections()

	stop()
	fmt.Println(<-done, checks.Ready())
	// Output:
	// hello
	// telemetry flushed
	// <nil> false
}
