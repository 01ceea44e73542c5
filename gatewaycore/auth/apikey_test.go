package auth_test

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"connectrpc.com/connect"

	commonv1 "github.com/footingdev/footing/contracts/gen/go/footing/common/v1"
	"github.com/footingdev/footing/gatewaycore/auth"
)

func TestAPIKeysOverEveryTransport(t *testing.T) {
	t.Parallel()
	a, b := setup(t)
	s := newServer(t, a, harnessPolicy(t, nil))
	presented, stored, err := auth.NewAPIKey("", "tenant-9", []string{"probe:call"}, []string{"machine"})
	if err != nil {
		t.Fatal(err)
	}
	b.keys.Put(stored)
	subject := "apikey:" + stored.ID
	// A wrong secret: the last character changed (to another valid one: the last
	// base64url character of 32 bytes is one of 16, so a fixed "A" is right 1 time in 16).
	wrong := presented[:len(presented)-1] + map[bool]string{true: "E", false: "A"}[strings.HasSuffix(presented, "A")]
	for _, tr := range transports {
		assertAllowed(t, s.call(t.Context(), tr, http.Header{"X-Api-Key": {presented}}), subject)
		assertAllowed(t, s.call(t.Context(), tr, bearer(presented)), subject)
		assertRefused(t, s.call(t.Context(), tr, http.Header{"X-Api-Key": {wrong}}), connect.CodeUnauthenticated)
	}
	b.keys.Delete(stored.ID)
	for _, tr := range transports {
		assertRefused(t, s.call(t.Context(), tr, bearer(presented)), connect.CodeUnauthenticated)
	}
}

func TestVerifyAPIKey(t *testing.T) {
	t.Parallel()
	a, b := setup(t)
	presented, stored, err := auth.NewAPIKey("fk_", "tenant-1", []string{"s1"}, []string{"r1"})
	if err != nil {
		t.Fatal(err)
	}
	b.keys.Put(stored)
	p, err := a.VerifyAPIKey(t.Context(), presented)
	if err != nil {
		t.Fatal(err)
	}
	assertPrincipal(t, p, &commonv1.Principal{
		Subject: "apikey:" + stored.ID, TenantId: "tenant-1", Scopes: []string{"s1"}, Roles: []string{"r1"},
		Issuer: auth.DefaultAPIKeyIssuer, AuthMethod: commonv1.AuthMethod_AUTH_METHOD_API_KEY,
	})
	if stored.SecretHash == [32]byte{} {
		t.Fatal("stored key has no hash")
	}

	expiring := *stored
	expiring.ExpiresAt = b.clock.Now().Add(time.Minute)
	b.keys.Put(&expiring)
	if _, err := a.VerifyAPIKey(t.Context(), presented); err != nil {
		t.Fatalf("key before expiry: %v", err)
	}
	b.clock.Advance(time.Minute)
	if got := auth.ReasonOf(mustFail(a.VerifyAPIKey(t.Context(), presented))); got != auth.ReasonAPIKey {
		t.Fatalf("expired key: reason %q", got)
	}
	revoked := *stored
	revoked.Revoked = true
	b.keys.Put(&revoked)
	if got := auth.ReasonOf(mustFail(a.VerifyAPIKey(t.Context(), presented))); got != auth.ReasonAPIKey {
		t.Fatalf("revoked key: reason %q", got)
	}
	for _, bad := range []string{"", "fk_", "fk_idonly", "fk__secret", "fk_id_", "nothing"} {
		if got := auth.ReasonOf(mustFail(a.VerifyAPIKey(t.Context(), bad))); got != auth.ReasonAPIKey {
			t.Fatalf("%q: reason %q", bad, got)
		}
	}
}

type failingStore struct{}

func (failingStore) LookupAPIKey(context.Context, string) (*auth.APIKey, error) {
	return nil, errors.New("database down")
}

func TestAPIKeyStoreFailureIsUnauthenticatedWithoutDetail(t *testing.T) {
	t.Parallel()
	a, err := auth.New(auth.Config{APIKeys: failingStore{}})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	_, err = a.VerifyAPIKey(t.Context(), "fk_id_secret")
	if auth.ReasonOf(err) != auth.ReasonAPIKeyStore || contains(err.Error(), "database") {
		t.Fatalf("err = %v", err)
	}
}

func TestAPIKeysRefusedWithoutStore(t *testing.T) {
	t.Parallel()
	a, _ := setup(t, func(c *auth.Config) { c.APIKeys = nil })
	if _, err := a.Authenticate(t.Context(), http.Header{"X-Api-Key": {"fk_a_b"}}); auth.ReasonOf(err) != auth.ReasonAPIKey {
		t.Fatalf("err = %v", err)
	}
}

func mustFail(_ *commonv1.Principal, err error) error {
	if err == nil {
		return errors.New("unexpected success")
	}
	return err
}

// recordingStore records the ids it is asked for and answers not found, as a
// service's SQL store would for ids it holds (Postgres refuses a text parameter with
// a NUL byte or invalid UTF-8 with an error, which auth would count as a store
// failure).
type recordingStore struct {
	mu  sync.Mutex
	ids []string
}

func (s *recordingStore) LookupAPIKey(_ context.Context, id string) (*auth.APIKey, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ids = append(s.ids, id)
	if !utf8.ValidString(id) || strings.ContainsRune(id, 0) {
		return nil, errors.New("invalid byte sequence for encoding UTF8")
	}
	return nil, auth.ErrAPIKeyNotFound
}

// TestAPIKeyIDsAreCheckedBeforeTheStore: a presented key's id reaches the service's
// store only if it could be an id (visible ASCII, at most 128 bytes), so that a
// caller's garbage is refused as a bad key, never counted as a store failure, and
// no control bytes or invalid UTF-8 reach the store's queries.
func TestAPIKeyIDsAreCheckedBeforeTheStore(t *testing.T) {
	t.Parallel()
	store := &recordingStore{}
	a, err := auth.New(auth.Config{APIKeys: store})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	for _, bad := range []string{
		"fk_\x00id_secret", "fk_\xffid_secret", "fk_i\nd_secret", "fk_i d_secret", "fk_ïd_secret",
		"fk_" + strings.Repeat("a", 129) + "_secret",
	} {
		if _, err := a.VerifyAPIKey(t.Context(), bad); auth.ReasonOf(err) != auth.ReasonAPIKey {
			t.Errorf("%q: err = %v, want reason %q", bad, err, auth.ReasonAPIKey)
		}
	}
	for _, good := range []string{"fk_abc-DEF.12_secret", "fk_" + strings.Repeat("a", 128) + "_secret", "fk_a:b/c_secret"} {
		if _, err := a.VerifyAPIKey(t.Context(), good); auth.ReasonOf(err) != auth.ReasonAPIKey {
			t.Errorf("%q: err = %v, want reason %q", good, err, auth.ReasonAPIKey)
		}
	}
	store.mu.Lock()
	defer store.mu.Unlock()
	if want := []string{"abc-DEF.12", strings.Repeat("a", 128), "a:b/c"}; !slices.Equal(store.ids, want) {
		t.Errorf("store asked for %q, want only %q", store.ids, want)
	}
}
