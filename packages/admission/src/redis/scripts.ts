import { MAX_USED, SCALE } from "../token-bucket.js";

/**
 * Keys outlive their time-to-full by this much. Expiry only ever removes a
 * bucket that is full (absent = full), so the margin just absorbs rounding and
 * the gap between the script's clock and Redis' expiry clock.
 */
export const TTL_MARGIN_MS = 1_000;

/**
 * Bucket helpers of the admit and settle scripts. They mirror `refill`,
 * `timeToFullMs`, `checkBuckets`, `limitState` and the storage rule of
 * token-bucket.ts; the contract suite runs the same cases on both
 * implementations, so a divergence fails a test.
 *
 * Each bucket is a hash { u = used (scaled units below full), t = ms of last
 * update }. Lua numbers are doubles; every value is an integer below 2^53 (see
 * MAX_UNITS), and Redis converts number arguments of redis.call with 17
 * significant digits (not Lua's 14-digit tostring), so they round-trip exactly.
 */
const BUCKET_LUA = `
local SCALE = ${SCALE}
local MAX_USED = ${MAX_USED}
local TTL_MARGIN = ${TTL_MARGIN_MS}

-- The pinned clock (tests) when not ''; otherwise the server's TIME, so all
-- gateway instances share one clock whatever their own drift.
local function now_ms(pinned)
  if pinned ~= '' then return tonumber(pinned) end
  local time = redis.call('TIME')
  return tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
end

local function time_to_full(used, limit)
  if used <= 0 then return 0 end
  return math.ceil(used / limit)
end

local function load(key, limit, now)
  local stored = redis.call('HMGET', key, 'u', 't')
  local used, at = tonumber(stored[1]), tonumber(stored[2])
  if used == nil or at == nil then return 0, now end
  if now <= at then return used, at end
  if now - at >= time_to_full(used, limit) then return 0, now end
  return used - (now - at) * limit, now
end

-- A full bucket is the same as no bucket, so it is deleted; any other bucket
-- expires when it would be full again.
local function save(key, used, at, limit)
  if used <= 0 then
    redis.call('DEL', key)
  else
    redis.call('HSET', key, 'u', used, 't', at)
    redis.call('PEXPIRE', key, time_to_full(used, limit) + TTL_MARGIN)
  end
end

-- addUsed: whole units added to a bucket's scaled use, kept within [0, MAX_USED].
local function add_used(used, units)
  return math.max(0, math.min(MAX_USED, used + units * SCALE))
end

local function wait(used, cost, limit)
  local over = used + cost - limit * SCALE
  if over <= 0 then return 0 end
  return math.ceil(over / limit)
end

local function remaining(used, limit)
  local available = limit * SCALE - used
  if available <= 0 then return 0 end
  return math.floor(available / SCALE)
end

-- The admit rule for one request on up-to-date buckets (checkBuckets): 0 and -1
-- when one request and wanted tokens may be taken; otherwise 1 (requests) or
-- 2 (tokens) and the ms until a retry could pass. The token check is clamped to
-- the capacity, the take (by the caller) is not.
local function check(request_used, token_used, wanted, request_limit, token_limit)
  local request_wait = wait(request_used, SCALE, request_limit)
  local token_wait = wait(token_used, math.min(wanted, token_limit) * SCALE, token_limit)
  if request_wait > 0 then return 1, math.max(request_wait, token_wait) end
  if token_wait > 0 then return 2, token_wait end
  return 0, -1
end

-- Appends a decision's numbers to replies: how it was decided, then both
-- buckets as they are after it, then the retry-after.
local function push_decision(replies, limited_by, request_used, request_limit, token_used, token_limit, retry_after)
  local at = #replies
  replies[at + 1] = limited_by
  replies[at + 2] = remaining(request_used, request_limit)
  replies[at + 3] = time_to_full(request_used, request_limit)
  replies[at + 4] = remaining(token_used, token_limit)
  replies[at + 5] = time_to_full(token_used, token_limit)
  replies[at + 6] = retry_after
end
`;

/**
 * Lua: ends holds taken from the balance hash `key` in `epoch`, `charged` of
 * the `held` micros spent. Same epoch: the unused part goes back (a charge above
 * the hold takes the difference). The balance was reloaded since the holds
 * (Redis restarted or the key expired): the reload did not contain them, so
 * only the charges are taken from it. Nothing when the hash is gone (the next
 * hold reloads it from storage).
 */
const END_HOLDS_LUA = `
local function end_holds(key, held, charged, epoch)
  if redis.call('EXISTS', key) == 0 then return end
  if redis.call('HGET', key, 'e') == epoch then
    redis.call('HINCRBY', key, 'b', held - charged)
  else
    redis.call('HINCRBY', key, 'b', -charged)
  end
end
`;

/** The first number of a decision refused for credits (1 and 2 are the buckets'). */
export const CREDITS_REFUSED = 3;

/** Numbers per request in ADMIT's reply: push_decision's six, then the balance available after it. */
export const ADMIT_REPLY_LENGTH = 7;

/**
 * admit: KEYS = [request bucket, token bucket, balance hash] (one account: one
 * hash tag, so this runs on Redis Cluster too);
 * ARGV = [pinned now or '', requests/min, tokens/min, balance ttl ms, then per
 * request: tokens wanted, micros to hold (0: no hold)].
 *
 * Each request in order, at one instant, exactly as separate calls would
 * decide it; a refused request takes nothing: one that the rate limits refuse
 * holds no credits, and one whose hold does not fit takes neither a request
 * nor tokens.
 *
 * Returns {-1} when a hold is wanted and the balance is not in Redis (nothing
 * was taken); otherwise the balance's epoch ('' when no hold was wanted), then
 * per request ADMIT_REPLY_LENGTH numbers: 0 admitted, 1 refused by requests,
 * 2 by tokens, 3 by credits; requests remaining and reset ms, tokens remaining
 * and reset ms, retry-after ms (-1 when none), balance available after it.
 */
export const ADMIT = `${BUCKET_LUA}
local holding = false
for index = 6, #ARGV, 2 do
  if tonumber(ARGV[index]) > 0 then holding = true end
end
local available, epoch = 0, ''
if holding then
  if redis.call('EXISTS', KEYS[3]) == 0 then return {-1} end
  available = tonumber(redis.call('HGET', KEYS[3], 'b'))
  epoch = redis.call('HGET', KEYS[3], 'e') or ''
end

local now = now_ms(ARGV[1])
local request_limit, token_limit = tonumber(ARGV[2]), tonumber(ARGV[3])
local request_used, request_at = load(KEYS[1], request_limit, now)
local token_used, token_at = load(KEYS[2], token_limit, now)
local taken, held = false, 0
local replies = {epoch}

for index = 5, #ARGV, 2 do
  local wanted, hold = tonumber(ARGV[index]), tonumber(ARGV[index + 1])
  local limited_by, retry_after = check(request_used, token_used, wanted, request_limit, token_limit)
  if limited_by == 0 and hold > 0 and available < hold then limited_by = ${CREDITS_REFUSED} end
  if limited_by == 0 then
    request_used = request_used + SCALE
    token_used = math.min(MAX_USED, token_used + wanted * SCALE)
    available = available - hold
    held = held + hold
    taken = true
  end
  push_decision(replies, limited_by, request_used, request_limit, token_used, token_limit, retry_after)
  replies[#replies + 1] = available
end

if taken then
  save(KEYS[1], request_used, request_at, request_limit)
  save(KEYS[2], token_used, token_at, token_limit)
end
if held > 0 then
  redis.call('HINCRBY', KEYS[3], 'b', -held)
  redis.call('PEXPIRE', KEYS[3], ARGV[4])
end
return replies`;

/**
 * settle: KEYS = [token bucket, balance hash];
 * ARGV = [pinned now or '', tokens/min, tokens given back (≤ 0), tokens taken
 * (≥ 0), micros held, micros charged, the holds' epoch].
 *
 * The token reservations corrected (what was given back first, so the bucket
 * is the stricter; a missing bucket is a full one), then the holds ended
 * (end_holds).
 */
export const SETTLE = `${BUCKET_LUA}${END_HOLDS_LUA}
local refund, charge = tonumber(ARGV[3]), tonumber(ARGV[4])
if refund ~= 0 or charge ~= 0 then
  local limit = tonumber(ARGV[2])
  local used, at = load(KEYS[1], limit, now_ms(ARGV[1]))
  save(KEYS[1], add_used(add_used(used, refund), charge), at, limit)
end
local held, charged = tonumber(ARGV[5]), tonumber(ARGV[6])
if held > 0 or charged > 0 then end_holds(KEYS[2], held, charged, ARGV[7]) end
return 1`;

/** load: KEYS = [balance hash]; ARGV = [balance from storage, new epoch, ttl ms]. Loads only if nobody else did first. */
export const LOAD = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'b', ARGV[1], 'e', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1`;

/** grant: KEYS = [balance hash]; ARGV = [micros]. Nothing when the balance is not in Redis: its next load reads storage, which has the grant. */
export const GRANT = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HINCRBY', KEYS[1], 'b', ARGV[1])
return 1`;
