package vault

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// KeySize is the length of a vault key: AES-256.
const KeySize = 32

// Environment variables [KeyringFromEnv] reads.
const (
	EnvKeys      = "VAULT_KEYS"       // id1:base64key1,id2:base64key2
	EnvActiveKey = "VAULT_ACTIVE_KEY" // the id new writes use
)

var keyIDPattern = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,64}$`)

// A Keyring holds the AES-256-GCM keys the vault seals with, by id. New writes use the
// active key; any key in the ring opens what it sealed. Rotate by adding a new key,
// making it active, running [Vault.Rotate] (or [Vault.RotateAll]) until it returns
// nil, then removing the old key. A Keyring is immutable and safe for concurrent use.
type Keyring struct {
	active string
	aeads  map[string]cipher.AEAD
}

// NewKeyring returns a Keyring of keys (id to 32 raw bytes) whose active key is
// active. It reports every problem at once and never includes key material in errors.
func NewKeyring(active string, keys map[string][]byte) (*Keyring, error) {
	var problems []error
	if _, ok := keys[active]; !ok {
		problems = append(problems, fmt.Errorf("vault: active key %s is not in the keyring", quoteID(active)))
	}
	k := &Keyring{active: active, aeads: make(map[string]cipher.AEAD, len(keys))}
	ids := make([]string, 0, len(keys))
	for id := range keys {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		key := keys[id]
		if !keyIDPattern.MatchString(id) {
			problems = append(problems, fmt.Errorf("vault: key id %s must be 1-64 of A-Z a-z 0-9 _ . -", quoteID(id)))
			continue
		}
		if len(key) != KeySize {
			problems = append(problems, fmt.Errorf("vault: key %s is %d bytes, want %d", quoteID(id), len(key), KeySize))
			continue
		}
		block, err := aes.NewCipher(key)
		if err != nil {
			problems = append(problems, fmt.Errorf("vault: key %s: %w", quoteID(id), err))
			continue
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			problems = append(problems, fmt.Errorf("vault: key %s: %w", quoteID(id), err))
			continue
		}
		k.aeads[id] = aead
	}
	if err := errors.Join(problems...); err != nil {
		return nil, err
	}
	return k, nil
}

// ParseKeys parses "id1:base64key1,id2:base64key2" (standard or URL base64, padded or
// not), the format of VAULT_KEYS. Errors name the entry, never its key.
func ParseKeys(s string) (map[string][]byte, error) {
	keys := make(map[string][]byte)
	var problems []error
	for i, entry := range strings.Split(s, ",") {
		entry = strings.TrimSpace(entry)
		if entry == "" {
			continue
		}
		id, enc, ok := strings.Cut(entry, ":")
		if !ok || id == "" {
			problems = append(problems, fmt.Errorf("vault: key entry %d is not id:base64key", i+1))
			continue
		}
		if _, dup := keys[id]; dup {
			problems = append(problems, fmt.Errorf("vault: key id %s appears twice", quoteID(id)))
			continue
		}
		key, err := decodeKey(enc)
		if err != nil {
			problems = append(problems, fmt.Errorf("vault: key %s is not valid base64", quoteID(id)))
			continue
		}
		keys[id] = key
	}
	if len(keys) == 0 && len(problems) == 0 {
		problems = append(problems, errors.New("vault: no keys"))
	}
	if err := errors.Join(problems...); err != nil {
		return nil, err
	}
	return keys, nil
}

// quoteID quotes a key id for an error, unless the id looks like key material (an entry
// written key:id, or a key put in VAULT_ACTIVE_KEY): the base64 or hex of a KeySize-byte
// key is not repeated.
func quoteID(id string) string {
	if k, err := decodeKey(id); err == nil && len(k) == KeySize {
		return "(an id that looks like a key; not shown: entries are id:base64key)"
	}
	if k, err := hex.DecodeString(id); err == nil && len(k) == KeySize {
		return "(an id that looks like a key; not shown: entries are id:base64key)"
	}
	return strconv.Quote(id)
}

func decodeKey(s string) ([]byte, error) {
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			return b, nil
		}
	}
	return nil, errors.New("not base64")
}

// KeyringFromEnv builds a Keyring from VAULT_KEYS and VAULT_ACTIVE_KEY.
func KeyringFromEnv() (*Keyring, error) {
	keys, err := ParseKeys(os.Getenv(EnvKeys))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", EnvKeys, err)
	}
	return NewKeyring(os.Getenv(EnvActiveKey), keys)
}

// GenerateKey returns a new random key, for VAULT_KEYS (base64.StdEncoding).
func GenerateKey() []byte {
	k := make([]byte, KeySize)
	_, _ = rand.Read(k) // crypto/rand.Read never fails
	return k
}

// Active returns the id of the key new writes use.
func (k *Keyring) Active() string { return k.active }

var errUnknownKey = errors.New("vault: sealed with a key that is not in the keyring")

// seal encrypts plaintext with the active key; aad binds it to its row.
func (k *Keyring) seal(plaintext, aad []byte) (keyID string, sealed []byte) {
	aead := k.aeads[k.active]
	nonce := make([]byte, aead.NonceSize(), aead.NonceSize()+len(plaintext)+aead.Overhead())
	_, _ = rand.Read(nonce) // crypto/rand.Read never fails
	return k.active, aead.Seal(nonce, nonce, plaintext, aad)
}

// open decrypts what seal returned under keyID.
func (k *Keyring) open(keyID string, sealed, aad []byte) ([]byte, error) {
	aead, ok := k.aeads[keyID]
	if !ok {
		return nil, errUnknownKey
	}
	if len(sealed) < aead.NonceSize()+aead.Overhead() {
		return nil, errors.New("vault: sealed value too short")
	}
	n := aead.NonceSize()
	plain, err := aead.Open(nil, sealed[:n], sealed[n:], aad)
	if err != nil {
		return nil, errors.New("vault: sealed value fails authentication")
	}
	return plain, nil
}
