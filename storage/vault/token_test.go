package vault_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/footingdev/footing/storage/vault"
)

func TestTokenNeverPrintsSecrets(t *testing.T) {
	t.Parallel()
	tok := sample()
	var logs bytes.Buffer
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("token", "tok", tok)
	js, _ := json.Marshal(map[string]any{"tok": tok})
	outputs := map[string]string{
		"%v": fmt.Sprintf("%v", tok), "%+v": fmt.Sprintf("%+v", tok), "%#v": fmt.Sprintf("%#v", tok),
		"%s": fmt.Sprintf("%s", tok), "%q": fmt.Sprintf("%q", tok), "ptr %v": fmt.Sprintf("%v", &tok),
		"String": tok.String(), "slog": logs.String(), "json": string(js),
		"in a struct": fmt.Sprintf("%+v", struct{ T vault.Token }{tok}),
	}
	for how, out := range outputs {
		if strings.Contains(out, secretAccess) || strings.Contains(out, secretRefresh) {
			t.Errorf("%s prints a secret: %s", how, out)
		}
	}
	if !strings.Contains(tok.String(), "Bearer") || !strings.Contains(tok.String(), "2030") {
		t.Errorf("String lost the non-secret facts: %s", tok)
	}
}

func TestNewKeyringReportsAll(t *testing.T) {
	t.Parallel()
	_, err := vault.NewKeyring("missing", map[string][]byte{
		"short":  []byte("0123456789abcdef"),
		"bad id": make([]byte, 32),
	})
	if err == nil {
		t.Fatal("bad keyring accepted")
	}
	for _, want := range []string{`"missing"`, `"short" is 16 bytes`, `"bad id"`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("missing %s in %v", want, err)
		}
	}
	if strings.Contains(err.Error(), "0123456789abcdef") {
		t.Errorf("error shows key material: %v", err)
	}
}

func TestParseKeys(t *testing.T) {
	t.Parallel()
	keys, err := vault.ParseKeys("k1:" + b64(testKey("k1")) + ", k2:" + b64(testKey("k2")))
	if err != nil || len(keys) != 2 || !bytes.Equal(keys["k2"], testKey("k2")) {
		t.Fatalf("ParseKeys: %v %v", keys, err)
	}
	_, err = vault.ParseKeys("k1:SECRETMATERIAL!!,nocolon,k1:" + b64(testKey("k1")))
	if err == nil || strings.Contains(err.Error(), "SECRETMATERIAL") {
		t.Fatalf("bad entries: %v", err)
	}
	if _, err := vault.ParseKeys(""); err == nil {
		t.Fatal("empty VAULT_KEYS accepted")
	}
}

// An entry written the wrong way round (key:id, a common slip) puts the key where the
// id goes: the errors that name the id must not then print the key.
func TestSwappedKeyEntryNeverPrintsTheKey(t *testing.T) {
	t.Parallel()
	key := testKey("swapped-secret")
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		material := enc.EncodeToString(key)
		for _, env := range []string{
			material + ":k1", // id and key swapped
			"k0:" + b64(testKey("k0")) + "," + material + ":k1", // and next to a good entry
			material + ":" + material,                           // key twice
			material + ":k1," + material + ":k2",                // same key id twice
		} {
			keys, err := vault.ParseKeys(env)
			if err == nil {
				_, err = vault.NewKeyring("k1", keys)
			}
			if err == nil {
				t.Fatalf("%q accepted", env)
			}
			if strings.Contains(err.Error(), material) {
				t.Errorf("error shows the key: %v", err)
			}
		}
	}
}
