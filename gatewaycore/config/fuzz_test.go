package config_test

import (
	"strings"
	"testing"

	"github.com/footingdev/footing/gatewaycore/config"
)

func FuzzParseFile(f *testing.F) {
	for _, s := range []string{
		"A=1\n", "export B='x y'\n", "C=\"a\\nb\" # c\n", "# only\n\n", "D=\"unterminated\n", "=x\n", "E='a' b\n",
		"F=\"\\q\"\n", "G=a #b\n", "H=\"\\\\\"\n", "I=\r\n", "\xff=1\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		vars, err := config.ParseFile(strings.NewReader(in))
		if err != nil && strings.Contains(in, "=SECRETVALUE") && strings.Contains(err.Error(), "SECRETVALUE") {
			t.Fatalf("error echoes a value: %v", err)
		}
		for k := range vars {
			if k == "" || strings.ContainsAny(k, "= \t\n#") {
				t.Fatalf("bad key %q accepted", k)
			}
		}
	})
}

type fuzzTarget struct {
	D  string `env:"D" secret:"true"`
	N  int64  `env:"N" secret:"true"`
	B  bool   `env:"B" secret:"true"`
	F  float32
	L  []string `env:"L"`
	T  string   `env:"T" default:"x"`
	DU string   `env:"DU"`
}

func FuzzLoad(f *testing.F) {
	for _, s := range []string{"", "1", "-9223372036854775809", "true", "1e400", "a,b,,c", "NaN", "\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		var c fuzzTarget
		err := config.Load(&c, config.WithLookup(func(k string) (string, bool) { return v, true }))
		if err == nil {
			return
		}
		if len(strings.TrimSpace(v)) >= 4 && strings.Contains(err.Error(), strings.TrimSpace(v)) {
			t.Fatalf("error %q shows a secret value %q", err, v)
		}
		if !strings.Contains(err.Error(), "N:") && !strings.Contains(err.Error(), "B:") {
			t.Fatalf("error %q names no variable", err)
		}
	})
}
