package respcache_test

import (
	"context"
	"fmt"
	"net"
	"os/exec"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/footingdev/footing/aigateway/respcache"
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

// TestHungRedisIsBoundedByTimeout: a Redis that stops answering must make Get a miss
// and Put a failure within the store's timeout (250ms by default) — a cache never
// fails or holds a request. The store passed the request's context to go-redis,
// which ignores context deadlines on its sockets unless ContextTimeoutEnabled is set
// (off by default), and had no timeout of its own: each lookup before a provider call
// waited for the client's ReadTimeout (5 s by default, or for ever with ReadTimeout
// -1, as here), and so did each Put at the end of a stream, on a context that never
// ends.
func TestHungRedisIsBoundedByTimeout(t *testing.T) {
	t.Parallel()
	addr, hang := hangingRedis(t)
	client := redis.NewClient(&redis.Options{Addr: addr, ReadTimeout: -1, WriteTimeout: -1})
	t.Cleanup(func() { _ = client.Close() })
	// A Ring stands for the clients the store cannot give a timeout of its own.
	ring := redis.NewRing(&redis.RingOptions{Addrs: map[string]string{"a": addr}, ReadTimeout: -1, WriteTimeout: -1})
	t.Cleanup(func() { _ = ring.Close() })
	type setup struct {
		name string
		c    *respcache.Cache
		key  string
	}
	var setups []setup
	for name, rc := range map[string]redis.Cmdable{"*redis.Client": client, "*redis.Ring": ring} {
		c := respcache.New(respcache.NewRedisStore(rc), respcache.Config{})
		key, _ := c.Key("t1", req(nil, nil))
		if err := c.Put(context.Background(), key, answer()); err != nil {
			t.Fatalf("%s with Redis up: %v", name, err)
		}
		if _, hit := c.Get(context.Background(), key); !hit {
			t.Fatalf("%s with Redis up: a miss", name)
		}
		setups = append(setups, setup{name, c, key})
	}
	hang()
	for _, s := range setups {
		within(t, s.name+" Get", func() {
			if _, hit := s.c.Get(context.Background(), s.key); hit {
				t.Errorf("%s Get with Redis hung: a hit", s.name)
			}
		})
		within(t, s.name+" Put", func() {
			// As the gateway stores: on a context that never ends.
			if err := s.c.Put(context.WithoutCancel(context.Background()), s.key, answer()); err == nil {
				t.Errorf("%s Put with Redis hung: no error", s.name)
			}
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
