package server_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"

	"github.com/footingdev/footing/gatewaycore/health"
	"github.com/footingdev/footing/gatewaycore/server"
)

func Example() {
	checks := health.New()
	mux := http.NewServeMux()
	checks.Mount(mux) // Load balancers probe the serving port.
	mux.HandleFunc("/hello", func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "hello") })
	// The admin listener (ADMIN_ADDR) serves what the internet must not see.
	admin := http.NewServeMux()
	admin.HandleFunc("GET /metrics", func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "requests_total 1") })
	admin.Handle("GET /readyz", checks.ReadinessHandler())

	srv, err := server.New(server.Config{DrainDelay: -1}, mux,
		server.WithAdmin(admin), server.WithReadiness(checks), server.WithLogger(quietLogger()))
	if err != nil {
		panic(err)
	}
	srv.OnShutdown("telemetry", func(context.Context) error { fmt.Println("telemetry flushed"); return nil })

	// Run(ctx) listens on Config.Addr and Config.AdminAddr and stops on
	// SIGINT/SIGTERM; here, test listeners.
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	adminLn, _ := net.Listen("tcp", "127.0.0.1:0")
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.ServeWithAdmin(ctx, ln, adminLn) }()

	get := func(url string) {
		res, err := http.Get(url) //nolint:noctx // example
		if err != nil {
			panic(err)
		}
		body, _ := io.ReadAll(res.Body)
		_ = res.Body.Close()
		fmt.Println(res.StatusCode, strings.TrimSpace(string(body)))
	}
	get("http://" + ln.Addr().String() + "/hello")
	get("http://" + ln.Addr().String() + "/metrics") // Not on the public listener.
	get("http://" + adminLn.Addr().String() + "/metrics")
	http.DefaultClient.CloseIdleConnections()

	stop()
	fmt.Println(<-done, checks.Ready())
	// Output:
	// 200 hello
	// 404 404 page not found
	// 200 requests_total 1
	// telemetry flushed
	// <nil> false
}
