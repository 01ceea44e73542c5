package quota_test

import (
	"context"
	"fmt"
	"net"
	"os/exec"
	"syscall"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/redis/go-redis/v9"

	"github.com/footingdev/footing/contracts/errs"
	commonv1 "github.com/footingdev/footing/contracts/gen/go/footing/common/v1"

	"github.com/footingdev/footing/aigateway/quota"
)

// hangingRedis starts a private redis-server on a free port and returns its address
// and a function that stops it with SIGSTOP: connections stay open and nothing
// answers, as with a hung Redis or a partition that drops packets.
func hangingRedis(t *testing.T) (addr string, hang func()) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	_ = ln.Close()
	cmd := exec.Command("redis-server", "--port", fmt.Sprint(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no")
	if err := cmd.Start(); err != nil {
		t.Fatalf("redis-server: %v", err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGCONT)
		_ = cmd.Process.Kill()
		<-exited
	})
	addr = fmt.Sprint("127.0.0.1:", port)
	probe := redis.NewClient(&redis.Options{Addr: addr})
	defer probe.Close()
	for i := 0; probe.Ping(context.Background()).Err() != nil; i++ {
		if i > 100 {
			t.Fatal("private redis-server did not start")
		}
		time.Sleep(20 * time.Millisecond)
	}
	return addr, func() {
		if err := cmd.Process.Signal(syscall.SIGSTOP); err != nil {
			t.Fatal(err)
		}
	}
}

// TestHungRedisIsBoundedByTimeout: a Redis that stops answering must turn each
// Reserve and Settle into the store's Unavailable error within the store's timeout
// (1s by default). The store passed the request's context to go-redis, which ignores
// context deadlines on its sockets unless ContextTimeoutEnabled is set (off by
// default), and had no timeout of its own: each Reserve waited for the client's
// ReadTimeout (5 s by default, or for ever with ReadTimeout -1, as here), holding the
// request, and each Settle (four tries, with a context that never ends) held the end
// of the stream four times as long.
func TestHungRedisIsBoundedByTimeout(t *testing.T) {
	t.Parallel()
	addr, hang := hangingRedis(t)
	client := redis.NewClient(&redis.Options{Addr: addr, ReadTimeout: -1, WriteTimeout: -1})
	t.Cleanup(func() { _ = client.Close() })
	// A Ring stands for the clients the store cannot give a timeout of its own.
	ring := redis.NewRing(&redis.RingOptions{Addrs: map[string]string{"a": addr}, ReadTimeout: -1, WriteTimeout: -1})
	t.Cleanup(func() { _ = ring.Close() })
	p := &commonv1.Principal{TenantId: "t1", UserId: "u1"}
	cfg := quota.Config{Tenant: quota.Limits{RequestsPerMinute: 100, TokensPerMinute: 1000}}
	type setup struct {
		name string
		l    *quota.Limiter
		res  *quota.Reservation // taken while Redis answered
	}
	var setups []setup
	for name, c := range map[string]redis.Scripter{"*redis.Client": client, "*redis.Ring": ring} {
		l, err := quota.New(quota.NewRedisStore(c), cfg)
		if err != nil {
			t.Fatal(err)
		}
		res, err := l.Reserve(context.Background(), p, quota.Request{Tokens: 10})
		if err != nil {
			t.Fatalf("%s with Redis up: %v", name, err)
		}
		setups = append(setups, setup{name, l, res})
	}
	hang()
	for _, s := range setups {
		unavailable := func(what string, err error) {
			t.Helper()
			if d := errs.From(err); err == nil || d.Code != connect.CodeUnavailable || d.Reason != "QUOTA_STORE_UNAVAILABLE" {
				t.Errorf("%s %s with Redis hung: %v; want Unavailable QUOTA_STORE_UNAVAILABLE", s.name, what, err)
			}
		}
		within(t, s.name+" Reserve", func() {
			_, err := s.l.Reserve(context.Background(), p, quota.Request{Tokens: 10})
			unavailable("Reserve", err)
		})
		within(t, s.name+" Settle", func() {
			// As the gateway settles: on a context that never ends.
			unavailable("Settle", s.res.Settle(context.WithoutCancel(context.Background()), 1, 0))
		})
	}
}

// within runs f and fails t if it has not returned 30 s later: a bound on a hang, not
// a timing assertion.
func within(t *testing.T, what string, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() { defer close(done); f() }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatalf("%s against a hung Redis had not returned 30 s later", what)
	}
}
