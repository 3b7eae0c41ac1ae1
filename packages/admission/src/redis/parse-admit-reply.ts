import type { AdmissionDecision, AdmissionRequest, KeyRateLimitState, LimitSpec, RateLimitState } from "../admission.js";
import { budgetIdOf } from "../admission.js";
import { ADMIT_REPLY_LENGTH, BUDGET_REFUSED, CREDITS_REFUSED } from "./scripts.js";

const REFUSED_BY_BUCKET = { 1: "requests", 2: "tokens", 4: "key_requests", 5: "key_tokens" } as const;

/**
 * Narrows the admit script's reply (its layout is described with the script):
 * the epoch, then one decision per request of the batch.
 */
export function parseAdmitReply(reply: unknown, batch: readonly AdmissionRequest[]): AdmissionDecision[] {
  if (
    !Array.isArray(reply) ||
    reply.length !== 1 + batch.length * ADMIT_REPLY_LENGTH ||
    !reply.every((value, index) => index === 0 || Number.isSafeInteger(value))
  ) {
    throw new Error(`unexpected reply from the admit script for ${batch.length} request(s): ${JSON.stringify(reply).slice(0, 200)}`);
  }
  const epoch = String(reply[0]);
  const numbers = reply as number[];
  const decisions: AdmissionDecision[] = [];
  for (let index = 0; index < batch.length; index += 1) {
    const request = batch[index]!;
    const offset = 1 + index * ADMIT_REPLY_LENGTH;
    const rateLimits = rateLimitsAt(numbers, offset, request.limits);
    const keyRateLimits = keyRateLimitsAt(numbers, offset, request);
    const outcome = numbers[offset];
    if (outcome === 1 || outcome === 2 || outcome === 4 || outcome === 5) {
      decisions.push({ admitted: false, refusedBy: REFUSED_BY_BUCKET[outcome], rateLimits, keyRateLimits, retryAfterMs: numbers[offset + 5]! });
    } else if (outcome === CREDITS_REFUSED) {
      decisions.push({ admitted: false, refusedBy: "credits", rateLimits, keyRateLimits, availableMicros: numbers[offset + 6]! });
    } else if (outcome === BUDGET_REFUSED) {
      decisions.push({ admitted: false, refusedBy: "key_budget", rateLimits, keyRateLimits, availableMicros: Math.max(0, numbers[offset + 11]!) });
    } else {
      const { requestId, accountId, limits, tokens, holdMicros } = request;
      const key = request.key ?? null;
      const budgetId = holdMicros > 0 && key?.budget != null ? budgetIdOf(key.budget) : "";
      decisions.push({
        admitted: true,
        ticket: { requestId, accountId, limits, tokens, holdMicros, epoch: holdMicros > 0 ? epoch : "", key, budgetId },
        rateLimits,
        keyRateLimits,
      });
    }
  }
  return decisions;
}

function rateLimitsAt(numbers: readonly number[], offset: number, limits: LimitSpec): RateLimitState {
  return {
    requests: { limit: limits.requestsPerMinute, remaining: numbers[offset + 1]!, resetMs: numbers[offset + 2]! },
    tokens: { limit: limits.tokensPerMinute, remaining: numbers[offset + 3]!, resetMs: numbers[offset + 4]! },
  };
}

/** The key's buckets, for the limits it has; null when the request had no key buckets (the script sent -1s). */
function keyRateLimitsAt(numbers: readonly number[], offset: number, request: AdmissionRequest): KeyRateLimitState | null {
  const key = request.key;
  if (key === undefined || key === null || numbers[offset + 7]! < 0) return null;
  return {
    requests: key.requestsPerMinute === null ? null : { limit: key.requestsPerMinute, remaining: numbers[offset + 7]!, resetMs: numbers[offset + 8]! },
    tokens: key.tokensPerMinute === null ? null : { limit: key.tokensPerMinute, remaining: numbers[offset + 9]!, resetMs: numbers[offset + 10]! },
  };
}
