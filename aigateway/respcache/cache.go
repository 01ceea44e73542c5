package respcache

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"io"
	"time"

	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"

	aiv1 "github.com/footingdev/footing/contracts/gen/go/footing/ai/v1"
)

// A Store keeps cached answers. It must be safe to use concurrently.
type Store interface {
	// Get returns the value under key, or ok false when there is none.
	Get(ctx context.Context, key string) (value []byte, ok bool, err error)
	// Set stores value under key for ttl.
	Set(ctx context.Context, key string, value []byte, ttl time.Duration) error
}

// Config configures a [Cache]. The zero value means the defaults.
type Config struct {
	// TTL is how long an answer is kept (default 1h).
	TTL time.Duration
	// CacheSampled caches requests whose temperature is above zero too.
	CacheSampled bool
	// MaxAnswerBytes bounds the size of a cached answer; larger ones are not cached
	// (default 1 MiB).
	MaxAnswerBytes int
	// KeyPrefix prefixes every key (default "footing:aicache:").
	KeyPrefix string
}

// A Cache caches answers in a [Store]. It is safe to use concurrently.
type Cache struct {
	store Store
	cfg   Config
}

// New returns a cache over store.
func New(store Store, cfg Config) *Cache {
	if cfg.TTL <= 0 {
		cfg.TTL = time.Hour
	}
	if cfg.MaxAnswerBytes <= 0 {
		cfg.MaxAnswerBytes = 1 << 20
	}
	if cfg.KeyPrefix == "" {
		cfg.KeyPrefix = "footing:aicache:"
	}
	return &Cache{store: store, cfg: cfg}
}

// Key returns the cache key of tenant's req, and whether req may be cached at all.
// The key hashes the tenant with the request's deterministic encoding, without its
// metadata (labels that do not change the answer).
func (c *Cache) Key(tenant string, req *aiv1.ChatRequest) (string, bool) {
	if c == nil || (!c.cfg.CacheSampled && req.GetTemperature() > 0) {
		return "", false
	}
	norm := req
	if len(req.GetMetadata()) > 0 {
		norm = proto.CloneOf(req)
		norm.Metadata = nil
	}
	b, err := proto.MarshalOptions{Deterministic: true}.Marshal(norm)
	if err != nil {
		return "", false
	}
	h := sha256.New()
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(len(tenant)))
	h.Write(n[:])
	h.Write([]byte(tenant))
	h.Write(b)
	return c.cfg.KeyPrefix + hex.EncodeToString(h.Sum(nil)), true
}

// MaxAnswerBytes is the size past which an answer is not cached (0 for a nil c).
// A caller collecting an answer for [Cache.Put] can stop once it is past it.
func (c *Cache) MaxAnswerBytes() int {
	if c == nil {
		return 0
	}
	return c.cfg.MaxAnswerBytes
}

// Get returns the cached answer under key as a stream, or ok false on a miss (or
// when the store fails: a cache never fails a request).
func (c *Cache) Get(ctx context.Context, key string) (*Replay, bool) {
	b, ok, err := c.store.Get(ctx, key)
	if err != nil || !ok {
		return nil, false
	}
	chunks, err := decode(b)
	if err != nil || len(chunks) == 0 {
		return nil, false
	}
	return &Replay{chunks: chunks}, true
}

// Put stores a complete answer under key. Answers larger than MaxAnswerBytes are
// not stored.
func (c *Cache) Put(ctx context.Context, key string, chunks []*aiv1.ChatChunk) error {
	var b []byte
	for _, ch := range chunks {
		m, err := proto.Marshal(ch)
		if err != nil {
			return err
		}
		b = protowire.AppendBytes(b, m)
		if len(b) > c.cfg.MaxAnswerBytes {
			return nil
		}
	}
	return c.store.Set(ctx, key, b, c.cfg.TTL)
}

func decode(b []byte) ([]*aiv1.ChatChunk, error) {
	var chunks []*aiv1.ChatChunk
	for len(b) > 0 {
		m, n := protowire.ConsumeBytes(b)
		if n < 0 {
			return nil, protowire.ParseError(n)
		}
		b = b[n:]
		ch := &aiv1.ChatChunk{}
		if err := proto.Unmarshal(m, ch); err != nil {
			return nil, err
		}
		chunks = append(chunks, ch)
	}
	return chunks, nil
}

// A Replay plays a cached answer back as a stream. Its usage is the original
// answer's token counts at no cost: a hit costs the provider nothing.
type Replay struct {
	chunks []*aiv1.ChatChunk
	i      int
	usage  *aiv1.Usage
}

// Next returns the next cached chunk, or io.EOF after the last.
func (r *Replay) Next() (*aiv1.ChatChunk, error) {
	if r.i >= len(r.chunks) {
		return nil, io.EOF
	}
	c := r.chunks[r.i]
	r.i++
	if c.Usage != nil {
		c.Usage.CostNanosUsd = 0
		r.usage = c.Usage
	}
	return c, nil
}

// Usage returns the usage replayed so far.
func (r *Replay) Usage() *aiv1.Usage { return r.usage }

// Close does nothing; it makes a Replay a stream like any other.
func (r *Replay) Close() error { return nil }
