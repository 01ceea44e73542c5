-- GCRA in one atomic step. Times are integer microseconds.
-- KEYS[1]: the key. ARGV[1]: emission interval. ARGV[2]: tolerance (interval * burst).
-- ARGV[3]: now, or "" to use the server's clock.
-- Returns one integer, so that the reply is as small as a GET's: when allowed, the new
-- TAT minus now (> 0); when refused, -(TAT - now) (< 0). The caller derives retry-after
-- and remaining from it with the interval and tolerance it sent.
local now
if ARGV[3] == '' then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000000 + tonumber(t[2])
else
  now = tonumber(ARGV[3])
end
local interval = tonumber(ARGV[1])
local tau = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0') or 0
if tat < now then
  tat = now
end
local nxt = tat + interval
local allow_at = nxt - tau
if now < allow_at then
  return now - tat
end
-- The key lives until its TAT has passed, and at least a second: a TAT in the past
-- decides as a missing key does (tat < now above), so the floor changes no decision,
-- and a caller stepping a clock of its own (Now) does not lose the key to a stall.
redis.call('SET', KEYS[1], string.format('%d', nxt), 'PX', math.max(math.ceil((nxt - now) / 1000), 1000))
return nxt - now
