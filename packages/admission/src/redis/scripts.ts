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

/** The first number of a decision refused for credits (1 and 2 are the account's buckets, 4 and 5 the key's, 6 its spend cap). */
export const CREDITS_REFUSED = 3;

/** The first number of a decision refused by the key's spend cap. */
export const BUDGET_REFUSED = 6;

/**
 * Numbers per request in ADMIT's reply: push_decision's six, the balance
 * available after it, the key's requests remaining and reset ms, its tokens
 * remaining and reset ms (-1 each without key buckets), and what the key's
 * spend cap has left (-1 without one).
 */
export const ADMIT_REPLY_LENGTH = 12;

/** ADMIT's whole reply when a hold is wanted and the balance is not in Redis: load it (REGISTER), then admit again. */
export const BALANCE_MISSING = -1;

/** ADMIT's whole reply when the balance is another copy than the one the caller's open holds were registered in: register them (REGISTER), then admit again. */
export const HOLDS_UNREGISTERED = -2;

/** ADMIT's whole reply when a hold is wanted from a key's spend cap whose count is not in Redis: load it (LOAD_BUDGET), then admit again. */
export const BUDGET_MISSING = -3;

/**
 * admit: KEYS = [request bucket, token bucket, balance hash, holds hash,
 * leases hash, marks, the key's request bucket, the key's token bucket, spend
 * hash] (one account: one hash tag, so this runs on Redis Cluster too);
 * ARGV = [pinned now or '', requests/min, tokens/min, balance ttl ms, the
 * epoch the caller's open holds on this account were registered in ('' when it
 * has none), the caller's instance id, its lease ms, the key's requests/min and
 * tokens/min (0 and 0: no key buckets), the key's budget id ('' for none), its
 * cap micros, then per request: tokens wanted, micros to hold (0: no hold),
 * request id]. Every request of a call has the same key.
 *
 * Each request in order, at one instant, exactly as separate calls would
 * decide it: the account's buckets, the key's, the key's spend cap, then the
 * balance. A refused request takes nothing. Holds whose instance's lease ran
 * out go back first; each hold taken is kept under its request id (with its
 * budget), and renews the caller's lease.
 *
 * Returns {BALANCE_MISSING}, {HOLDS_UNREGISTERED} or {BUDGET_MISSING}
 * (nothing was taken) when a hold is wanted; otherwise the balance's epoch (''
 * when no hold was wanted), then per request ADMIT_REPLY_LENGTH numbers: 0
 * admitted, 1 refused by requests, 2 by tokens, 3 by credits, 4 by the key's
 * requests, 5 by its tokens, 6 by its spend cap; requests remaining and reset
 * ms, tokens remaining and reset ms, retry-after ms (-1 when none), balance
 * available after it, the key's buckets (four numbers) and its cap's rest.
 */
export const ADMIT = `${BUCKET_LUA}${HOLDS_LUA}
local holding = false
for index = 13, #ARGV, 3 do
  if tonumber(ARGV[index]) > 0 then holding = true end
end
local now = now_ms(ARGV[1])
local budget, cap = ARGV[10], tonumber(ARGV[11])
local available, epoch, spent = 0, '', 0
if holding then
  if redis.call('EXISTS', KEYS[3]) == 0 then return {${BALANCE_MISSING}} end
  epoch = redis.call('HGET', KEYS[3], 'e') or ''
  if ARGV[5] ~= '' and ARGV[5] ~= epoch then return {${HOLDS_UNREGISTERED}} end
  if budget ~= '' and redis.call('HEXISTS', KEYS[9], budget) == 0 then return {${BUDGET_MISSING}} end
  expire_leases(KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[9], now, ARGV[6])
  available = tonumber(redis.call('HGET', KEYS[3], 'b'))
  if budget ~= '' then spent = tonumber(redis.call('HGET', KEYS[9], budget)) end
else
  budget = ''
end

local request_limit, token_limit = tonumber(ARGV[2]), tonumber(ARGV[3])
local request_used, request_at = load(KEYS[1], request_limit, now)
local token_used, token_at = load(KEYS[2], token_limit, now)
local key_request_limit, key_token_limit = tonumber(ARGV[8]), tonumber(ARGV[9])
local keyed = key_request_limit > 0
local key_request_used, key_request_at, key_token_used, key_token_at = 0, now, 0, now
if keyed then
  key_request_used, key_request_at = load(KEYS[7], key_request_limit, now)
  key_token_used, key_token_at = load(KEYS[8], key_token_limit, now)
end
local taken, held = false, 0
local replies = {epoch}

for index = 12, #ARGV, 3 do
  local wanted, hold = tonumber(ARGV[index]), tonumber(ARGV[index + 1])
  local limited_by, retry_after = check(request_used, token_used, wanted, request_limit, token_limit)
  if limited_by == 0 and keyed then
    local key_limited, key_retry = check(key_request_used, key_token_used, wanted, key_request_limit, key_token_limit)
    if key_limited ~= 0 then limited_by, retry_after = key_limited + 3, key_retry end
  end
  if limited_by == 0 and hold > 0 and budget ~= '' and spent + hold > cap then limited_by = ${BUDGET_REFUSED} end
  if limited_by == 0 and hold > 0 and available < hold then limited_by = ${CREDITS_REFUSED} end
  if limited_by == 0 then
    request_used = request_used + SCALE
    token_used = math.min(MAX_USED, token_used + wanted * SCALE)
    if keyed then
      key_request_used = key_request_used + SCALE
      key_token_used = math.min(MAX_USED, key_token_used + wanted * SCALE)
    end
    if hold > 0 then
      available = available - hold
      held = held + hold
      local record = ARGV[index + 1] .. ':' .. ARGV[6]
      if budget ~= '' then
        spent = spent + hold
        record = record .. ':' .. budget
      end
      redis.call('HSET', KEYS[4], ARGV[index + 2], record)
    end
    taken = true
  end
  push_decision(replies, limited_by, request_used, request_limit, token_used, token_limit, retry_after)
  local at = #replies
  replies[at + 1] = available
  if keyed then
    replies[at + 2] = remaining(key_request_used, key_request_limit)
    replies[at + 3] = time_to_full(key_request_used, key_request_limit)
    replies[at + 4] = remaining(key_token_used, key_token_limit)
    replies[at + 5] = time_to_full(key_token_used, key_token_limit)
  else
    replies[at + 2], replies[at + 3], replies[at + 4], replies[at + 5] = -1, -1, -1, -1
  end
  if budget ~= '' then replies[at + 6] = cap - spent else replies[at + 6] = -1 end
end

if taken then
  save(KEYS[1], request_used, request_at, request_limit)
  save(KEYS[2], token_used, token_at, token_limit)
  if keyed then
    save(KEYS[7], key_request_used, key_request_at, key_request_limit)
    save(KEYS[8], key_token_used, key_token_at, key_token_limit)
  end
end
if held > 0 then
  redis.call('HINCRBY', KEYS[3], 'b', -held)
  redis.call('HSET', KEYS[5], ARGV[6], now + tonumber(ARGV[7]))
  keep_for(ARGV[4], KEYS[3], KEYS[4], KEYS[5])
  if budget ~= '' then
    redis.call('HINCRBY', KEYS[9], budget, held)
    keep_for(ARGV[4], KEYS[9])
  end
end
return replies`;

/**
 * settle: KEYS = [token bucket, balance hash, holds hash, marks, the key's
 * token bucket, spend hash];
 * ARGV = [pinned now or '', tokens/min, tokens given back (≤ 0), tokens taken
 * (≥ 0), balance ttl ms, the key's tokens/min (0: no key buckets), then per
 * hold ended: request id, micros charged, its budget id ('' for none)].
 *
 * The token reservations corrected, on the account's bucket and the key's
 * (what was given back first, so the bucket is the stricter; a missing bucket
 * is a full one), then each hold ended by end_hold: a hold this copy of the
 * balance does not know (it was loaded since, and the hold was not registered
 * in it) takes its charge alone, since the load read a storage balance without
 * it. Every settlement of a call is of one key.
 */
export const SETTLE = `${BUCKET_LUA}${HOLDS_LUA}
local now = now_ms(ARGV[1])
local refund, charge = tonumber(ARGV[3]), tonumber(ARGV[4])
if refund ~= 0 or charge ~= 0 then
  local limit = tonumber(ARGV[2])
  local used, at = load(KEYS[1], limit, now)
  save(KEYS[1], add_used(add_used(used, refund), charge), at, limit)
  local key_limit = tonumber(ARGV[6])
  if key_limit > 0 then
    local key_used, key_at = load(KEYS[5], key_limit, now)
    save(KEYS[5], add_used(add_used(key_used, refund), charge), key_at, key_limit)
  end
end
if #ARGV > 6 then
  local has_copy = redis.call('EXISTS', KEYS[2]) == 1
  redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', now)
  local delta = 0
  for index = 7, #ARGV, 3 do
    delta = delta + end_hold(KEYS[3], KEYS[4], KEYS[6], has_copy, now, ARGV[index], tonumber(ARGV[index + 1]), true, ARGV[index + 2])
  end
  if delta ~= 0 then redis.call('HINCRBY', KEYS[2], 'b', delta) end
  if has_copy then keep_for(ARGV[5], KEYS[4]) end
end
return 1`;

/**
 * load budget: KEYS = [spend hash, holds hash]; ARGV = [budget id, micros the
 * chain spent in the window as storage has it, ttl ms, the chain's prefix
 * ("<chain>:")].
 *
 * Unless another instance loaded it first: the count starts as storage's spend
 * plus the holds open on this budget (another instance's, registered), and the
 * chain's other windows are forgotten (their holds then settle into nothing).
 */
export const LOAD_BUDGET = `${HOLDS_LUA}
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then return 0 end
local held = 0
for _, record in ipairs(redis.call('HVALS', KEYS[2])) do
  local micros, _, budget = parse_hold(record)
  if budget == ARGV[1] then held = held + micros end
end
local cursor = '0'
repeat
  local page = redis.call('HSCAN', KEYS[1], cursor, 'MATCH', ARGV[4] .. '*', 'COUNT', 100)
  cursor = page[1]
  for index = 1, #page[2], 2 do redis.call('HDEL', KEYS[1], page[2][index]) end
until cursor == '0'
redis.call('HSET', KEYS[1], ARGV[1], tonumber(ARGV[2]) + held)
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1`;

/** grant: KEYS = [balance hash]; ARGV = [micros]. Nothing when the balance is not in Redis: its next load reads storage, which has the grant. */
export const GRANT = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HINCRBY', KEYS[1], 'b', ARGV[1])
return 1`;
