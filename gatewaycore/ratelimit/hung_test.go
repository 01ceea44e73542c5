package ratelimit_test

import (
	"context"
	"fmt"
	"net"
	"os/exec"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/footingdev/footing/gatewaycore/ratelimit"
)

// TestHungRedisIsBoundedByTimeout: RedisConfig.Timeout (250ms by default) is meant
// to bound each decision, so that a Redis that stops answering (stopped, or behind
// a network partition that drops packets) turns into the failure mode quickly. The
// limiter bounded only the context, and a go-redis client ignores context deadlines
// on its socket unless ContextTimeoutEnabled is set — which is off by default — so
// each decision waited for the client's own ReadTimeout instead (5 s by default, or
// forever with ReadTimeout -1, as here): every limited request stalled with it.
func TestHungRedisIsBoundedByTimeout(t *testing.T) {
	t.Parallel()
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
	// A client as a service might configure it: no context timeouts, and no socket
	// timeout of its own (the default is 5 s, which the limiter must not wait for either).
	client := redis.NewClient(&redis.Options{Addr: fmt.Sprint("127.0.0.1:", port), ReadTimeout: -1, WriteTimeout: -1})
	t.Cleanup(func() { _ = client.Close() })
	for i := 0; client.Ping(context.Background()).Err() != nil; i++ {
		if i > 100 {
			t.Fatal("throwaway redis did not start")
		}
		time.Sleep(20 * time.Millisecond)
	}
	for _, mode := range []ratelimit.FailureMode{ratelimit.FailOpen, ratelimit.FailClosed} {
		l, err := ratelimit.NewRedis(ratelimit.RedisConfig{Client: client, FailureMode: mode, Timeout: 100 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		if d, err := l.Allow(context.Background(), "k", ratelimit.PerSecond(10)); err != nil || d.Degraded {
			t.Fatalf("with Redis up: %+v %v", d, err)
		}
	}
	if err := cmd.Process.Signal(syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	for _, mode := range []ratelimit.FailureMode{ratelimit.FailOpen, ratelimit.FailClosed} {
		l, err := ratelimit.NewRedis(ratelimit.RedisConfig{Client: client, FailureMode: mode, Timeout: 100 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		type result struct {
			d   ratelimit.Decision
			err error
		}
		done := make(chan result, 1)
		go func() {
			d, err := l.Allow(context.Background(), "k", ratelimit.PerSecond(10))
			done <- result{d, err}
		}()
		select {
		case r := <-done:
			if r.err != nil || !r.d.Degraded || r.d.Allowed != (mode == ratelimit.FailOpen) {
				t.Fatalf("%s with Redis hung: %+v %v; want a degraded decision", mode, r.d, r.err)
			}
		case <-time.After(30 * time.Second): // a bound on a hang, not a timing assertion
			t.Fatalf("%s: a decision against a hung Redis had not returned 30 s later (Timeout 100ms)", mode)
		}
	}
}

// stuckScripter is a client that ignores its context and answers only when
// released, as a ClusterClient without ContextTimeoutEnabled does for a master
// that stopped answering.
type stuckScripter struct {
	redis.Scripter // nil: only the methods below are called
	release        chan struct{}
}

func (s stuckScripter) EvalSha(ctx context.Context, _ string, _ []string, _ ...any) *redis.Cmd {
	<-s.release
	cmd := redis.NewCmd(ctx)
	cmd.SetErr(fmt.Errorf("released"))
	return cmd
}

func (s stuckScripter) Eval(ctx context.Context, script string, keys []string, args ...any) *redis.Cmd {
	return s.EvalSha(ctx, script, keys, args...)
}

// TestStuckClientIsBoundedByTimeout: with a client that cannot be told to give up
// at the deadline, the decision still returns at Timeout, degraded.
func TestStuckClientIsBoundedByTimeout(t *testing.T) {
	t.Parallel()
	s := stuckScripter{release: make(chan struct{})}
	t.Cleanup(func() { close(s.release) })
	l, err := ratelimit.NewRedis(ratelimit.RedisConfig{Client: s, FailureMode: ratelimit.FailClosed, Timeout: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan ratelimit.Decision, 1)
	go func() {
		d, _ := l.Allow(context.Background(), "k", ratelimit.PerSecond(10))
		done <- d
	}()
	select {
	case d := <-done:
		if !d.Degraded || !d.FailedClosed {
			t.Fatalf("decision %+v; want degraded, failed closed", d)
		}
	case <-time.After(30 * time.Second): // a bound on a hang, not a timing assertion
		t.Fatal("a decision against a stuck client had not returned 30 s later (Timeout 50ms)")
	}
}
