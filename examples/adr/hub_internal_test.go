package adr

import (
	"strconv"
	"strings"
	"testing"

	"github.com/google/uuid"
)

// FuzzParseNotification: a notification on the channel may come from any role that can
// connect. parseNotification accepts exactly what Store.changed writes — a canonical
// tenant UUID and a positive sequence — and never panics.
func FuzzParseNotification(f *testing.F) {
	f.Add("6f1f4d8e-2b7c-4c1e-9a55-3d2a7f0c9b10:42")
	f.Add("6F1F4D8E-2B7C-4C1E-9A55-3D2A7F0C9B10:42")
	f.Add("6f1f4d8e-2b7c-4c1e-9a55-3d2a7f0c9b10:-1")
	f.Add("6f1f4d8e-2b7c-4c1e-9a55-3d2a7f0c9b10:+7")
	f.Add("6f1f4d8e-2b7c-4c1e-9a55-3d2a7f0c9b10:007")
	f.Add("urn:uuid:6f1f4d8e-2b7c-4c1e-9a55-3d2a7f0c9b10:1")
	f.Add("{6f1f4d8e-2b7c-4c1e-9a55-3d2a7f0c9b10}:1")
	f.Add(":")
	f.Add("acme:1")
	f.Fuzz(func(t *testing.T, payload string) {
		tenant, seq, ok := parseNotification(payload)
		if !ok {
			return
		}
		if u, err := uuid.Parse(tenant); err != nil || u.String() != tenant {
			t.Fatalf("%q: accepted tenant %q is not canonical", payload, tenant)
		}
		if seq <= 0 || tenant+":"+strconv.FormatInt(seq, 10) != payload {
			t.Fatalf("%q: accepted as %q, %d", payload, tenant, seq)
		}
	})
}

func TestParseNotification(t *testing.T) {
	t.Parallel()
	tenant := uuid.NewString()
	if got, seq, ok := parseNotification(tenant + ":42"); !ok || got != tenant || seq != 42 {
		t.Fatalf("= %q, %d, %v", got, seq, ok)
	}
	for _, bad := range []string{strings.ToUpper(tenant) + ":1", tenant + ":0", tenant + ":-1", tenant + ":+1", tenant + ":01", tenant, "acme:1", tenant + ":1:2"} {
		if _, _, ok := parseNotification(bad); ok {
			t.Errorf("accepted %q", bad)
		}
	}
}

// TestSubscribeBeforeTheHubListens: a watch that starts while the hub does not listen
// (before Run's first LISTEN, or while it reconnects) would miss every change committed
// until it does, with no sign of it. It ends at once instead, saying why, and holds no
// place in the hub.
func TestSubscribeBeforeTheHubListens(t *testing.T) {
	t.Parallel()
	h := NewHub(nil, nil)
	s, err := h.Subscribe(uuid.NewString())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	select {
	case <-s.Done():
	default:
		t.Fatal("a subscription to a hub that does not listen stays open")
	}
	if s.Err() == nil {
		t.Fatal("ended without saying why")
	}
	if n := len(h.subs); n != 0 {
		t.Fatalf("the hub holds %d tenants' subscriptions", n)
	}
}
