package cache

import (
	"context"
)

// Typed is a view of a [Cache] that stores values of type T through a [Codec].
// A value that no longer decodes (after a change to T) is treated as a miss and
// loaded again. It is safe for concurrent use.
type Typed[T any] struct {
	cache *Cache
	codec Codec[T]
}

// For returns a Typed view of c for values of type T.
func For[T any](c *Cache, codec Codec[T]) *Typed[T] {
	return &Typed[T]{cache: c, codec: codec}
}

// Get returns the value under key and whether it was found.
func (t *Typed[T]) Get(ctx context.Context, key string) (T, bool, error) {
	var zero T
	b, ok, err := t.cache.Get(ctx, key)
	if err != nil || !ok {
		return zero, false, err
	}
	v, err := t.codec.Unmarshal(b)
	if err != nil {
		t.cache.obs.absorbed(ctx, "decode", err)
		return zero, false, nil
	}
	return v, true, nil
}

// Set stores v under key.
func (t *Typed[T]) Set(ctx context.Context, key string, v T, opts ...SetOption) error {
	b, err := t.codec.Marshal(v)
	if err != nil {
		return err
	}
	return t.cache.Set(ctx, key, b, opts...)
}

// GetOrLoad returns the value under key, or loads, stores and returns it, with the
// single-flight and detached-load behaviour of [Cache.GetOrLoad]. Each caller gets its
// own decoded copy.
func (t *Typed[T]) GetOrLoad(ctx context.Context, key string, load func(context.Context) (T, error), opts ...SetOption) (T, error) {
	var zero T
	full, err := t.cache.fullKey(ctx, key)
	if err != nil {
		return zero, err
	}
	if b, ok := t.cache.get(ctx, full); ok {
		if v, err := t.codec.Unmarshal(b); err == nil {
			return v, nil
		}
	}
	b, err := t.cache.loadMissed(ctx, full, func(ctx context.Context) ([]byte, error) {
		v, err := load(ctx)
		if err != nil {
			return nil, err
		}
		return t.codec.Marshal(v)
	}, opts, func(b []byte) bool {
		_, err := t.codec.Unmarshal(b)
		return err == nil
	})
	if err != nil {
		return zero, err
	}
	return t.codec.Unmarshal(b)
}

// Delete removes keys; see [Cache.Delete].
func (t *Typed[T]) Delete(ctx context.Context, keys ...string) error {
	return t.cache.Delete(ctx, keys...)
}
