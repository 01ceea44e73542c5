package flags_test

import (
	"strings"
	"testing"

	"github.com/footingdev/footing/storage/flags"
)

// FuzzEnvName: any flag key maps to a valid environment variable name.
func FuzzEnvName(f *testing.F) {
	for _, s := range []string{"new-checkout", "beta.search_v2", "Ünïcode", "", "a b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, flag string) {
		name := flags.EnvName(flag)
		if !strings.HasPrefix(name, "FEATURE_") {
			t.Fatalf("%q -> %q", flag, name)
		}
		for _, r := range name {
			valid := r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_'
			if !valid {
				t.Fatalf("%q -> %q has %q", flag, name, r)
			}
		}
	})
}

// FuzzValues: environment values and stored JSON parse or fail, never panic, and a
// parsed value has the asked-for type.
func FuzzValues(f *testing.F) {
	for _, s := range []string{"true", "42", "0.5", `{"a":1}`, `"s"`, "NaN", "1e400", "9007199254740993", ""} {
		f.Add(uint8(0), s)
		f.Add(uint8(2), s)
		f.Add(uint8(3), s)
	}
	f.Fuzz(func(t *testing.T, k uint8, s string) {
		for _, v := range []func() (any, error){
			func() (any, error) { return flags.ParseEnv(int(k), s) },
			func() (any, error) { return flags.DecodeJSON(int(k), []byte(s)) },
		} {
			got, err := v()
			if err != nil {
				continue
			}
			ok := true
			switch k % 5 {
			case 0:
				_, ok = got.(bool)
			case 1:
				_, ok = got.(string)
			case 2:
				_, ok = got.(int64)
			case 3:
				_, ok = got.(float64)
			}
			if !ok {
				t.Fatalf("kind %d, %q: got %T", k%5, s, got)
			}
		}
	})
}
