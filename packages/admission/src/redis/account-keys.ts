import type { Redis } from "ioredis";

/** An account's keys, all under its hash tag (a multi-key script needs one Redis Cluster slot). */
export interface AccountKeys {
  /** The token buckets, hashes {u, t}. */
  requests: string;
  tokens: string;
  /** The copy of the balance, {b = available micros, e = epoch}. */
  balance: string;
  /** Open holds, their instances' leases, and the settled marks (holds-lua.ts). */
  holds: string;
  leases: string;
  marks: string;
  /** The spend-cap counts of the account's keys: budget id → micros spent and held. */
  spend: string;
}

/** A key's own buckets, under its account's hash tag (they go in the account's script calls). */
export interface KeyBucketKeys {
  requests: string;
  tokens: string;
}

export function accountKeys(keyPrefix: string, accountId: string): AccountKeys {
  const tag = `{${accountId}}`;
  return {
    requests: `${keyPrefix}rl:${tag}:req`,
    tokens: `${keyPrefix}rl:${tag}:tok`,
    balance: `${keyPrefix}credit:${tag}`,
    holds: `${keyPrefix}holds:${tag}`,
    leases: `${keyPrefix}leases:${tag}`,
    marks: `${keyPrefix}settled:${tag}`,
    spend: `${keyPrefix}keyspend:${tag}`,
  };
}

/** `keyId` '' names the (never used) buckets of a call without key limits. */
export function keyBucketKeys(keyPrefix: string, accountId: string, keyId: string): KeyBucketKeys {
  const base = `${keyPrefix}rl:{${accountId}}:key:${keyId}`;
  return { requests: `${base}:req`, tokens: `${base}:tok` };
}

/** A registered script: its keys first, then its arguments. */
export type Script = (...keysAndArguments: Array<string | number>) => Promise<unknown>;

/** Registers a script once; ioredis then calls it by EVALSHA, falling back to EVAL after a Redis restart. */
export function defineScript(redis: Redis, name: string, numberOfKeys: number, lua: string): Script {
  redis.defineCommand(name, { numberOfKeys, lua });
  const command = (redis as unknown as Record<string, Script>)[name]!;
  return command.bind(redis);
}
