/**
 * The rate limiter port. The gateway calls `admit` once per request (before the
 * upstream call) and `adjustTokens` once the real usage is known; everything it
 * needs for the `x-ratelimit-*` headers and `Retry-After` is in the decision.
 */

/** Per-account limits; both are whole units per minute (the bucket capacity). */
export interface LimitSpec {
  requestsPerMinute: number;
  tokensPerMinute: number;
}

/** One bucket as OpenAI's headers describe it. */
export interface LimitState {
  /** The capacity (the per-minute limit). */
  limit: number;
  /** Whole units that can be taken right now (0 while the bucket is in debt). */
  remaining: number;
  /** ms until the bucket is full again (0 when it is full). */
  resetMs: number;
}

export interface RateDecision {
  allowed: boolean;
  /** Which limit refused the request ("requests" is checked first); null when allowed. */
  limitedBy: "requests" | "tokens" | null;
  /** State after this decision. */
  requests: LimitState;
  /** State after this decision. */
  tokens: LimitState;
  /**
   * When refused: ms until a retry could succeed, i.e. until both one request and
   * the requested tokens (at most the whole capacity, see `AdmitInput.tokens`)
   * have refilled, assuming nobody else takes from the bucket. null when allowed.
   */
  retryAfterMs: number | null;
}

export interface AdmitInput {
  /** Bucket identity, e.g. the account id. Buckets of different subjects never interact. */
  subject: string;
  /** Passed on every call, so a plan change applies on the very next request. */
  limits: LimitSpec;
  /**
   * Tokens to reserve now (an estimate: prompt tokens + max output tokens), a
   * non-negative integer.
   *
   * A reservation larger than the whole capacity could never pass a strict
   * check, so the check is clamped to the capacity: such a request passes only
   * when the bucket is full (retryAfterMs = time until full otherwise), and then
   * takes the whole estimate, leaving the bucket in debt until `adjustTokens`
   * returns what was not used. This keeps requests with a generous
   * `max_tokens` usable on small plans instead of refusing them forever.
   */
  tokens: number;
}

export interface RateLimiter {
  /**
   * Atomically: if 1 request AND `tokens` tokens are available, take both and
   * allow; otherwise take nothing and refuse. A refusal is a value, not an error;
   * the promise rejects only when the backend fails (e.g. Redis unreachable) or
   * an argument is invalid (RangeError).
   */
  admit(input: AdmitInput): Promise<RateDecision>;
  /**
   * The same decision, made synchronously: only limiters that keep their state
   * in this process offer it. The gateway then admits a request without
   * waiting for a promise.
   */
  admitNow?(input: AdmitInput): RateDecision;
  /**
   * Corrects a reservation once actual usage is known (`delta` = actual -
   * reserved, an integer). Positive takes more tokens and may drive the bucket
   * into debt, which delays later requests; negative gives tokens back, never
   * above capacity. A missing (expired = full) bucket is not an error.
   */
  adjustTokens(subject: string, limits: LimitSpec, delta: number): Promise<void>;
  /** The same correction, made synchronously: only limiters that keep their state in this process offer it. */
  adjustTokensNow?(subject: string, limits: LimitSpec, delta: number): void;
  /** Stops accepting calls. Never closes a Redis client it was given. */
  close(): Promise<void>;
}
