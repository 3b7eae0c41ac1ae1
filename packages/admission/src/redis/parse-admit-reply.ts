import type { AdmissionDecision, AdmissionRequest, LimitSpec, RateLimitState } from "../admission.js";
import { ADMIT_REPLY_LENGTH, CREDITS_REFUSED } from "./scripts.js";

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
    const outcome = numbers[offset];
    if (outcome === 1 || outcome === 2) {
      decisions.push({ admitted: false, refusedBy: outcome === 1 ? "requests" : "tokens", rateLimits, retryAfterMs: numbers[offset + 5]! });
    } else if (outcome === CREDITS_REFUSED) {
      decisions.push({ admitted: false, refusedBy: "credits", rateLimits, availableMicros: numbers[offset + 6]! });
    } else {
      const { requestId, accountId, limits, tokens, holdMicros } = request;
      decisions.push({ admitted: true, ticket: { requestId, accountId, limits, tokens, holdMicros, epoch: holdMicros > 0 ? epoch : "" }, rateLimits });
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
