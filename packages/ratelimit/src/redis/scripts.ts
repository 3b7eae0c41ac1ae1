import { createHash } from "node:crypto";
import { MAX_USED, SCALE } from "../token-bucket.js";

/**
 * Keys outlive their time-to-full by this much. Expiry only ever removes a
 * bucket that is full (absent = full), so the margin just absorbs rounding and
 * the gap between the script's clock and Redis' expiry clock.
 */
export const TTL_MARGIN_MS = 1_000;

/**
 * Helpers shared by both scripts. They mirror `refill`, `timeToFullMs` and the
 * storage rule of token-bucket.ts; the contract suite runs the same cases on
 * both implementations, so a divergence fails a test.
 *
 * Each bucket is a hash { u = used (scaled units below full), t = ms of last
 * update }. Lua numbers are doubles; every value is an integer below 2^53 (see
 * MAX_UNITS), and Redis converts number arguments of redis.call with 17
 * significant digits (not Lua's 14-digit tostring), so they round-trip exactly.
 */
const COMMON = `
local SCALE = ${SCALE}
local MAX_USED = ${MAX_USED}
local TTL_MARGIN = ${TTL_MARGIN_MS}

-- ARGV[1] pins the clock (tests); otherwise the server's TIME, so all gateway
-- instances share one clock whatever their own drift.
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
`;

/**
 * admit: KEYS = [request bucket, token bucket];
 * ARGV = [pinned now or '', requests/min, tokens/min, tokens wanted by request 1, by request 2, …].
 * The admissions of one batch, in order, at one instant: exactly what as many
 * separate calls would decide, with the buckets read and written once.
 * Returns 6 numbers per request: [limitedBy (0 none, 1 requests, 2 tokens),
 * requests remaining, requests reset ms, tokens remaining, tokens reset ms,
 * retry-after ms or -1].
 * Mirrors `admitBuckets`: both takes or neither, token check clamped to capacity.
 */
const ADMIT = `${COMMON}
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

local now = now_ms(ARGV[1])
local request_limit, token_limit = tonumber(ARGV[2]), tonumber(ARGV[3])
local request_used, request_at = load(KEYS[1], request_limit, now)
local token_used, token_at = load(KEYS[2], token_limit, now)
local taken = false
local replies = {}

for index = 4, #ARGV do
  local wanted = tonumber(ARGV[index])
  local request_wait = wait(request_used, SCALE, request_limit)
  local token_wait = wait(token_used, math.min(wanted, token_limit) * SCALE, token_limit)
  local limited_by = 0
  if request_wait > 0 then limited_by = 1 elseif token_wait > 0 then limited_by = 2 end

  local retry_after = -1
  if limited_by == 0 then
    request_used = request_used + SCALE
    token_used = math.min(MAX_USED, token_used + wanted * SCALE)
    taken = true
  else
    retry_after = math.max(request_wait, token_wait)
  end

  local reply = #replies
  replies[reply + 1] = limited_by
  replies[reply + 2] = remaining(request_used, request_limit)
  replies[reply + 3] = time_to_full(request_used, request_limit)
  replies[reply + 4] = remaining(token_used, token_limit)
  replies[reply + 5] = time_to_full(token_used, token_limit)
  replies[reply + 6] = retry_after
end

if taken then
  save(KEYS[1], request_used, request_at, request_limit)
  save(KEYS[2], token_used, token_at, token_limit)
end
return replies
`;

/**
 * adjust: KEYS = [token bucket]; ARGV = [pinned now or '', tokens/min, delta].
 * A missing bucket is a full one: a refund leaves it absent, a charge creates it.
 */
const ADJUST = `${COMMON}
local now = now_ms(ARGV[1])
local limit = tonumber(ARGV[2])
local used, at = load(KEYS[1], limit, now)
used = math.max(0, math.min(MAX_USED, used + tonumber(ARGV[3]) * SCALE))
save(KEYS[1], used, at, limit)
return 1
`;

export interface LuaScript {
  source: string;
  /** SHA-1 of the source, for EVALSHA. */
  sha: string;
}

function script(source: string): LuaScript {
  return { source, sha: createHash("sha1").update(source).digest("hex") };
}

export const admitScript = script(ADMIT);
export const adjustScript = script(ADJUST);
