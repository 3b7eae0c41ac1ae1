import type { LimitSpec, LimitState, RateDecision } from "./rate-limiter.js";

/**
 * Token bucket with continuous refill: capacity = the per-minute limit, refill =
 * limit / 60,000 units per ms, a fresh bucket is full.
 *
 * Representation (shared by the memory limiter and the Redis Lua scripts, which
 * mirror these functions line for line): a bucket is `{ used, at }` where `used`
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
 * The largest limit, reservation or adjustment accepted. It bounds every
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

export interface AdmitOutcome {
  decision: RateDecision;
  /** The buckets to store: unchanged when refused (a refusal takes nothing). */
  requests: BucketState;
  tokens: BucketState;
}

/**
 * The admit rule on two up-to-date buckets: one request and `tokens` tokens,
 * both or neither. The token check is clamped to the capacity (see
 * `AdmitInput.tokens`), the take is not.
 */
export function admitBuckets(requests: BucketState, tokens: BucketState, limits: LimitSpec, wanted: number): AdmitOutcome {
  const requestWait = waitMs(requests.used, SCALE, limits.requestsPerMinute);
  const tokenWait = waitMs(tokens.used, Math.min(wanted, limits.tokensPerMinute) * SCALE, limits.tokensPerMinute);
  const limitedBy = requestWait > 0 ? "requests" : tokenWait > 0 ? "tokens" : null;
  const allowed = limitedBy === null;
  const requestsAfter = allowed ? { used: requests.used + SCALE, at: requests.at } : requests;
  const tokensAfter = allowed ? { used: addUsed(tokens.used, wanted * SCALE), at: tokens.at } : tokens;
  return {
    decision: {
      allowed,
      limitedBy,
      requests: limitState(requestsAfter.used, limits.requestsPerMinute),
      tokens: limitState(tokensAfter.used, limits.tokensPerMinute),
      retryAfterMs: allowed ? null : Math.max(requestWait, tokenWait),
    },
    requests: requestsAfter,
    tokens: tokensAfter,
  };
}

/** Adds `delta` scaled units to `used`, keeping it within [0, MAX_USED]. */
export function addUsed(used: number, delta: number): number {
  return Math.min(MAX_USED, Math.max(0, used + delta));
}

function assertUnits(name: string, value: number, minimum: number): void {
  if (!Number.isSafeInteger(value) || value < minimum || value > MAX_UNITS) {
    throw new RangeError(`${name} must be an integer from ${minimum} to ${MAX_UNITS}, got ${String(value)}`);
  }
}

/** Limits come from plans and account overrides; a bad one is a configuration bug. */
export function assertLimits(limits: LimitSpec): void {
  assertUnits("requestsPerMinute", limits.requestsPerMinute, 1);
  assertUnits("tokensPerMinute", limits.tokensPerMinute, 1);
}

export function assertTokens(tokens: number): void {
  assertUnits("tokens", tokens, 0);
}

export function assertDelta(delta: number): void {
  assertUnits("delta", Math.abs(delta), 0);
}

export function assertSubject(subject: string): void {
  if (subject.length === 0) throw new RangeError("subject must not be empty");
}
