package cache_test

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os/exec"
	"syscall"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/redis/go-redis/v9"

	"github.com/footingdev/footing/contracts/errs"
	"github.com/footingdev/footing/storage/cache"
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

// within runs f and fails t if it has not returned 30 s later: a bound on a hang, not
// a timing assertion.
func within(t *testing.T, what string, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() { defer close(done); f() }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatalf("%s against a hung Redis had not returned 30 s later (RedisTimeout 1s by default)", what)
	}
}

// TestHungRedisIsBoundedByRedisTimeout: a Redis that stops answering must turn into
// the cache's documented failure behaviour (reads miss and fall through to the loader,
// stores are dropped, invalidations return Unavailable) in RedisTimeout. The cache
// passed its context to go-redis, which ignores context deadlines on its sockets unless
// ContextTimeoutEnabled is set, so every call waited for the client's own socket
// timeouts: for ever when they are off (read_timeout=-1 in RedisURL, or a client given
// to NewRedisClient with ReadTimeout -1, as here), and a GetOrLoad held its callers
// with it.
func TestHungRedisIsBoundedByRedisTimeout(t *testing.T) {
	t.Parallel()
	addr, hang := hangingRedis(t)
	client := redis.NewClient(&redis.Options{Addr: addr, ReadTimeout: -1, WriteTimeout: -1})
	t.Cleanup(func() { _ = client.Close() })
	ring := redis.NewRing(&redis.RingOptions{Addrs: map[string]string{"a": addr}, ReadTimeout: -1, WriteTimeout: -1})
	t.Cleanup(func() { _ = ring.Close() })
	fromURL, err := cache.NewRedis(cache.Config{RedisURL: "redis://" + addr + "/0?read_timeout=-1&write_timeout=-1", Prefix: "url"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = fromURL.Close() })
	fromClient, err := cache.NewRedisClient(client, cache.Config{Prefix: "client"})
	if err != nil {
		t.Fatal(err)
	}
	fromRing, err := cache.NewRedisClient(ring, cache.Config{Prefix: "ring"})
	if err != nil {
		t.Fatal(err)
	}
	backends := []struct {
		name    string
		backend *cache.Redis
	}{
		{"RedisURL", fromURL},
		{"*redis.Client", fromClient},
		{"*redis.Ring", fromRing},
	}
	ctx := tenantCtx("t1")
	load := func(context.Context) ([]byte, error) { return []byte("from-source"), nil }
	caches := make([]*cache.Cache, len(backends))
	for i, b := range backends {
		caches[i] = cache.New(b.backend, cache.Config{Logger: slog.New(slog.DiscardHandler)})
		if err := caches[i].Set(ctx, "k", []byte("cached"), cache.WithTags("tag")); err != nil {
			t.Fatal(err)
		}
		if v, ok, err := caches[i].Get(ctx, "k"); err != nil || !ok || string(v) != "cached" {
			t.Fatalf("%s with Redis up: %q %v %v", b.name, v, ok, err)
		}
	}
	hang()
	for i, b := range backends {
		c := caches[i]
		within(t, b.name+" Get", func() {
			if v, ok, err := c.Get(ctx, "k"); err != nil || ok {
				t.Errorf("%s Get with Redis hung: %q %v %v; want a miss", b.name, v, ok, err)
			}
		})
		within(t, b.name+" GetOrLoad", func() {
			if v, err := c.GetOrLoad(ctx, "k2", load); err != nil || string(v) != "from-source" {
				t.Errorf("%s GetOrLoad with Redis hung: %q %v; want the loader's value", b.name, v, err)
			}
		})
		within(t, b.name+" Set", func() {
			if err := c.Set(ctx, "k", []byte("v")); err != nil {
				t.Errorf("%s Set with Redis hung: %v; want the failure absorbed", b.name, err)
			}
		})
		within(t, b.name+" Delete", func() {
			if err := c.Delete(ctx, "k"); err == nil || errs.From(err).Code != connect.CodeUnavailable {
				t.Errorf("%s Delete with Redis hung: %v; want Unavailable", b.name, err)
			}
		})
		within(t, b.name+" InvalidateTags", func() {
			if err := c.InvalidateTags(ctx, "tag"); err == nil || errs.From(err).Code != connect.CodeUnavailable {
				t.Errorf("%s InvalidateTags with Redis hung: %v; want Unavailable", b.name, err)
			}
		})
	}
}
