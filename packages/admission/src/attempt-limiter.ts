/**
 * The attempt-limiter port: how often something costly or guessable (a
 * sign-up, a password check) may be tried per subject (a client address, an
 * email, an email and an address together). The gateway builds the keys and
 * the rules; an implementation keeps the counts, in process or in Redis.
 *
 * Two rules:
 * - a **bucket** allows `burst` attempts at once and gives one back every
 *   `intervalMs` (so `burst` per `burst × intervalMs` sustained);
 * - a **backoff** makes the next attempt wait after each counted one:
 *   `waitsMs[n - 1]` after `n` attempts (the last entry for every later one),
 *   and forgets them all `forgetMs` after the last wait has ended.
 *
 * An attempt is counted when it is admitted, before its outcome is known, so
 * concurrent attempts cannot all slip through before the first one fails;
 * the caller gives it back (`refund`) or forgets a subject (`reset`) when the
 * outcome says so.
 */

export interface BucketRule {
  kind: "bucket";
  /** Attempts allowed back to back, an integer ≥ 1. */
  burst: number;
  /** ms until one more attempt is allowed, an integer ≥ 1. */
  intervalMs: number;
}

export interface BackoffRule {
  kind: "backoff";
  /** After n counted attempts the next waits `waitsMs[n - 1]` ms from the last one (the last entry beyond the end); integers ≥ 0, at least one. */
  waitsMs: readonly number[];
  /** Counted attempts are forgotten this many ms after the current wait has ended (an integer ≥ 0). */
  forgetMs: number;
}

export type AttemptRule = BucketRule | BackoffRule;

export interface AttemptCheck {
  /** The subject, e.g. `signup:203.0.113.7`; the same key must always come with the same rule. */
  key: string;
  rule: AttemptRule;
}

export type AttemptDecision =
  | { allowed: true }
  /** Nothing was counted. `refusedBy` is the index of the check with the longest wait. */
  | { allowed: false; retryAfterMs: number; refusedBy: number };

export interface AttemptLimiter {
  /** One attempt against every check, all counted or none: refused while any of them must wait. */
  attempt(checks: readonly AttemptCheck[]): Promise<AttemptDecision>;
  /** Gives one counted attempt back to each check (an attempt that did not happen, or that should not count). */
  refund(checks: readonly AttemptCheck[]): Promise<void>;
  /** Forgets these subjects entirely (a right password ends its backoff). */
  reset(keys: readonly string[]): Promise<void>;
}

/** What one key holds: a bucket the ms at which it is full again, a backoff its count and the time of its last attempt. */
export type AttemptState = { kind: "bucket"; fullAt: number } | { kind: "backoff"; count: number; at: number };

/** A state to store and how long to keep it (ms), or null: store nothing. */
export type StoredState = { state: AttemptState; ttlMs: number } | null;

/** The wait after `count` attempts under a backoff rule. */
export function backoffWait(rule: BackoffRule, count: number): number {
  if (count <= 0) return 0;
  return rule.waitsMs[Math.min(count, rule.waitsMs.length) - 1]!;
}

/** ms until one more attempt is allowed (0: now). */
export function waitMs(rule: AttemptRule, state: AttemptState | undefined, now: number): number {
  if (rule.kind === "bucket") {
    const fullAt = state?.kind === "bucket" ? Math.max(state.fullAt, now) : now;
    return Math.max(0, fullAt + rule.intervalMs - rule.burst * rule.intervalMs - now);
  }
  if (state?.kind !== "backoff") return 0;
  return Math.max(0, state.at + backoffWait(rule, state.count) - now);
}

/** The state after one more attempt. */
export function taken(rule: AttemptRule, state: AttemptState | undefined, now: number): NonNullable<StoredState> {
  if (rule.kind === "bucket") {
    const fullAt = (state?.kind === "bucket" ? Math.max(state.fullAt, now) : now) + rule.intervalMs;
    return { state: { kind: "bucket", fullAt }, ttlMs: fullAt - now };
  }
  const count = (state?.kind === "backoff" ? state.count : 0) + 1;
  return { state: { kind: "backoff", count, at: now }, ttlMs: backoffWait(rule, count) + rule.forgetMs };
}

/** The state with one attempt given back; null when nothing is left to remember. */
export function refunded(rule: AttemptRule, state: AttemptState | undefined, now: number): StoredState {
  if (rule.kind === "bucket") {
    if (state?.kind !== "bucket") return null;
    const fullAt = state.fullAt - rule.intervalMs;
    return fullAt <= now ? null : { state: { kind: "bucket", fullAt }, ttlMs: fullAt - now };
  }
  if (state?.kind !== "backoff" || state.count <= 1) return null;
  const count = state.count - 1;
  const ttlMs = state.at + backoffWait(rule, count) + rule.forgetMs - now;
  return ttlMs <= 0 ? null : { state: { kind: "backoff", count, at: state.at }, ttlMs };
}

function isWholeNumber(value: number, minimum: number): boolean {
  return Number.isSafeInteger(value) && value >= minimum;
}

/** Rules come from configuration checked at start-up: a bad one is a caller's bug. */
export function assertChecks(checks: readonly AttemptCheck[]): void {
  if (checks.length === 0) throw new RangeError("at least one attempt check is needed");
  for (const { key, rule } of checks) {
    if (key.length === 0) throw new RangeError("an attempt key must not be empty");
    const valid =
      rule.kind === "bucket"
        ? isWholeNumber(rule.burst, 1) && isWholeNumber(rule.intervalMs, 1)
        : rule.waitsMs.length > 0 && rule.waitsMs.every((wait) => isWholeNumber(wait, 0)) && isWholeNumber(rule.forgetMs, 0);
    if (!valid) throw new RangeError(`invalid attempt rule for ${key}: ${JSON.stringify(rule)}`);
  }
}
