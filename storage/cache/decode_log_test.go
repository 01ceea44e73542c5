package cache_test

import (
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/footingdev/footing/storage/cache"
)

// TestUndecodableEntryLogsNoValue checks that an entry that no longer decodes is logged
// without its contents, as the package promises for everything it logs: encoding/json's
// type errors quote a number they could not store ("cannot unmarshal number
// 4111111111111111 into ... of type int8"), time.Time's quotes the text it could not
// parse, and both are cached data.
func TestUndecodableEntryLogsNoValue(t *testing.T) {
	t.Parallel()
	const secret = "4111111111111111"
	for _, tc := range []struct{ name, stored string }{
		{"number for a string", `{"name": ` + secret + `, "rank": 1}`},
		{"number too large", `{"name": "ada", "rank": 9` + secret + secret + `}`},
		{"syntax", `{"name": "` + secret + `" "rank": 1}`},
		{"trailing data", `{"name": "ada", "rank": 1} ` + secret},
		{"a type's own UnmarshalJSON", `{"name": "ada", "at": "` + secret + `"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			logs := &syncBuffer{}
			c := cache.New(cache.NewMemory(0), cache.Config{Logger: slog.New(slog.NewTextHandler(logs, nil))})
			ctx := tenantCtx("t1")
			if err := c.Set(ctx, "p", []byte(tc.stored)); err != nil {
				t.Fatal(err)
			}
			type profile struct {
				Name string    `json:"name"`
				Rank int8      `json:"rank"`
				At   time.Time `json:"at"`
			}
			if _, ok, err := cache.For(c, cache.JSON[profile]()).Get(ctx, "p"); ok || err != nil {
				t.Fatalf("undecodable entry: ok=%v err=%v, want a miss", ok, err)
			}
			if !strings.Contains(logs.String(), "decode") {
				t.Fatalf("the decode failure was not logged: %q", logs.String())
			}
			if strings.Contains(logs.String(), secret) {
				t.Fatalf("the log quotes the cached value: %s", logs.String())
			}
		})
	}
}
