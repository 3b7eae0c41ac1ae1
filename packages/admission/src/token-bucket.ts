import type { LimitSpec, LimitState, RateLimitState } from "./admission.js";

/**
 * Token bucket with continuous refill: capacity = the per-minute limit, refill =
 * limit / 60,000 units per ms, a fresh bucket is full.
 *
 * Representation (shared by the memory implementation and the Redis Lua scripts,
 * which mirror these functions line for line): a bucket is `{ used, at }` where `used`
 * is how far the bucket is below full, in 1/60,000ths of a unit, and `at` is the
 * ms timestamp it was last brought up to date. Scaling by 60,000 makes the
 * refill exactly `limit` per ms, so every value stays an integer: no float drift,
 * and JavaScript numbers and Redis Lua doubles compute identical results.
 *
 * Storing "used" rather than "available" makes a limit change apply at once:
 * after 10 of 10 requests an upgrade to 100 leaves 90 available immediately,
 * and a downgrade below what was used leaves the bucket in debt. `used` = 0 is
 * the full, fresh state, so a stored bucket can be dropped (or left to expire)
 * the moment it is full again: absent and full mean the same thing.
 */
export const SCALE = 60_000;

/**
 * The largest limit or token count accepted. It bounds every
 * intermediate value far below 2^53, so integer math stays exact in doubles.
 */
export const MAX_UNITS = 1_000_000_000;

/**
 * Ceiling on debt: ten maximal reservations. It is an overflow guard only;
 * real debts (a few times an account's TPM) never come near it.
 */
export const MAX_USED = 10 * MAX_UNITS * SCALE;

export interface BucketState {
  /** Scaled units below full (0 = full; above capacity = debt). */
  used: number;
  /** ms timestamp of the last update. */
  at: number;
}

/** Brings a bucket up to `now`. A clock that went backwards refills nothing. */
export function refill(state: BucketState | undefined, limit: number, now: number): BucketState {
  if (state === undefined) return { used: 0, at: now };
  if (now <= state.at) return state;
  const elapsed = now - state.at;
  // Compare before multiplying so `elapsed * limit` cannot grow without bound
  // for a bucket that has been idle for days.
  if (elapsed >= timeToFullMs(state.used, limit)) return { used: 0, at: now };
  return { used: state.used - elapsed * limit, at: now };
}

/** ms until the bucket is full again. */
export function timeToFullMs(used: number, limit: number): number {
  return used <= 0 ? 0 : Math.ceil(used / limit);
}

/** ms until `cost` scaled units fit (0 when they fit now). */
export function waitMs(used: number, cost: number, limit: number): number {
  const over = used + cost - limit * SCALE;
  return over <= 0 ? 0 : Math.ceil(over / limit);
}

export function limitState(used: number, limit: number): LimitState {
  const available = limit * SCALE - used;
  return {
    limit,
    remaining: available <= 0 ? 0 : Math.floor(available / SCALE),
    resetMs: timeToFullMs(used, limit),
  };
}

/** The admit rule's verdict on two up-to-date buckets. */
export interface BucketCheck {
  /** Which limit refuses one request and the wanted tokens ("requests" is checked first); null when both fit. */
  refusedBy: "requests" | "tokens" | null;
  /** ms until both would fit (0 when they fit now). */
  retryAfterMs: number;
}

/**
 * The admit rule: one request and `wanted` tokens, both or neither. The token
 * check is clamped to the capacity (see `AdmissionRequest.tokens`); the take,
 * which the caller makes, is not.
 */
export function checkBuckets(requests: BucketState, tokens: BucketState, limits: LimitSpec, wanted: number): BucketCheck {
  const requestWait = waitMs(requests.used, SCALE, limits.requestsPerMinute);
  const tokenWait = waitMs(tokens.used, Math.min(wanted, limits.tokensPerMinute) * SCALE, limits.tokensPerMinute);
  return {
    refusedBy: requestWait > 0 ? "requests" : tokenWait > 0 ? "tokens" : null,
    retryAfterMs: Math.max(requestWait, tokenWait),
  };
}

/** Both buckets as the x-ratelimit-* headers show them. */
export function rateLimitState(requestsUsed: number, tokensUsed: number, limits: LimitSpec): RateLimitState {
  return { requests: limitState(requestsUsed, limits.requestsPerMinute), tokens: limitState(tokensUsed, limits.tokensPerMinute) };
}

/** Adds `delta` scaled units to `used`, keeping it within [0, MAX_USED]. */
export function addUsed(used: number, delta: number): number {
  return Math.min(MAX_USED, Math.max(0, used + delta));
}
