package server_test

import (
	"bufio"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/footingdev/footing/gatewaycore/server"
)

// TestSecondSignalStops: the first SIGINT starts the graceful shutdown (drain,
// finish in-flight requests, closers), which may take DrainDelay + ShutdownTimeout
// + CloseTimeout; a second SIGINT must end the process at once, as signal's
// default does — it used to be swallowed until Run returned, so an operator's
// second Ctrl-C did nothing. The server runs in a child process (the test binary
// itself), since the second signal kills it.
func TestSecondSignalStops(t *testing.T) {
	if os.Getenv("FOOTING_SERVER_SIGNAL_CHILD") == "1" {
		log := slog.New(slog.NewTextHandler(os.Stderr, nil))
		srv, err := server.New(server.Config{Addr: "127.0.0.1:0", DrainDelay: time.Hour},
			http.NotFoundHandler(), server.WithLogger(log))
		if err != nil {
			t.Fatal(err)
		}
		_ = srv.Run(context.Background())
		os.Exit(3) // Run returned: the drain was cut short some other way.
	}
	t.Parallel()
	cmd := exec.Command(os.Args[0], "-test.run=^TestSecondSignalStops$", "-test.v")
	cmd.Env = append(os.Environ(), "FOOTING_SERVER_SIGNAL_CHILD=1")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	lines := make(chan string, 100)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	waitFor := func(what string) {
		t.Helper()
		for line := range lines {
			if strings.Contains(line, what) {
				return
			}
		}
		t.Fatalf("child ended before logging %q", what)
	}
	waitFor("msg=serving")
	_ = cmd.Process.Signal(syscall.SIGINT)
	waitFor("shutting down")
	_ = cmd.Process.Signal(syscall.SIGINT)
	go func() {
		for range lines { //nolint:revive // drain the pipe so the child never blocks on it
		}
		done <- cmd.Wait()
	}()
	select {
	case err = <-done:
	case <-time.After(30 * time.Second): // a bound on a hang, not a timing assertion
		_ = cmd.Process.Kill()
		<-done
		t.Fatal("the second SIGINT did not stop the server: still draining 30 s later")
	}
	var ee *exec.ExitError
	if !errors.As(err, &ee) || !ee.Sys().(syscall.WaitStatus).Signaled() || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGINT {
		t.Fatalf("child ended with %v; want it killed by the second SIGINT", err)
	}
}
