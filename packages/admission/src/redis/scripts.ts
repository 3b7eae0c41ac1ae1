import { createHash } from "node:crypto";
import { MAX_USED, SCALE } from "../token-bucket.js";

/**
 * Keys outlive their time-to-full by this much. Expiry only ever removes a
 * bucket that is full (absent = full), so the margin just absorbs rounding and
 * the gap between the script's clock and Redis' expiry clock.
 */
export const TTL_MARGIN_MS = 1_000;

/**
 * Helpers shared by both scripts, and by scripts elsewhere that admit requests
 * together with other checks in one call (the gateway's credit holds). They
 * mirror `refill`, `timeToFullMs`, `admitBuckets` and the storage rule of
 * token-bucket.ts; the contract suite runs the same cases on both
 * implementations, so a divergence fails a test.
 *
 * Each bucket is a hash { u = used (scaled units below full), t = ms of last
 * update }. Lua numbers are doubles; every value is an integer below 2^53 (see
 * MAX_UNITS), and Redis converts number arguments of redis.call with 17
 * significant digits (not Lua's 14-digit tostring), so they round-trip exactly.
 */
export const BUCKET_LUA = `
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

-- The admit rule for one request on up-to-date buckets (admitBuckets): 0 and -1
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

-- Appends a decision's ADMIT_REPLY_LENGTH numbers to replies: how it was
-- decided, then both buckets as they are after it, then the retry-after.
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

/** Numbers per decision in a reply built with BUCKET_LUA's push_decision. */
export const ADMIT_REPLY_LENGTH = 6;

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
const ADMIT = `${BUCKET_LUA}
local now = now_ms(ARGV[1])
local request_limit, token_limit = tonumber(ARGV[2]), tonumber(ARGV[3])
local request_used, request_at = load(KEYS[1], request_limit, now)
local token_used, token_at = load(KEYS[2], token_limit, now)
local taken = false
local replies = {}

for index = 4, #ARGV do
  local wanted = tonumber(ARGV[index])
  local limited_by, retry_after = check(request_used, token_used, wanted, request_limit, token_limit)
  if limited_by == 0 then
    request_used = request_used + SCALE
    token_used = math.min(MAX_USED, token_used + wanted * SCALE)
    taken = true
  end
  push_decision(replies, limited_by, request_used, request_limit, token_used, token_limit, retry_after)
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
const ADJUST = `${BUCKET_LUA}
local now = now_ms(ARGV[1])
local limit = tonumber(ARGV[2])
local used, at = load(KEYS[1], limit, now)
save(KEYS[1], add_used(used, tonumber(ARGV[3])), at, limit)
return 1
`;

export interface LuaScript {
  source: string;
  /** SHA-1 of the source, for EVALSHA. */
  sha: string;
}

/** A script's source with its SHA-1, for EVALSHA. */
export function luaScript(source: string): LuaScript {
  return { source, sha: createHash("sha1").update(source).digest("hex") };
}

export const admitScript = luaScript(ADMIT);
export const adjustScript = luaScript(ADJUST);
