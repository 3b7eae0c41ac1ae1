import { NOW_LUA } from "./clock-lua.js";
import { HOLDS_LUA } from "./holds-lua.js";

/**
 * register: KEYS = [balance hash, holds hash, leases hash, marks, spend hash];
 * ARGV = [pinned now or '', instance id, lease ms, balance ttl ms, the epoch
 * the caller's holds were registered in ('' when none), the balance read from
 * storage ('' to load nothing), the epoch of a copy loaded here, the number n
 * of holds, then n × (request id, micros held, budget id or ''), then per
 * charge the caller settled that storage may not have yet: request id, micros
 * charged].
 *
 * Makes sure this copy of the balance has the caller's open holds and its
 * charges still on their way to storage:
 * 1. with a balance given and no copy, loads one: storage's balance less the
 *    holds already kept (another instance's, registered first), new epoch, no
 *    marks (they spoke of the previous copy);
 * 2. every listed hold not kept yet is kept, and taken from the copy and from
 *    its budget's count where there is one (one that went back when a lease
 *    ran out is taken again);
 * 3. when the copy is not the one the caller's holds were registered in (or was
 *    loaded here), every listed charge it has not taken yet is taken: the load
 *    read storage before the charge reached it;
 * 4. the caller's lease is renewed.
 * Returns the copy's epoch ('' when there is no copy).
 */
export const REGISTER = `${NOW_LUA}${HOLDS_LUA}
local credit, holds, leases, marks, spend = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local now = now_ms(ARGV[1])
local instance = ARGV[2]
expire_leases(credit, holds, leases, marks, spend, now, instance)
local changed = false
if ARGV[6] ~= '' and redis.call('EXISTS', credit) == 0 then
  local held = 0
  for _, record in ipairs(redis.call('HVALS', holds)) do held = held + parse_hold(record) end
  redis.call('HSET', credit, 'b', tonumber(ARGV[6]) - held, 'e', ARGV[7])
  redis.call('DEL', marks)
  changed = true
end
local has_copy = redis.call('EXISTS', credit) == 1
local epoch = ''
if has_copy then epoch = redis.call('HGET', credit, 'e') end
if epoch ~= ARGV[5] then changed = true end
local delta = 0
local count = tonumber(ARGV[8])
for index = 9, 8 + 3 * count, 3 do
  local id, budget = ARGV[index], ARGV[index + 2]
  if redis.call('HEXISTS', holds, id) == 0 then
    local record = ARGV[index + 1] .. ':' .. instance
    if budget ~= '' then record = record .. ':' .. budget end
    redis.call('HSET', holds, id, record)
    redis.call('ZREM', marks, 'x:' .. id)
    delta = delta - tonumber(ARGV[index + 1])
    move_budget(spend, budget, tonumber(ARGV[index + 1]))
  end
end
if changed and has_copy then
  for index = 9 + 3 * count, #ARGV, 2 do
    local mark = 's:' .. ARGV[index]
    if not redis.call('ZSCORE', marks, mark) then
      delta = delta - tonumber(ARGV[index + 1])
      redis.call('ZADD', marks, now + SETTLED_MARK, mark)
    end
  end
end
if has_copy and delta ~= 0 then redis.call('HINCRBY', credit, 'b', delta) end
if count > 0 then redis.call('HSET', leases, instance, now + tonumber(ARGV[3])) end
keep_for(ARGV[4], credit, holds, leases, marks)
return epoch`;

/**
 * recover: KEYS = [balance hash, holds hash, leases hash, marks, spend hash];
 * ARGV = [pinned now or '', balance ttl ms, the dead instance's id ('' when
 * unknown), then per replayed charge: request id, micros charged, '1' when the
 * replay wrote its ledger row or '0' when storage had it].
 *
 * Each charge ends its request's hold (end_hold). A hold this copy never saw
 * takes the charge only when the replay wrote the row: this copy was loaded
 * before, from a storage balance without it; a row storage had before may be
 * in this copy's load already. Then the dead instance's other holds (requests
 * it never answered) go back, and its lease is dropped.
 */
export const RECOVER = `${NOW_LUA}${HOLDS_LUA}
local credit, holds, leases, marks, spend = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local now = now_ms(ARGV[1])
local has_copy = redis.call('EXISTS', credit) == 1
redis.call('ZREMRANGEBYSCORE', marks, '-inf', now)
local delta = 0
for index = 4, #ARGV, 3 do
  delta = delta + end_hold(holds, marks, spend, has_copy, now, ARGV[index], tonumber(ARGV[index + 1]), ARGV[index + 2] == '1', '')
end
if delta ~= 0 then redis.call('HINCRBY', credit, 'b', delta) end
if ARGV[3] ~= '' then
  release(credit, holds, marks, spend, now, {[ARGV[3]] = true})
  redis.call('HDEL', leases, ARGV[3])
end
if has_copy then keep_for(ARGV[2], marks) end
return 1`;
