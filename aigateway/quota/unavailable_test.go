package quota_test

import (
	"errors"
	"maps"
	"net"
	"slices"
	"strings"
	"testing"

	"connectrpc.com/connect"
	"github.com/redis/go-redis/v9"

	"github.com/footingdev/footing/contracts/errs"

	"github.com/footingdev/footing/aigateway/quota"
)

// TestUnreachableStoreNamesNoAddress: a Redis that does not answer gives a retryable
// Unavailable whose details, which the caller receives, say nothing of the store's
// address or of the client's error text; the server still finds the cause.
func TestUnreachableStoreNamesNoAddress(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now: every dial is refused
	c := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1})
	t.Cleanup(func() { c.Close() })
	s := quota.NewRedisStore(c)
	counters := []quota.Counter{{Key: "test:aiquota:unreachable", Limit: 10, Add: 1}}

	_, reserveErr := s.Reserve(t.Context(), counters)
	adjustErr := s.Adjust(t.Context(), counters)
	for name, err := range map[string]error{"Reserve": reserveErr, "Adjust": adjustErr} {
		d := errs.From(err)
		if d.Code != connect.CodeUnavailable || d.Reason != "QUOTA_STORE_UNAVAILABLE" {
			t.Fatalf("%s: %+v", name, d)
		}
		port := addr[strings.LastIndexByte(addr, ':')+1:]
		for _, v := range append([]string{d.Message}, slices.Collect(maps.Values(d.Metadata))...) {
			if strings.Contains(v, port) || strings.Contains(v, "refused") {
				t.Errorf("%s: the caller would see %q", name, v)
			}
		}
		var op *net.OpError
		if !errors.As(err, &op) {
			t.Errorf("%s: the cause is not kept for the server: %v", name, err)
		}
	}
}
