import type { LimitSpec } from "../admission.js";
import { addUsed, type BucketState, refill, SCALE, timeToFullMs } from "../token-bucket.js";

/** A stored bucket and when it is full again under the limit it was written with (Redis' TTL, in memory). */
interface StoredBucket extends BucketState {
  fullAt: number;
}

interface AccountBuckets {
  requests: StoredBucket | undefined;
  tokens: StoredBucket | undefined;
}

/** Both of an account's buckets, brought up to date. */
export interface CurrentBuckets {
  requests: BucketState;
  tokens: BucketState;
}

/** Oldest accounts checked for fullness per call: amortised cleanup without a timer. */
const SWEEP_PER_CALL = 2;

/**
 * The token buckets of the memory implementation. A Map kept in
 * least-recently-used order; each read also drops up to two of the oldest
 * accounts once their buckets are full again (what PEXPIRE does in Redis), so
 * there is no timer to keep the process alive. Past `maxAccounts` the least
 * recently used account is forgotten even if not full, which is lenient, never
 * stricter than the limit.
 */
export class BucketStore {
  readonly #maxAccounts: number;
  readonly #accounts = new Map<string, AccountBuckets>();
  /**
   * The account stored last, so already at the most recently used end: storing
   * it again updates it in place. Deleting and re-inserting a key on every call
   * left a deleted entry in the Map each time, and the Map rebuilt its table
   * every few calls for a single busy account.
   */
  #newest: string | null = null;

  constructor(maxAccounts: number) {
    if (!Number.isSafeInteger(maxAccounts) || maxAccounts < 1) throw new RangeError(`maxSubjects must be a positive integer, got ${String(maxAccounts)}`);
    this.#maxAccounts = maxAccounts;
  }

  /** How many accounts have buckets below full. */
  get size(): number {
    return this.#accounts.size;
  }

  /** The account's buckets at `now` (absent = full), after sweeping the oldest full ones. */
  read(accountId: string, limits: LimitSpec, now: number): CurrentBuckets {
    this.#sweep(now);
    const stored = this.#accounts.get(accountId);
    return { requests: refill(stored?.requests, limits.requestsPerMinute, now), tokens: refill(stored?.tokens, limits.tokensPerMinute, now) };
  }

  /** Stores both buckets after an admission took from them. */
  write(accountId: string, limits: LimitSpec, requests: BucketState, tokens: BucketState): void {
    this.#store(accountId, withFullAt(requests, limits.requestsPerMinute), withFullAt(tokens, limits.tokensPerMinute));
  }

  /**
   * A refusal takes nothing, but an account being refused is the one that must
   * not be evicted (that would hand it full buckets): it moves to the most
   * recently used end.
   */
  touch(accountId: string): void {
    if (accountId === this.#newest) return;
    const stored = this.#accounts.get(accountId);
    if (stored === undefined) return;
    this.#accounts.delete(accountId);
    this.#accounts.set(accountId, stored);
    this.#newest = accountId;
  }

  /** Adds `delta` tokens (negative gives back, never above capacity); a missing bucket counts as full. */
  adjustTokens(accountId: string, limits: LimitSpec, delta: number, now: number): void {
    this.#sweep(now);
    const stored = this.#accounts.get(accountId);
    const tokens = refill(stored?.tokens, limits.tokensPerMinute, now);
    const adjusted = withFullAt({ used: addUsed(tokens.used, delta * SCALE), at: tokens.at }, limits.tokensPerMinute);
    // The request bucket is left exactly as stored (like the Redis script, which
    // does not touch its key): refilling it here under these limits would make
    // the result depend on which limits the next admission brings.
    this.#store(accountId, stored?.requests, adjusted);
  }

  clear(): void {
    this.#accounts.clear();
    this.#newest = null;
  }

  #store(accountId: string, requests: StoredBucket | undefined, tokens: StoredBucket): void {
    // A full bucket (used 0) is the same as no bucket.
    const entry: AccountBuckets = {
      requests: requests !== undefined && requests.used > 0 ? requests : undefined,
      tokens: tokens.used > 0 ? tokens : undefined,
    };
    if (entry.requests === undefined && entry.tokens === undefined) {
      this.#forget(accountId);
      return;
    }
    if (accountId === this.#newest) {
      // Already the most recently used: updated in place, where it stands.
      this.#accounts.set(accountId, entry);
      return;
    }
    // Delete first so the re-insert moves the account to the most recently used end.
    this.#accounts.delete(accountId);
    if (this.#accounts.size >= this.#maxAccounts) {
      const oldest = this.#accounts.keys().next();
      if (oldest.done !== true) this.#forget(oldest.value);
    }
    this.#accounts.set(accountId, entry);
    this.#newest = accountId;
  }

  #forget(accountId: string): void {
    this.#accounts.delete(accountId);
    if (accountId === this.#newest) this.#newest = null;
  }

  /** Drops the oldest accounts while they are full again; stops at the first that is not. */
  #sweep(now: number): void {
    let checked = 0;
    for (const [accountId, entry] of this.#accounts) {
      if (checked >= SWEEP_PER_CALL || Math.max(entry.requests?.fullAt ?? 0, entry.tokens?.fullAt ?? 0) > now) return;
      this.#forget(accountId);
      checked += 1;
    }
  }
}

function withFullAt(bucket: BucketState, limit: number): StoredBucket {
  // Explicit fields, not a spread: this runs on every admission and the spread was a third of its cost.
  return { used: bucket.used, at: bucket.at, fullAt: bucket.at + timeToFullMs(bucket.used, limit) };
}
