package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	commonv1 "github.com/footingdev/footing/contracts/gen/go/footing/common/v1"
	"github.com/footingdev/footing/contracts/identity"
)

// An APIKey is the stored form of a machine client's key: its id, the SHA-256 of its
// secret (never the secret), and what it grants. A key is scoped to one tenant.
type APIKey struct {
	// ID is the public part of the key, unique in the store: at most [MaxAPIKeyIDLen]
	// bytes of visible ASCII other than "_" (a presented key whose id is not of that
	// form is refused without asking the store).
	ID string
	// SecretHash is the SHA-256 of the secret part.
	SecretHash [32]byte
	// TenantID is the tenant the key acts for.
	TenantID string
	// Scopes and Roles are granted to the key's caller.
	Scopes []string
	Roles  []string
	// ExpiresAt, if not zero, is when the key stops working.
	ExpiresAt time.Time
	// Revoked keys never authenticate.
	Revoked bool
}

// ErrAPIKeyNotFound is returned by an [APIKeyStore] that has no key with the id.
var ErrAPIKeyNotFound = errors.New("auth: API key not found")

// APIKeyStore finds stored API keys by id. A service implements it on its own storage
// (gatewaycore never talks to a database); [MemoryAPIKeyStore] is the in-process one.
// Implementations must be safe to call concurrently and return [ErrAPIKeyNotFound]
// (possibly wrapped) for an unknown id.
type APIKeyStore interface {
	LookupAPIKey(ctx context.Context, id string) (*APIKey, error)
}

// The presented form of a key is <prefix><id>_<secret>; ids never contain "_", so the
// secret is everything after the first "_".
const secretBytes = 32

// NewAPIKey generates a key for tenant with the given id prefix ("fk_" by default when
// prefix is empty). It returns the key to hand to the client once, and the record to
// store. The secret has 256 bits of entropy, so a plain SHA-256 is a sound stored form.
func NewAPIKey(prefix, tenantID string, scopes, roles []string) (presented string, stored *APIKey, err error) {
	if prefix == "" {
		prefix = DefaultAPIKeyPrefix
	}
	var idBytes [12]byte
	var secret [secretBytes]byte
	if _, err := rand.Read(idBytes[:]); err != nil {
		return "", nil, fmt.Errorf("auth: generate API key: %w", err)
	}
	if _, err := rand.Read(secret[:]); err != nil {
		return "", nil, fmt.Errorf("auth: generate API key: %w", err)
	}
	id := strings.ReplaceAll(base64.RawURLEncoding.EncodeToString(idBytes[:]), "_", "-")
	sec := base64.RawURLEncoding.EncodeToString(secret[:])
	return prefix + id + "_" + sec, &APIKey{
		ID:         id,
		SecretHash: sha256.Sum256([]byte(sec)),
		TenantID:   tenantID,
		Scopes:     slices.Clone(scopes),
		Roles:      slices.Clone(roles),
	}, nil
}

// MaxAPIKeyIDLen is the longest [APIKey.ID] a presented key may carry.
const MaxAPIKeyIDLen = 128

// splitAPIKey returns the id and secret of a presented key without its prefix. An
// id that no stored key can have (see [APIKey.ID]) is refused here, so a caller's
// garbage never reaches the store, whose queries may fail on it (a NUL byte or
// invalid UTF-8 in a Postgres text parameter) and be counted as a store failure.
func splitAPIKey(s string) (id, secret string, ok bool) {
	i := strings.IndexByte(s, '_')
	if i <= 0 || i > MaxAPIKeyIDLen || i == len(s)-1 || len(s) > 512 {
		return "", "", false
	}
	for j := range i {
		if s[j] < '!' || s[j] > '~' {
			return "", "", false
		}
	}
	return s[:i], s[i+1:], true
}

// dummyHash keeps the work for an unknown id the same as for a wrong secret.
var dummyHash [32]byte

// VerifyAPIKey verifies a presented API key against the configured store with a
// constant-time comparison of the secret's hash, and returns its Principal.
func (a *Authenticator) VerifyAPIKey(ctx context.Context, presented string) (*commonv1.Principal, error) {
	if a.cfg.APIKeys == nil {
		return nil, fail(ReasonAPIKey)
	}
	id, secret, ok := splitAPIKey(strings.TrimPrefix(presented, a.cfg.APIKeyPrefix))
	if !ok {
		return nil, fail(ReasonAPIKey)
	}
	sum := sha256.Sum256([]byte(secret))
	key, err := a.cfg.APIKeys.LookupAPIKey(ctx, id)
	switch {
	case errors.Is(err, ErrAPIKeyNotFound) || (err == nil && key == nil):
		subtle.ConstantTimeCompare(sum[:], dummyHash[:])
		return nil, fail(ReasonAPIKey)
	case err != nil:
		return nil, &CredentialError{Reason: ReasonAPIKeyStore}
	}
	if subtle.ConstantTimeCompare(sum[:], key.SecretHash[:]) != 1 {
		return nil, fail(ReasonAPIKey)
	}
	if key.Revoked || (!key.ExpiresAt.IsZero() && !a.cfg.Now().Before(key.ExpiresAt)) {
		return nil, fail(ReasonAPIKey)
	}
	return &commonv1.Principal{
		Subject:    "apikey:" + key.ID,
		TenantId:   identity.CanonicalTenantID(key.TenantID),
		Roles:      slices.Clone(key.Roles),
		Scopes:     slices.Clone(key.Scopes),
		Issuer:     a.cfg.APIKeyIssuer,
		AuthMethod: commonv1.AuthMethod_AUTH_METHOD_API_KEY,
	}, nil
}

// MemoryAPIKeyStore is an in-process [APIKeyStore] for tests, development and small
// deployments. It is safe to use concurrently; the zero value is empty and ready.
type MemoryAPIKeyStore struct {
	mu   sync.RWMutex
	keys map[string]APIKey
}

// Put stores k, replacing any key with the same id.
func (s *MemoryAPIKeyStore) Put(k *APIKey) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.keys == nil {
		s.keys = make(map[string]APIKey)
	}
	c := *k
	c.Scopes, c.Roles = slices.Clone(k.Scopes), slices.Clone(k.Roles)
	s.keys[k.ID] = c
}

// Delete removes the key with id, if any.
func (s *MemoryAPIKeyStore) Delete(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.keys, id)
}

// LookupAPIKey implements [APIKeyStore].
func (s *MemoryAPIKeyStore) LookupAPIKey(_ context.Context, id string) (*APIKey, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	k, ok := s.keys[id]
	if !ok {
		return nil, ErrAPIKeyNotFound
	}
	k.Scopes, k.Roles = slices.Clone(k.Scopes), slices.Clone(k.Roles)
	return &k, nil
}
