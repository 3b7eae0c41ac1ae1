import type { KeyLimitSpec, KeyRateLimitState, LimitSpec } from "./admission.js";
import { limitState, MAX_UNITS } from "./token-bucket.js";

/**
 * A key's own buckets use the account's bucket rule. A limit the key does not
 * have is a bucket of MAX_UNITS per minute, which no request can empty before
 * the account's own limit (at most MAX_UNITS) refuses it: one rule, no special
 * case, and its state is not reported.
 */
export function keyBucketLimits(key: KeyLimitSpec): LimitSpec {
  return { requestsPerMinute: key.requestsPerMinute ?? MAX_UNITS, tokensPerMinute: key.tokensPerMinute ?? MAX_UNITS };
}

/** Whether the key has buckets of its own to check (a limit per minute). */
export function hasKeyBuckets(key: KeyLimitSpec | null | undefined): key is KeyLimitSpec {
  return key !== null && key !== undefined && (key.requestsPerMinute !== null || key.tokensPerMinute !== null);
}

/** The key's buckets as the headers may show them: only the limits it has. */
export function keyRateLimitState(requestsUsed: number, tokensUsed: number, key: KeyLimitSpec): KeyRateLimitState {
  return {
    requests: key.requestsPerMinute === null ? null : limitState(requestsUsed, key.requestsPerMinute),
    tokens: key.tokensPerMinute === null ? null : limitState(tokensUsed, key.tokensPerMinute),
  };
}
