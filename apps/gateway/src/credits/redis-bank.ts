import { randomBytes } from "node:crypto";
import type { BalanceLoader, CreditBank, CreditHold, ReserveOutcome } from "@bentoo/core";
import { SETTLEMENT_DEFER_MS, TurnBatcher } from "@bentoo/ratelimit";
import type { Redis } from "ioredis";

/** An idle account's copy of its balance leaves Redis after a day (reloaded from storage on next use). */
export const BALANCE_TTL_MS = 24 * 3600 * 1000;

// KEYS[1] = the account's hash {b: available micros, e: epoch}; ARGV = ttl, then the amount of each hold, in order.
// Returns {-1} when the balance is not loaded; otherwise {epoch, then per hold: 1 or 0 (taken or not), available after it}.
// Each hold is decided as a separate call would decide it: a hold that does not fit takes nothing and the next may still fit.
const RESERVE = `
if redis.call('EXISTS', KEYS[1]) == 0 then return {-1} end
local available = tonumber(redis.call('HGET', KEYS[1], 'b'))
local replies = {redis.call('HGET', KEYS[1], 'e') or ''}
local taken = 0
for index = 2, #ARGV do
  local amount = tonumber(ARGV[index])
  if available < amount then
    replies[#replies + 1] = 0
  else
    available = available - amount
    taken = taken + amount
    replies[#replies + 1] = 1
  end
  replies[#replies + 1] = available
end
if taken > 0 then
  redis.call('HINCRBY', KEYS[1], 'b', -taken)
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
end
return replies`;

// ARGV = balance from storage, new epoch, ttl. Loads only if nobody else did first.
const LOAD = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'b', ARGV[1], 'e', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1`;

/**
 * Lua: ends holds taken from the balance hash `key` in `epoch`, `charged` of the
 * `held` micros spent. Same epoch: the unused part goes back. The balance was
 * reloaded since the holds (Redis restarted or the key expired): the reload did
 * not contain them, so only the charges are taken from it. Nothing when the hash
 * is gone (the next hold reloads it from storage). Shared with the gateway's
 * joint settlement (chat/redis-admissions.ts).
 */
export const END_HOLDS_LUA = `
local function end_holds(key, held, charged, epoch)
  if redis.call('EXISTS', key) == 0 then return end
  if redis.call('HGET', key, 'e') == epoch then
    redis.call('HINCRBY', key, 'b', held - charged)
  else
    redis.call('HINCRBY', key, 'b', -charged)
  end
end
`;

// ARGV = held, charged, epoch (sums over the holds of one epoch).
const SETTLE = `${END_HOLDS_LUA}
end_holds(KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3])
return 1`;

const GRANT = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HINCRBY', KEYS[1], 'b', ARGV[1])
return 1`;

/** A registered script: its keys first, then its arguments. */
export type Script = (...keysAndArguments: Array<string | number>) => Promise<unknown>;

/** Registers a script once; ioredis then calls it by EVALSHA (falling back to EVAL after a Redis restart). */
export function defineScript(redis: Redis, name: string, numberOfKeys: number, lua: string): Script {
  redis.defineCommand(name, { numberOfKeys, lua });
  const command = (redis as unknown as Record<string, Script>)[name]!;
  return command.bind(redis);
}

interface Settlement {
  hold: CreditHold;
  chargedMicros: number;
}

/**
 * The shared bank for many instances: each account's available balance is a
 * Redis hash, and reserve/settle are Lua scripts (atomic, one round trip), so
 * concurrent requests on any number of instances cannot overspend. Storage stays
 * the system of record through the ledger; Redis holds the in-flight view.
 *
 * An account's holds of one turn of the event loop go out as one script call
 * (decided in order), and its settlements of one turn as one call per epoch,
 * summed: under load, one round trip serves many requests.
 */
export class RedisCreditBank implements CreditBank {
  /** Accounts whose grant could not reach Redis: their copy is dropped on the next contact. */
  private readonly stale = new Set<string>();
  private readonly scripts: Record<"reserve" | "load" | "settle" | "grant", Script>;
  private readonly reserves = new TurnBatcher<{ accountId: string; amountMicros: number }, ReserveOutcome>((_key, batch) => this.reserveBatch(batch));
  /** Nobody waits for a settlement: it rides along with the next holds (see SETTLEMENT_DEFER_MS). */
  private readonly settles = new TurnBatcher<Settlement, void>((_key, batch) => this.settleBatch(batch), { deferMs: SETTLEMENT_DEFER_MS });

  constructor(
    private readonly redis: Redis,
    private readonly load: BalanceLoader,
    private readonly prefix: string,
  ) {
    this.scripts = {
      reserve: defineScript(redis, "bentooCreditReserve", 1, RESERVE),
      load: defineScript(redis, "bentooCreditLoad", 1, LOAD),
      settle: defineScript(redis, "bentooCreditSettle", 1, SETTLE),
      grant: defineScript(redis, "bentooCreditGrant", 1, GRANT),
    };
  }

  /** The Redis hash of an account's balance, {b: available micros, e: epoch}; its hash tag is the account id, as the rate limiter's keys'. */
  key(accountId: string): string {
    return `${this.prefix}credit:{${accountId}}`;
  }

  /** Before holds on an account: drops its copy when a grant could not reach it (the next hold reloads it). */
  async dropIfStale(accountId: string): Promise<void> {
    if (this.stale.delete(accountId)) await this.redis.del(this.key(accountId));
  }

  /** Copies the account's balance from storage into Redis, unless another instance did first (a new epoch). */
  async loadBalance(accountId: string): Promise<void> {
    const balance = await this.load(accountId);
    await this.scripts.load(this.key(accountId), balance, randomBytes(8).toString("hex"), BALANCE_TTL_MS);
  }

  reserve(accountId: string, amountMicros: number): Promise<ReserveOutcome> {
    return this.reserves.add(accountId, { accountId, amountMicros });
  }

  settle(hold: CreditHold, chargedMicros: number): Promise<void> {
    return this.settles.add(`${hold.accountId}\u0000${hold.epoch}`, { hold, chargedMicros });
  }

  /** Sends the holds and settlements still waiting for the end of this turn. */
  async flush(): Promise<void> {
    await Promise.all([this.reserves.flush(), this.settles.flush()]);
  }

  private async reserveBatch(batch: Array<{ accountId: string; amountMicros: number }>): Promise<ReserveOutcome[]> {
    const { accountId } = batch[0]!;
    await this.dropIfStale(accountId);
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const reply = (await this.scripts.reserve(this.key(accountId), BALANCE_TTL_MS, ...batch.map((hold) => hold.amountMicros))) as Array<number | string>;
      if (reply[0] !== -1) return reserveOutcomes(reply, batch, accountId);
      await this.loadBalance(accountId);
    }
    throw new Error(`credit balance of ${accountId} could not be loaded into Redis`);
  }

  private async settleBatch(batch: Settlement[]): Promise<void[]> {
    const { accountId, epoch } = batch[0]!.hold;
    let held = 0;
    let charged = 0;
    for (const { hold, chargedMicros } of batch) {
      held += hold.amountMicros;
      charged += Math.min(chargedMicros, hold.amountMicros);
    }
    await this.scripts.settle(this.key(accountId), held, charged, epoch);
    return batch.map(() => undefined);
  }

  async granted(accountId: string, amountMicros: number): Promise<void> {
    try {
      await this.scripts.grant(this.key(accountId), amountMicros);
    } catch (error) {
      this.stale.add(accountId);
      throw error;
    }
  }

  async available(accountId: string): Promise<number> {
    const value = await this.redis.hget(this.key(accountId), "b");
    return value === null ? this.load(accountId) : Number(value);
  }
}

/** Narrows the reserve script's reply: the epoch, then (taken, available after) per hold. */
function reserveOutcomes(reply: Array<number | string>, batch: Array<{ amountMicros: number }>, accountId: string): ReserveOutcome[] {
  if (reply.length !== 1 + 2 * batch.length) throw new Error(`unexpected reply from the credit reserve script for ${batch.length} hold(s)`);
  const epoch = String(reply[0]);
  return batch.map(({ amountMicros }, index) => {
    const availableMicros = Number(reply[2 + 2 * index]);
    return reply[1 + 2 * index] === 1 ? { ok: true, hold: { accountId, amountMicros, epoch }, availableMicros } : { ok: false, availableMicros };
  });
}
