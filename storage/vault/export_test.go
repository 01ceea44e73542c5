package vault

import "time"

// Open exposes the decryption of sealed values to the fuzz test.
func (k *Keyring) Open(keyID string, sealed, aad []byte) ([]byte, error) {
	return k.open(keyID, sealed, aad)
}

// Seal exposes encryption to the fuzz test.
func (k *Keyring) Seal(plaintext, aad []byte) (string, []byte) { return k.seal(plaintext, aad) }

// SetRotateBatch sets how many rows one of v's rotation transactions takes, for tests
// that cross batch boundaries.
func SetRotateBatch(v *Vault, n int) { v.batch = n }

// SetNow replaces the token sources' clock until the returned func restores it. Tests
// that use it must not be parallel.
func SetNow(f func() time.Time) (restore func()) {
	old := now
	now = f
	return func() { now = old }
}
