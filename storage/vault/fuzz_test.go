package vault_test

import (
	"encoding/base64"
	"strings"
	"testing"

	"github.com/footingdev/footing/storage/vault"
)

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

// FuzzParseKeys: VAULT_KEYS comes from the environment; any input gives keys or an
// error, and an error never repeats an entry's key part.
func FuzzParseKeys(f *testing.F) {
	f.Add("k1:" + b64(make([]byte, 32)))
	f.Add("a:b,c:d")
	f.Add(",,:,")
	f.Add("k:" + strings.Repeat("A", 44) + ",k:" + strings.Repeat("A", 44))
	f.Fuzz(func(t *testing.T, s string) {
		keys, err := vault.ParseKeys(s)
		if err != nil {
			for _, entry := range strings.Split(s, ",") {
				if _, key, ok := strings.Cut(strings.TrimSpace(entry), ":"); ok && len(key) >= 12 && strings.Contains(err.Error(), key) {
					t.Fatalf("error repeats key material %q: %v", key, err)
				}
			}
			return
		}
		for id := range keys {
			if id == "" {
				t.Fatal("empty key id accepted")
			}
		}
	})
}

// FuzzOpen: sealed bytes come from the database; tampered or random input is an error,
// never a panic, and never opens.
func FuzzOpen(f *testing.F) {
	k := mustKeyring(f)
	_, sealed := k.Seal([]byte(`{"a":"x"}`), []byte("aad"))
	f.Add(sealed, []byte("aad"))
	f.Add([]byte{}, []byte{})
	f.Add(sealed[:10], []byte("aad"))
	f.Fuzz(func(t *testing.T, data, aad []byte) {
		plain, err := k.Open("k1", data, aad)
		if err == nil && string(plain) != `{"a":"x"}` {
			t.Fatalf("forged input opened: %q", plain)
		}
	})
}

func mustKeyring(f *testing.F) *vault.Keyring {
	k, err := vault.NewKeyring("k1", map[string][]byte{"k1": testKey("k1")})
	if err != nil {
		f.Fatal(err)
	}
	return k
}
