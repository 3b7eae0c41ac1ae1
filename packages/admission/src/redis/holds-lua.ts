/**
 * How credit holds are kept in Redis, shared by the scripts. Per account, under
 * its hash tag (one Redis Cluster slot):
 *
 * - the balance hash `credit:{acct}` { b = available micros, e = epoch }: the
 *   copy of storage's balance, less the holds still open;
 * - the holds hash `holds:{acct}`: request id → "<micros>:<instance>", one
 *   field per open hold, whatever copy of the balance it was taken from; a
 *   hold also taken from a key's spend cap is "<micros>:<instance>:<budget>";
 * - the spend hash `keyspend:{acct}`: budget id ("<chain>:<start>:<end>") →
 *   micro-dollars the key chain spent and holds in that window. Every hold
 *   that ends moves its budget's count with the balance (when the count is
 *   there: a missing one is loaded from storage plus the open holds);
 * - the leases hash `leases:{acct}`: instance → ms until which its holds on
 *   this account stand. A live instance renews its lease while it has holds
 *   here; an instance that stopped renewing (it died) loses them: they go back
 *   to the balance at the account's next hold or registration;
 * - the marks sorted set `settled:{acct}`: `s:<request id>` for a request whose
 *   charge this copy of the balance has taken, `x:<request id>` for a hold that
 *   went back when its lease ran out; scores are the ms they are forgotten at.
 *
 * Every hold is ended once: by `settle`, by `recover` (a charge replayed from a
 * dead process's journal), or by its lease running out. A charge is taken from
 * a copy once, whoever reports it, as long as its `s:` mark lives.
 */

/** How long a settled request is remembered (its `s:` mark), so that a retried settlement or a replayed charge is not taken twice. */
export const SETTLED_MARK_MS = 10 * 60 * 1000;

/**
 * Lua helpers. `parse_hold` reads a hold's micros, instance and budget ('' for
 * none); `move_budget` moves a budget's count when it is there; `release`
 * gives the holds of `instances` (a set) back to the balance and their budgets
 * (marking each `x:`); `expire_leases` does so for every instance but `alive`
 * whose lease ran out; `end_hold` ends one request's hold with its charge,
 * moves its budget, and returns how much the balance moves (the caller adds it
 * once).
 */
export const HOLDS_LUA = `
local SETTLED_MARK = ${SETTLED_MARK_MS}

local function parse_hold(record)
  local micros, instance, budget = string.match(record, '^(%d+):([^:]+):?(.*)$')
  return tonumber(micros), instance, budget
end

local function move_budget(spend, budget, delta)
  if budget ~= '' and delta ~= 0 and redis.call('HEXISTS', spend, budget) == 1 then redis.call('HINCRBY', spend, budget, delta) end
end

local function release(credit, holds, marks, spend, now, instances)
  local all = redis.call('HGETALL', holds)
  local total = 0
  for index = 1, #all, 2 do
    local micros, instance, budget = parse_hold(all[index + 1])
    if instances[instance] then
      total = total + micros
      move_budget(spend, budget, -micros)
      redis.call('HDEL', holds, all[index])
      redis.call('ZADD', marks, now + SETTLED_MARK, 'x:' .. all[index])
    end
  end
  if total > 0 and redis.call('EXISTS', credit) == 1 then redis.call('HINCRBY', credit, 'b', total) end
end

local function expire_leases(credit, holds, leases, marks, spend, now, alive)
  local listed = redis.call('HGETALL', leases)
  local expired = nil
  for index = 1, #listed, 2 do
    if listed[index] ~= alive and tonumber(listed[index + 1]) <= now then
      expired = expired or {}
      expired[listed[index]] = true
      redis.call('HDEL', leases, listed[index])
    end
  end
  if expired ~= nil then release(credit, holds, marks, spend, now, expired) end
end

-- Ends the hold of request 'id' charging 'charged': an open hold gives back
-- what was not charged (a charge above it takes the difference); a hold that
-- went back when its lease ran out, or (when 'unknown_charges') one this copy
-- never saw, takes the charge alone. Nothing when this copy already took it.
-- Without a copy (the next load reads storage) only the hold is forgotten.
-- The hold's budget (its record's, else 'budget', the caller's) moves the
-- other way: by the charge less what it held.
local function end_hold(holds, marks, spend, has_copy, now, id, charged, unknown_charges, budget)
  if has_copy and redis.call('ZSCORE', marks, 's:' .. id) then return 0 end
  local delta = 0
  local record = redis.call('HGET', holds, id)
  if record then
    redis.call('HDEL', holds, id)
    local micros, _, held_budget = parse_hold(record)
    delta = micros - charged
    move_budget(spend, held_budget, -delta)
  elseif redis.call('ZREM', marks, 'x:' .. id) == 1 or unknown_charges then
    delta = -charged
    move_budget(spend, budget, charged)
  end
  if not has_copy then return 0 end
  redis.call('ZADD', marks, now + SETTLED_MARK, 's:' .. id)
  return delta
end

local function keep_for(ttl, ...)
  for _, key in ipairs({...}) do redis.call('PEXPIRE', key, ttl) end
end
`;
