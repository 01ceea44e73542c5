-- GCRA in one atomic step. Times are integer microseconds.
-- KEYS[1]: the key. ARGV[1]: emission interval. ARGV[2]: tolerance (interval * burst).
-- ARGV[3]: now, or "" to use the server's clock.
-- Returns {allowed (1/0), retry_after, remaining, reset_after}.
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
  return {0, allow_at - now, 0, tat - now}
end
redis.call('SET', KEYS[1], string.format('%d', nxt), 'PX', math.ceil((nxt - now) / 1000))
return {1, 0, math.floor((tau - (nxt - now)) / interval), nxt - now}
