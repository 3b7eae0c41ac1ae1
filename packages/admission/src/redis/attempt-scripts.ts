/**
 * The attempt-limiter scripts. They mirror `waitMs`, `taken` and `refunded` of
 * attempt-limiter.ts line for line; the attempt contract suite runs the same
 * cases on both implementations, so a divergence fails a test.
 *
 * KEYS are the subjects' keys; ARGV[1] is the pinned clock ('' = Redis TIME),
 * then four arguments per key: the rule's kind, then for a bucket its burst and
 * interval, for a backoff its forget time and 0, then the backoff's waits
 * (comma-separated; '' for a bucket). A bucket is a hash { f = ms at which it
 * is full again }, a backoff a hash { n = counted attempts, a = ms of the last,
 * x = ms at which it is forgotten }. Both are read on the script's clock; the
 * keys' TTLs only clean up.
 */
const COMMON_LUA = `
local function now_ms(pinned)
  if pinned ~= '' then return tonumber(pinned) end
  local time = redis.call('TIME')
  return tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
end

local function rule_of(i)
  local base = 1 + (i - 1) * 4
  local waits = {}
  for value in string.gmatch(ARGV[base + 4], '[^,]+') do waits[#waits + 1] = tonumber(value) end
  return { kind = ARGV[base + 1], a = tonumber(ARGV[base + 2]), b = tonumber(ARGV[base + 3]), waits = waits }
end

local function backoff_wait(waits, count)
  if count <= 0 then return 0 end
  if count > #waits then count = #waits end
  return waits[count]
end

-- A backoff past its end ('x', on the script's clock) is absent, whatever the key's TTL says.
local function read_backoff(key, now)
  local stored = redis.call('HMGET', key, 'n', 'a', 'x')
  local count, at, ends = tonumber(stored[1]), tonumber(stored[2]), tonumber(stored[3])
  if count == nil or at == nil or ends == nil or now >= ends then return nil, nil end
  return count, at
end

local function save_backoff(key, count, at, ttl, now)
  if ttl <= 0 then
    redis.call('DEL', key)
  else
    redis.call('HSET', key, 'n', count, 'a', at, 'x', now + ttl)
    redis.call('PEXPIRE', key, ttl)
  end
end
`;

/** Decides every check, then counts the attempt in all of them or in none. Returns {allowed (1/0), retry ms, refusing index or -1}. */
export const ATTEMPT = `${COMMON_LUA}
local now = now_ms(ARGV[1])
local worst, refused = 0, -1
local rules, states = {}, {}
for i = 1, #KEYS do
  local rule = rule_of(i)
  rules[i] = rule
  local wait
  if rule.kind == 'bucket' then
    local full_at = tonumber(redis.call('HGET', KEYS[i], 'f'))
    if full_at == nil or full_at < now then full_at = now end
    states[i] = { full_at }
    wait = full_at + rule.b - rule.a * rule.b - now
  else
    local count, at = read_backoff(KEYS[i], now)
    if count == nil then count, at = 0, now end
    states[i] = { count, at }
    wait = at + backoff_wait(rule.waits, count) - now
  end
  if wait > worst then worst, refused = wait, i - 1 end
end
if refused >= 0 then return { 0, worst, refused } end
for i = 1, #KEYS do
  local rule = rules[i]
  if rule.kind == 'bucket' then
    local full_at = states[i][1] + rule.b
    redis.call('HSET', KEYS[i], 'f', full_at)
    redis.call('PEXPIRE', KEYS[i], full_at - now)
  else
    local count = states[i][1] + 1
    save_backoff(KEYS[i], count, now, backoff_wait(rule.waits, count) + rule.a, now)
  end
end
return { 1, 0, -1 }
`;

/** Gives one attempt back to each key. */
export const REFUND = `${COMMON_LUA}
local now = now_ms(ARGV[1])
for i = 1, #KEYS do
  local rule = rule_of(i)
  if rule.kind == 'bucket' then
    local full_at = tonumber(redis.call('HGET', KEYS[i], 'f'))
    if full_at ~= nil then
      full_at = full_at - rule.b
      if full_at <= now then
        redis.call('DEL', KEYS[i])
      else
        redis.call('HSET', KEYS[i], 'f', full_at)
        redis.call('PEXPIRE', KEYS[i], full_at - now)
      end
    end
  else
    local count, at = read_backoff(KEYS[i], now)
    if count ~= nil then
      local ttl = 0
      if count > 1 then ttl = at + backoff_wait(rule.waits, count - 1) + rule.a - now end
      save_backoff(KEYS[i], count - 1, at, ttl, now)
    end
  end
end
return 1
`;
