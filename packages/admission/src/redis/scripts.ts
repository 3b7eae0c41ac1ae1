import { MAX_USED, SCALE } from "../token-bucket.js";
import { NOW_LUA } from "./clock-lua.js";
import { HOLDS_LUA } from "./holds-lua.js";

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

${NOW_LUA}
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

/** The first number of a decision refused for credits (1 and 2 are the buckets'). */
export const CREDITS_REFUSED = 3;

/** Numbers per request in ADMIT's reply: push_decision's six, then the balance available after it. */
export const ADMIT_REPLY_LENGTH = 7;

/** ADMIT's whole reply when a hold is wanted and the balance is not in Redis: load it (REGISTER), then admit again. */
export const BALANCE_MISSING = -1;

/** ADMIT's whole reply when the balance is another copy than the one the caller's open holds were registered in: register them (REGISTER), then admit again. */
export const HOLDS_UNREGISTERED = -2;

/**
 * admit: KEYS = [request bucket, token bucket, balance hash, holds hash,
 * leases hash, marks] (one account: one hash tag, so this runs on Redis
 * Cluster too);
 * ARGV = [pinned now or '', requests/min, tokens/min, balance ttl ms, the
 * epoch the caller's open holds on this account were registered in ('' when it
 * has none), the caller's instance id, its lease ms, then per request: tokens
 * wanted, micros to hold (0: no hold), request id].
 *
 * Each request in order, at one instant, exactly as separate calls would
 * decide it; a refused request takes nothing: one that the rate limits refuse
 * holds no credits, and one whose hold does not fit takes neither a request
 * nor tokens. Holds whose instance's lease ran out go back first; each hold
 * taken is kept under its request id, and renews the caller's lease.
 *
 * Returns {BALANCE_MISSING} or {HOLDS_UNREGISTERED} (nothing was taken) when a
 * hold is wanted; otherwise the balance's epoch ('' when no hold was wanted),
 * then per request ADMIT_REPLY_LENGTH numbers: 0 admitted, 1 refused by
 * requests, 2 by tokens, 3 by credits; requests remaining and reset ms, tokens
 * remaining and reset ms, retry-after ms (-1 when none), balance available
 * after it.
 */
export const ADMIT = `${BUCKET_LUA}${HOLDS_LUA}
local holding = false
for index = 9, #ARGV, 3 do
  if tonumber(ARGV[index]) > 0 then holding = true end
end
local now = now_ms(ARGV[1])
local available, epoch = 0, ''
if holding then
  if redis.call('EXISTS', KEYS[3]) == 0 then return {${BALANCE_MISSING}} end
  epoch = redis.call('HGET', KEYS[3], 'e') or ''
  if ARGV[5] ~= '' and ARGV[5] ~= epoch then return {${HOLDS_UNREGISTERED}} end
  expire_leases(KEYS[3], KEYS[4], KEYS[5], KEYS[6], now, ARGV[6])
  available = tonumber(redis.call('HGET', KEYS[3], 'b'))
end

local request_limit, token_limit = tonumber(ARGV[2]), tonumber(ARGV[3])
local request_used, request_at = load(KEYS[1], request_limit, now)
local token_used, token_at = load(KEYS[2], token_limit, now)
local taken, held = false, 0
local replies = {epoch}

for index = 8, #ARGV, 3 do
  local wanted, hold = tonumber(ARGV[index]), tonumber(ARGV[index + 1])
  local limited_by, retry_after = check(request_used, token_used, wanted, request_limit, token_limit)
  if limited_by == 0 and hold > 0 and available < hold then limited_by = ${CREDITS_REFUSED} end
  if limited_by == 0 then
    request_used = request_used + SCALE
    token_used = math.min(MAX_USED, token_used + wanted * SCALE)
    if hold > 0 then
      available = available - hold
      held = held + hold
      redis.call('HSET', KEYS[4], ARGV[index + 2], ARGV[index + 1] .. ':' .. ARGV[6])
    end
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
  redis.call('HSET', KEYS[5], ARGV[6], now + tonumber(ARGV[7]))
  keep_for(ARGV[4], KEYS[3], KEYS[4], KEYS[5])
end
return replies`;

/**
 * settle: KEYS = [token bucket, balance hash, holds hash, marks];
 * ARGV = [pinned now or '', tokens/min, tokens given back (≤ 0), tokens taken
 * (≥ 0), balance ttl ms, then per hold ended: request id, micros charged].
 *
 * The token reservations corrected (what was given back first, so the bucket
 * is the stricter; a missing bucket is a full one), then each hold ended by
 * end_hold: a hold this copy of the balance does not know (it was loaded since,
 * and the hold was not registered in it) takes its charge alone, since the
 * load read a storage balance without it.
 */
export const SETTLE = `${BUCKET_LUA}${HOLDS_LUA}
local now = now_ms(ARGV[1])
local refund, charge = tonumber(ARGV[3]), tonumber(ARGV[4])
if refund ~= 0 or charge ~= 0 then
  local limit = tonumber(ARGV[2])
  local used, at = load(KEYS[1], limit, now)
  save(KEYS[1], add_used(add_used(used, refund), charge), at, limit)
end
if #ARGV > 5 then
  local has_copy = redis.call('EXISTS', KEYS[2]) == 1
  redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', now)
  local delta = 0
  for index = 6, #ARGV, 2 do
    delta = delta + end_hold(KEYS[3], KEYS[4], has_copy, now, ARGV[index], tonumber(ARGV[index + 1]), true)
  end
  if delta ~= 0 then redis.call('HINCRBY', KEYS[2], 'b', delta) end
  if has_copy then keep_for(ARGV[5], KEYS[4]) end
end
return 1`;

/** grant: KEYS = [balance hash]; ARGV = [micros]. Nothing when the balance is not in Redis: its next load reads storage, which has the grant. */
export const GRANT = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HINCRBY', KEYS[1], 'b', ARGV[1])
return 1`;
