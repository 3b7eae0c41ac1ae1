import type { AdmissionDecision, AdmissionRequest, AdmissionTicket, Settlement } from "../../src/index.js";
import { addUsed, type BucketState, checkBuckets, rateLimitState, refill, SCALE } from "../../src/token-bucket.js";

/** A decision without its ticket's epoch (which differs by implementation), to compare with the model's. */
export type Verdict =
  | { outcome: "admitted"; rateLimits: AdmissionDecision["rateLimits"] }
  | { outcome: "requests" | "tokens" | "key_requests" | "key_tokens"; rateLimits: AdmissionDecision["rateLimits"]; retryAfterMs: number }
  | { outcome: "credits" | "key_budget"; rateLimits: AdmissionDecision["rateLimits"]; availableMicros: number };

export function verdictOf(decision: AdmissionDecision): Verdict {
  if (decision.admitted) return { outcome: "admitted", rateLimits: decision.rateLimits };
  if (decision.refusedBy === "credits" || decision.refusedBy === "key_budget")
    return { outcome: decision.refusedBy, rateLimits: decision.rateLimits, availableMicros: decision.availableMicros };
  return { outcome: decision.refusedBy, rateLimits: decision.rateLimits, retryAfterMs: decision.retryAfterMs };
}

/**
 * The rule written plainly for one account: the bucket math of token-bucket.ts
 * and a balance as a number, one request after another. Both implementations
 * must decide exactly as this does.
 */
export class ReferenceModel {
  #requests: BucketState | undefined;
  #tokens: BucketState | undefined;

  constructor(public balanceMicros: number) {}

  admit(request: AdmissionRequest, now: number): Verdict {
    const { limits, tokens: wanted, holdMicros } = request;
    const requests = refill(this.#requests, limits.requestsPerMinute, now);
    const tokens = refill(this.#tokens, limits.tokensPerMinute, now);
    const check = checkBuckets(requests, tokens, limits, wanted);
    const before = rateLimitState(requests.used, tokens.used, limits);
    if (check.refusedBy !== null) return { outcome: check.refusedBy, rateLimits: before, retryAfterMs: check.retryAfterMs };
    if (holdMicros > 0 && this.balanceMicros < holdMicros) return { outcome: "credits", rateLimits: before, availableMicros: this.balanceMicros };
    this.balanceMicros -= holdMicros;
    this.#requests = { used: requests.used + SCALE, at: requests.at };
    this.#tokens = { used: addUsed(tokens.used, wanted * SCALE), at: tokens.at };
    return { outcome: "admitted", rateLimits: rateLimitState(this.#requests.used, this.#tokens.used, limits) };
  }

  settle(ticket: AdmissionTicket, settlement: Settlement, now: number): void {
    const tokens = refill(this.#tokens, ticket.limits.tokensPerMinute, now);
    this.#tokens = { used: addUsed(tokens.used, (settlement.tokens - ticket.tokens) * SCALE), at: tokens.at };
    this.balanceMicros += ticket.holdMicros - settlement.chargedMicros;
  }
}
