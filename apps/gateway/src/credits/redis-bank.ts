import { randomBytes } from "node:crypto";
import type { BalanceLoader, CreditBank, CreditHold, ReserveOutcome } from "@bentoo/core";
import type { Redis } from "ioredis";

/** An idle account's copy of its balance leaves Redis after a day (reloaded from storage on next use). */
const TTL_MS = 24 * 3600 * 1000;

// KEYS[1] = the account's hash {b: available micros, e: epoch}; ARGV = amount, ttl.
// Returns {-1} when the balance is not loaded, {0, available} when it cannot cover the amount, {1, left, epoch} on success.
const RESERVE = `
if redis.call('EXISTS', KEYS[1]) == 0 then return {-1} end
local available = tonumber(redis.call('HGET', KEYS[1], 'b'))
local amount = tonumber(ARGV[1])
if available < amount then return {0, available} end
local left = redis.call('HINCRBY', KEYS[1], 'b', -amount)
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return {1, left, redis.call('HGET', KEYS[1], 'e')}`;

// ARGV = balance from storage, new epoch, ttl. Loads only if nobody else did first.
const LOAD = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'b', ARGV[1], 'e', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1`;

// ARGV = hold, charged, epoch. Same epoch: give back the unused part. The balance
// was reloaded since the hold (Redis restarted or the key expired): the reload did
// not contain the hold, so only the charge is taken from it.
const SETTLE = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
if redis.call('HGET', KEYS[1], 'e') == ARGV[3] then
  redis.call('HINCRBY', KEYS[1], 'b', tonumber(ARGV[1]) - tonumber(ARGV[2]))
else
  redis.call('HINCRBY', KEYS[1], 'b', -tonumber(ARGV[2]))
end
return 1`;

const GRANT = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HINCRBY', KEYS[1], 'b', ARGV[1])
return 1`;

type Reply = [number, number?, string?];
type Script = (key: string, ...args: Array<string | number>) => Promise<unknown>;

/** Registers a script once; ioredis then calls it by EVALSHA (falling back to EVAL after a Redis restart). */
function defineScript(redis: Redis, name: string, lua: string): Script {
  redis.defineCommand(name, { numberOfKeys: 1, lua });
  const command = (redis as unknown as Record<string, Script>)[name]!;
  return command.bind(redis);
}

/**
 * The shared bank for many instances: each account's available balance is a
 * Redis hash, and reserve/settle are Lua scripts (atomic, one round trip), so
 * concurrent requests on any number of instances cannot overspend. Storage stays
 * the system of record through the ledger; Redis holds the in-flight view.
 */
export class RedisCreditBank implements CreditBank {
  /** Accounts whose grant could not reach Redis: their copy is dropped on the next contact. */
  private readonly stale = new Set<string>();
  private readonly scripts: Record<"reserve" | "load" | "settle" | "grant", Script>;

  constructor(
    private readonly redis: Redis,
    private readonly load: BalanceLoader,
    private readonly prefix: string,
  ) {
    this.scripts = {
      reserve: defineScript(redis, "bentooCreditReserve", RESERVE),
      load: defineScript(redis, "bentooCreditLoad", LOAD),
      settle: defineScript(redis, "bentooCreditSettle", SETTLE),
      grant: defineScript(redis, "bentooCreditGrant", GRANT),
    };
  }

  private key(accountId: string): string {
    return `${this.prefix}credit:{${accountId}}`;
  }

  async reserve(accountId: string, amountMicros: number): Promise<ReserveOutcome> {
    const key = this.key(accountId);
    if (this.stale.delete(accountId)) await this.redis.del(key);
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const reply = (await this.scripts.reserve(key, amountMicros, TTL_MS)) as Reply;
      if (reply[0] === 1) return { ok: true, hold: { accountId, amountMicros, epoch: String(reply[2]) }, availableMicros: Number(reply[1]) };
      if (reply[0] === 0) return { ok: false, availableMicros: Number(reply[1]) };
      const balance = await this.load(accountId);
      await this.scripts.load(key, balance, randomBytes(8).toString("hex"), TTL_MS);
    }
    throw new Error(`credit balance of ${accountId} could not be loaded into Redis`);
  }

  async settle(hold: CreditHold, chargedMicros: number): Promise<void> {
    await this.scripts.settle(this.key(hold.accountId), hold.amountMicros, Math.min(chargedMicros, hold.amountMicros), hold.epoch);
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
