import {
  type AttemptCheck,
  type AttemptDecision,
  type AttemptLimiter,
  type AttemptState,
  assertChecks,
  refunded,
  type StoredState,
  taken,
  waitMs,
} from "../attempt-limiter.js";

export interface MemoryAttemptLimiterOptions {
  now?: () => number;
  /** Subjects kept at most; past it the least recently used is forgotten (lenient, never stricter). Default 100,000. */
  maxEntries?: number;
}

interface Entry {
  state: AttemptState;
  expiresAt: number;
}

/**
 * Attempt limits in process (the embedded mode). Entries live in a Map in
 * least-recently-written order; each write drops up to two of the oldest once
 * they have expired, so memory follows the subjects seen recently. Every call
 * decides within one turn of the event loop.
 */
export class MemoryAttemptLimiter implements AttemptLimiter {
  readonly #entries = new Map<string, Entry>();
  readonly #now: () => number;
  readonly #maxEntries: number;

  constructor(options: MemoryAttemptLimiterOptions = {}) {
    this.#now = options.now ?? Date.now;
    this.#maxEntries = options.maxEntries ?? 100_000;
  }

  /** Subjects remembered now (tests). */
  get size(): number {
    return this.#entries.size;
  }

  async attempt(checks: readonly AttemptCheck[]): Promise<AttemptDecision> {
    assertChecks(checks);
    const now = this.#now();
    const states = checks.map((check) => this.#read(check.key, now));
    let retryAfterMs = 0;
    let refusedBy = -1;
    for (const [index, check] of checks.entries()) {
      const wait = waitMs(check.rule, states[index], now);
      if (wait > retryAfterMs) {
        retryAfterMs = wait;
        refusedBy = index;
      }
    }
    if (refusedBy >= 0) return { allowed: false, retryAfterMs, refusedBy };
    for (const [index, check] of checks.entries()) this.#write(check.key, taken(check.rule, states[index], now), now);
    return { allowed: true };
  }

  async refund(checks: readonly AttemptCheck[]): Promise<void> {
    assertChecks(checks);
    const now = this.#now();
    for (const check of checks) this.#write(check.key, refunded(check.rule, this.#read(check.key, now), now), now);
  }

  async reset(keys: readonly string[]): Promise<void> {
    for (const key of keys) this.#entries.delete(key);
  }

  #read(key: string, now: number): AttemptState | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= now) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry.state;
  }

  #write(key: string, stored: StoredState, now: number): void {
    this.#entries.delete(key);
    if (stored === null || stored.ttlMs <= 0) return;
    this.#sweep(now);
    if (this.#entries.size >= this.#maxEntries) {
      const oldest = this.#entries.keys().next();
      if (!oldest.done) this.#entries.delete(oldest.value);
    }
    this.#entries.set(key, { state: stored.state, expiresAt: now + stored.ttlMs });
  }

  #sweep(now: number): void {
    let looked = 0;
    for (const [key, entry] of this.#entries) {
      if (looked === 2) return;
      looked += 1;
      if (entry.expiresAt <= now) this.#entries.delete(key);
    }
  }
}
