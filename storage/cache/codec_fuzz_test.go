package cache_test

import (
	"regexp"
	"testing"
	"time"

	"github.com/footingdev/footing/storage/cache"
)

// jsonDecodeErr is every message cache.JSON's Unmarshal may return: the kind of failure,
// a byte offset and a Go type, never text taken from the data.
var jsonDecodeErr = regexp.MustCompile(`^cache: decode JSON: (syntax error at byte \d+|a value that does not fit Go type [\w.\[\]*]+ at byte \d+|invalid value)$`)

// FuzzJSONDecodeQuotesNothing decodes arbitrary bytes, as read from a shared Redis, into a
// struct with strings, small integers, a time, a map and a slice: it must not panic, and
// a failure's message must be one of the fixed forms above.
func FuzzJSONDecodeQuotesNothing(f *testing.F) {
	for _, s := range []string{
		`{"name":"ada","rank":1}`, `{"rank":4111111111111111}`, `{"at":"secret"}`, `{"tags":{"secret":"x"}}`,
		`{"m":{"k":"v"}}`, `{"list":[1,"x"]}`, `{`, `[]`, `null`, `{"name":1e999}`, "\xff",
	} {
		f.Add([]byte(s))
	}
	type value struct {
		Name string            `json:"name"`
		Rank int8              `json:"rank"`
		At   time.Time         `json:"at"`
		M    map[string]uint16 `json:"m"`
		List []float32         `json:"list"`
	}
	codec := cache.JSON[value]()
	f.Fuzz(func(t *testing.T, data []byte) {
		_, err := codec.Unmarshal(data)
		if err != nil && !jsonDecodeErr.MatchString(err.Error()) {
			t.Fatalf("decode error %q may quote the data %q", err, data)
		}
	})
}
