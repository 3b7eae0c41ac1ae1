import type { AdmitInput, LimitSpec, RateDecision, RateLimiter } from "../rate-limiter.js";
import {
  SCALE,
  addUsed,
  admitBuckets,
  assertDelta,
  assertLimits,
  assertSubject,
  assertTokens,
  refill,
  timeToFullMs,
  type BucketState,
} from "../token-bucket.js";

export interface MemoryRateLimiterOptions {
  /** Clock in ms; tests pass a controllable one. */
  now?: () => number;
  /**
   * Most subjects kept at once (default 100,000). Subjects whose buckets are
   * full again are dropped as calls go by; past the bound the least recently
   * used subject is evicted even if it is not full, which forgets its usage
   * (lenient, never stricter than the limit).
   */
  maxSubjects?: number;
}

/** A stored bucket and when it is full again under the limit it was written with (Redis' TTL, in memory). */
interface StoredBucket extends BucketState {
  fullAt: number;
}

interface SubjectBuckets {
  requests: StoredBucket | undefined;
  tokens: StoredBucket | undefined;
}

/** Oldest subjects checked for fullness per call: amortised cleanup without a timer. */
const SWEEP_PER_CALL = 2;

/**
 * The limiter of a single gateway process (the embedded default). State lives in
 * a Map kept in least-recently-used order; each call also drops up to two of
 * the oldest subjects once they are full (what PEXPIRE does in Redis), so there
 * is no timer to keep the process alive. Everything happens synchronously inside
 * each call, so concurrent calls cannot interleave.
 */
export class MemoryRateLimiter implements RateLimiter {
  readonly #now: () => number;
  readonly #maxSubjects: number;
  readonly #subjects = new Map<string, SubjectBuckets>();
  /**
   * The subject stored last, so already at the most recently used end: storing
   * it again updates it in place. Deleting and re-inserting a key on every call
   * left a deleted entry in the Map each time, and the Map rebuilt its table
   * every few calls for a single busy account.
   */
  #newest: string | null = null;
  #closed = false;

  constructor(options: MemoryRateLimiterOptions = {}) {
    const maxSubjects = options.maxSubjects ?? 100_000;
    if (!Number.isSafeInteger(maxSubjects) || maxSubjects < 1) {
      throw new RangeError(`maxSubjects must be a positive integer, got ${String(maxSubjects)}`);
    }
    this.#now = options.now ?? Date.now;
    this.#maxSubjects = maxSubjects;
  }

  /** How many subjects are held now (for tests and metrics). */
  get size(): number {
    return this.#subjects.size;
  }

  async admit(input: AdmitInput): Promise<RateDecision> {
    return this.admitNow(input);
  }

  admitNow(input: AdmitInput): RateDecision {
    this.#assertOpen();
    assertSubject(input.subject);
    assertLimits(input.limits);
    assertTokens(input.tokens);
    const now = Math.floor(this.#now());
    this.#sweep(now);
    const stored = this.#subjects.get(input.subject);
    const outcome = admitBuckets(
      refill(stored?.requests, input.limits.requestsPerMinute, now),
      refill(stored?.tokens, input.limits.tokensPerMinute, now),
      input.limits,
      input.tokens,
    );
    if (outcome.decision.allowed) {
      const { requestsPerMinute, tokensPerMinute } = input.limits;
      this.#store(input.subject, withFullAt(outcome.requests, requestsPerMinute), withFullAt(outcome.tokens, tokensPerMinute));
    } else if (stored !== undefined) {
      // A refusal takes nothing, but a subject being refused is the one that
      // must not be evicted (that would hand it a full bucket): mark it used.
      if (input.subject !== this.#newest) {
        this.#subjects.delete(input.subject);
        this.#subjects.set(input.subject, stored);
        this.#newest = input.subject;
      }
    }
    return outcome.decision;
  }

  async adjustTokens(subject: string, limits: LimitSpec, delta: number): Promise<void> {
    this.adjustTokensNow(subject, limits, delta);
  }

  adjustTokensNow(subject: string, limits: LimitSpec, delta: number): void {
    this.#assertOpen();
    assertSubject(subject);
    assertLimits(limits);
    assertDelta(delta);
    if (delta === 0) return;
    const now = Math.floor(this.#now());
    this.#sweep(now);
    const stored = this.#subjects.get(subject);
    const tokens = refill(stored?.tokens, limits.tokensPerMinute, now);
    const adjusted = withFullAt({ used: addUsed(tokens.used, delta * SCALE), at: tokens.at }, limits.tokensPerMinute);
    // The request bucket is left exactly as stored (like the Redis script, which
    // does not touch its key): refilling it here under these limits would make
    // the result depend on which limits the next admit brings.
    this.#store(subject, stored?.requests, adjusted);
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#subjects.clear();
    this.#newest = null;
  }

  #store(subject: string, requests: StoredBucket | undefined, tokens: StoredBucket): void {
    // A full bucket (used 0) is the same as no bucket.
    const entry: SubjectBuckets = {
      requests: requests !== undefined && requests.used > 0 ? requests : undefined,
      tokens: tokens.used > 0 ? tokens : undefined,
    };
    if (entry.requests === undefined && entry.tokens === undefined) {
      this.#forget(subject);
      return;
    }
    if (subject === this.#newest) {
      // Already the most recently used: updated in place, where it stands.
      this.#subjects.set(subject, entry);
      return;
    }
    // Delete first so the re-insert moves the subject to the most recently used end.
    this.#subjects.delete(subject);
    if (this.#subjects.size >= this.#maxSubjects) {
      const oldest = this.#subjects.keys().next();
      if (oldest.done !== true) this.#forget(oldest.value);
    }
    this.#subjects.set(subject, entry);
    this.#newest = subject;
  }

  #forget(subject: string): void {
    this.#subjects.delete(subject);
    if (subject === this.#newest) this.#newest = null;
  }

  /** Drops the oldest subjects while they are full again; stops at the first that is not. */
  #sweep(now: number): void {
    let checked = 0;
    for (const [subject, entry] of this.#subjects) {
      if (checked >= SWEEP_PER_CALL || Math.max(entry.requests?.fullAt ?? 0, entry.tokens?.fullAt ?? 0) > now) return;
      this.#forget(subject);
      checked += 1;
    }
  }

  #assertOpen(): void {
    if (this.#closed) throw new Error("MemoryRateLimiter is closed");
  }
}

function withFullAt(bucket: BucketState, limit: number): StoredBucket {
  // Explicit fields, not a spread: this runs on every admit and the spread was a third of its cost.
  return { used: bucket.used, at: bucket.at, fullAt: bucket.at + timeToFullMs(bucket.used, limit) };
}
