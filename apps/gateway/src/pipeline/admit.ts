import { type Admission, type AdmissionDecision, type AdmissionTicket, formatResetDuration, type LimitSpec, type RateLimitState } from "@bentoo/admission";
import { type Account, BentooError, effectiveLimits, formatMicros, type Plan, type PlanLimits } from "@bentoo/core";
import type { FastifyReply } from "fastify";
import type { Logger } from "pino";
import type { CreditService } from "../credits/credit-service.js";
import type { LogThrottle } from "../infra/log-throttle.js";
import type { Metrics } from "../infra/metrics.js";
import type { RequestEstimate } from "./estimate.js";

/** OpenAI's rate-limit headers: https://platform.openai.com/docs/guides/rate-limits (one call each: no headers object per request). */
export function setRateLimitHeaders(reply: FastifyReply, rateLimits: RateLimitState): void {
  reply.header("x-ratelimit-limit-requests", String(rateLimits.requests.limit));
  reply.header("x-ratelimit-remaining-requests", String(rateLimits.requests.remaining));
  reply.header("x-ratelimit-reset-requests", formatResetDuration(rateLimits.requests.resetMs));
  reply.header("x-ratelimit-limit-tokens", String(rateLimits.tokens.limit));
  reply.header("x-ratelimit-remaining-tokens", String(rateLimits.tokens.remaining));
  reply.header("x-ratelimit-reset-tokens", formatResetDuration(rateLimits.tokens.resetMs));
}

/** An admitted request: what settling needs, and the headers' state. */
export interface AdmittedRequest {
  /** null when admission could not be reached and rate limits failed open (nothing was taken). */
  ticket: AdmissionTicket | null;
  /** For the x-ratelimit-* headers; null when failed open. */
  rateLimits: RateLimitState | null;
}

/** What admission and settlement need from the services. */
export interface AdmissionDeps {
  admission: Admission;
  credits: CreditService;
  plans: Readonly<Record<Plan, PlanLimits>>;
  /** Whether requests that spend nothing pass when admission cannot be reached. */
  failOpen: boolean;
  logger: Logger;
  /** Lines an outage would write once per request go through it: one per kind per interval, with counts. */
  outageLog: LogThrottle;
  metrics: Metrics;
}

/**
 * Rate limits (RPM, and TPM with the request's token reservation) and, when the
 * request spends, the credit hold of its maximum cost: all taken, or a 429/402
 * that took nothing. When admission cannot be reached, credits fail closed
 * (503) and a request that spends nothing passes only when `failOpen`.
 */
export async function admit(deps: AdmissionDeps, reply: FastifyReply, account: Account, estimate: RequestEstimate, spends: boolean): Promise<AdmittedRequest> {
  const limits: LimitSpec = effectiveLimits(account, deps.plans);
  if (estimate.tokens > limits.tokensPerMinute) {
    // Like OpenAI's "request too large": it could never fit, so waiting would not help.
    // A request without output (embeddings) reserves its input alone: the advice names that.
    const advice = estimate.maxOutputTokens === 0 ? "Send fewer or shorter inputs." : "Lower max_tokens or shorten the prompt.";
    throw new BentooError(
      "rate_limit_exceeded",
      `Request too large: it reserves ${estimate.tokens} tokens (${reservationOf(estimate)}) but the account's limit is ${limits.tokensPerMinute} tokens per minute. ${advice}`,
      { param: estimate.maxOutputTokens === 0 ? "input" : "max_tokens", headers: { "retry-after": "60", "retry-after-ms": "60000" } },
    );
  }
  let decision: AdmissionDecision;
  try {
    decision = await deps.admission.admit({
      requestId: reply.request.id,
      accountId: account.id,
      limits,
      tokens: estimate.tokens,
      holdMicros: spends ? estimate.maxCostMicros : 0,
    });
  } catch (error) {
    deps.metrics.limiterDecisions.inc("limiter_unavailable");
    deps.outageLog.warn(deps.logger, "admission_unreachable", { err: error }, "admission unreachable");
    if (!deps.failOpen) throw new BentooError("service_unavailable", "Rate limits cannot be checked right now; retry shortly.", { cause: error });
    // Fail closed: without the balance no request may spend.
    if (spends) throw new BentooError("service_unavailable", "The credit balance cannot be checked right now; retry shortly.", { cause: error });
    return { ticket: null, rateLimits: null };
  }
  if (decision.admitted) {
    deps.metrics.limiterDecisions.inc("allowed");
    return { ticket: decision.ticket, rateLimits: decision.rateLimits };
  }
  setRateLimitHeaders(reply, decision.rateLimits);
  if (decision.refusedBy === "credits") {
    deps.metrics.limiterDecisions.inc("credits_refused");
    throw new BentooError(
      "insufficient_credits",
      `Insufficient credits: this request may cost up to ${formatMicros(estimate.maxCostMicros)} and the available balance is ${formatMicros(decision.availableMicros)}. Add credits, or lower max_tokens to reduce the reservation.`,
    );
  }
  deps.metrics.limiterDecisions.inc(`rate_limited_${decision.refusedBy}`);
  throw rateLimitRefusal(decision.refusedBy, decision.retryAfterMs, limits, estimate);
}

function rateLimitRefusal(refusedBy: "requests" | "tokens", retryAfterMs: number, limits: LimitSpec, estimate: RequestEstimate): BentooError {
  const headers = { "retry-after": String(Math.max(1, Math.ceil(retryAfterMs / 1000))), "retry-after-ms": String(Math.ceil(retryAfterMs)) };
  const wait = formatResetDuration(retryAfterMs);
  const message =
    refusedBy === "requests"
      ? `Rate limit reached for requests per minute (limit ${limits.requestsPerMinute}) on this account. Retry in ${wait}, or ask for a higher limit.`
      : `Rate limit reached for tokens per minute (limit ${limits.tokensPerMinute}; this request reserves ${estimate.tokens} tokens, ${reservationOf(estimate)}). Retry in ${wait}, ${estimate.maxOutputTokens === 0 ? "send fewer inputs" : "lower max_tokens"}, or ask for a higher limit.`;
  return new BentooError("rate_limit_exceeded", message, { headers });
}

/** What a request's token reservation is made of, in words. */
function reservationOf(estimate: RequestEstimate): string {
  return estimate.maxOutputTokens === 0 ? "its input" : "prompt plus max output";
}
