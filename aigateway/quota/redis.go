package quota

import (
	"context"
	"strconv"

	"github.com/redis/go-redis/v9"

	"github.com/footingdev/footing/contracts/errs"
)

// reserveScript checks every counter, then adds to all of them, in one atomic step.
// KEYS are the counters; ARGV holds limit, add and TTL in milliseconds for each.
var reserveScript = redis.NewScript(`
for i = 1, #KEYS do
  local cur = tonumber(redis.call('GET', KEYS[i]) or '0')
  if cur + tonumber(ARGV[3*i-1]) > tonumber(ARGV[3*i-2]) then
    return i
  end
end
for i = 1, #KEYS do
  redis.call('INCRBY', KEYS[i], ARGV[3*i-1])
  redis.call('PEXPIRE', KEYS[i], ARGV[3*i], 'NX')
end
return 0
`)

// adjustScript adds ARGV[i] to KEYS[i] where the key still exists.
var adjustScript = redis.NewScript(`
for i = 1, #KEYS do
  if redis.call('EXISTS', KEYS[i]) == 1 then
    redis.call('INCRBY', KEYS[i], ARGV[i])
  end
end
return 0
`)

// RedisStore is a [Store] in Redis, shared by every gateway instance that uses the
// same Redis and key prefix. Keys of one reservation share the tenant's hash tag, so
// the scripts also run on Redis Cluster.
type RedisStore struct {
	client redis.Scripter
}

// NewRedisStore returns a store on client (a *redis.Client, *redis.ClusterClient or
// any redis.Scripter).
func NewRedisStore(client redis.Scripter) *RedisStore {
	return &RedisStore{client: client}
}

// Reserve implements [Store].
func (s *RedisStore) Reserve(ctx context.Context, counters []Counter) (int, error) {
	keys := make([]string, len(counters))
	args := make([]any, 0, 3*len(counters))
	for i, c := range counters {
		keys[i] = c.Key
		args = append(args, c.Limit, c.Add, max(c.TTL.Milliseconds(), 1))
	}
	n, err := reserveScript.Run(ctx, s.client, keys, args...).Int()
	if err != nil {
		return 0, errs.Unavailable("QUOTA_STORE_UNAVAILABLE", "the quota store is unavailable", errs.WithCause(err))
	}
	return n - 1, nil
}

// Adjust implements [Store].
func (s *RedisStore) Adjust(ctx context.Context, counters []Counter) error {
	keys := make([]string, len(counters))
	args := make([]any, len(counters))
	for i, c := range counters {
		keys[i] = c.Key
		args[i] = strconv.FormatInt(c.Add, 10)
	}
	if err := adjustScript.Run(ctx, s.client, keys, args...).Err(); err != nil {
		return errs.Unavailable("QUOTA_STORE_UNAVAILABLE", "the quota store is unavailable", errs.WithCause(err))
	}
	return nil
}
