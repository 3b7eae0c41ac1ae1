import {
  type Admission,
  type AdmissionDecision,
  type AdmissionTicket,
  formatResetDuration,
  type KeyLimitSpec,
  type KeyRateLimitState,
  type LimitSpec,
  type LimitState,
  type RateLimitState,
} from "@bentoo/admission";
import {
  type ApiKeyRecord,
  BentooError,
  effectiveLimits,
  formatMicros,
  hasAdmissionControls,
  type KeyWithAccount,
  type Plan,
  type PlanLimits,
  spendWindow,
} from "@bentoo/core";
import type { FastifyReply } from "fastify";
import type { Logger } from "pino";
import type { CreditService } from "../credits/credit-service.js";
import type { LogThrottle } from "../infra/log-throttle.js";
import type { Metrics } from "../infra/metrics.js";
import type { RequestEstimate } from "./estimate.js";
import { keySpendCapReached, keyTokensTooLarge, rateLimitRefusal, reservationOf } from "./refusals.js";

/** The tighter of the account's bucket and the key's own: the one with fewer units left (on a tie, the smaller limit). */
function tighter(account: LimitState, key: LimitState | null): LimitState {
  if (key === null) return account;
  return key.remaining < account.remaining || (key.remaining === account.remaining && key.limit < account.limit) ? key : account;
}

/**
 * OpenAI's rate-limit headers: https://platform.openai.com/docs/guides/rate-limits (one call each: no headers object per request).
 * Each pair shows the account's bucket, or the key's own when it is the tighter one.
 */
export function setRateLimitHeaders(reply: FastifyReply, rateLimits: RateLimitState, keyRateLimits: KeyRateLimitState | null = null): void {
  const requests = keyRateLimits === null ? rateLimits.requests : tighter(rateLimits.requests, keyRateLimits.requests);
  const tokens = keyRateLimits === null ? rateLimits.tokens : tighter(rateLimits.tokens, keyRateLimits.tokens);
  reply.header("x-ratelimit-limit-requests", String(requests.limit));
  reply.header("x-ratelimit-remaining-requests", String(requests.remaining));
  reply.header("x-ratelimit-reset-requests", formatResetDuration(requests.resetMs));
  reply.header("x-ratelimit-limit-tokens", String(tokens.limit));
  reply.header("x-ratelimit-remaining-tokens", String(tokens.remaining));
  reply.header("x-ratelimit-reset-tokens", formatResetDuration(tokens.resetMs));
}

/** An admitted request: what settling needs, and the headers' state. */
export interface AdmittedRequest {
  /** null when admission could not be reached and rate limits failed open (nothing was taken). */
  ticket: AdmissionTicket | null;
  /** For the x-ratelimit-* headers; null when failed open. */
  rateLimits: RateLimitState | null;
  /** The key's own buckets, for the headers; null for a key without limits of its own. */
  keyRateLimits: KeyRateLimitState | null;
  /** When it was admitted: its charge counts in the spend-cap period of this instant. */
  admittedAt: number;
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
  /** The clock spend-cap periods are read from. */
  now: () => number;
}

/** A key's controls as admission takes them; null for a key without any (nothing extra to do). */
export function keyLimitSpec(key: ApiKeyRecord, at: number): KeyLimitSpec | null {
  if (!hasAdmissionControls(key)) return null;
  const cap = key.spendCap;
  let budget: KeyLimitSpec["budget"] = null;
  if (cap !== null) {
    const window = spendWindow(cap.period, at);
    budget = { lineageId: key.lineageId, start: window.start, end: window.end, capMicros: cap.amountMicros };
  }
  return { keyId: key.id, requestsPerMinute: key.rpmLimit, tokensPerMinute: key.tpmLimit, budget };
}

/**
 * Rate limits (RPM, and TPM with the request's token reservation) of the
 * account and of the key, and, when the request spends, the hold of its
 * maximum cost against the key's spend cap and the account's balance: all
 * taken, or a 429/402 that took nothing. When admission cannot be reached,
 * credits fail closed (503) and a request that spends nothing passes only when
 * `failOpen`.
 */
export async function admit(
  deps: AdmissionDeps,
  reply: FastifyReply,
  subject: KeyWithAccount,
  estimate: RequestEstimate,
  spends: boolean,
): Promise<AdmittedRequest> {
  const { key, account } = subject;
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
  if (key.tpmLimit !== null && estimate.tokens > key.tpmLimit) throw keyTokensTooLarge(key, estimate);
  const admittedAt = deps.now();
  const keySpec = keyLimitSpec(key, admittedAt);
  let decision: AdmissionDecision;
  try {
    decision = await deps.admission.admit({
      requestId: reply.request.id,
      accountId: account.id,
      limits,
      tokens: estimate.tokens,
      holdMicros: spends ? estimate.maxCostMicros : 0,
      key: keySpec,
    });
  } catch (error) {
    deps.metrics.limiterDecisions.inc("limiter_unavailable");
    deps.outageLog.warn(deps.logger, "admission_unreachable", { err: error }, "admission unreachable");
    if (!deps.failOpen) throw new BentooError("service_unavailable", "Rate limits cannot be checked right now; retry shortly.", { cause: error });
    // Fail closed: without the balance no request may spend.
    if (spends) throw new BentooError("service_unavailable", "The credit balance cannot be checked right now; retry shortly.", { cause: error });
    return { ticket: null, rateLimits: null, keyRateLimits: null, admittedAt };
  }
  if (decision.admitted) {
    deps.metrics.limiterDecisions.inc("allowed");
    return { ticket: decision.ticket, rateLimits: decision.rateLimits, keyRateLimits: decision.keyRateLimits, admittedAt };
  }
  setRateLimitHeaders(reply, decision.rateLimits, decision.keyRateLimits);
  switch (decision.refusedBy) {
    case "credits":
      deps.metrics.limiterDecisions.inc("credits_refused");
      throw new BentooError(
        "insufficient_credits",
        `Insufficient credits: this request may cost up to ${formatMicros(estimate.maxCostMicros)} and the available balance is ${formatMicros(decision.availableMicros)}. Add credits, or lower max_tokens to reduce the reservation.`,
      );
    case "key_budget":
      deps.metrics.limiterDecisions.inc("key_spend_cap_refused");
      throw keySpendCapReached(key, keySpec!.budget!, estimate, decision.availableMicros);
    default:
      deps.metrics.limiterDecisions.inc(`rate_limited_${decision.refusedBy}`);
      throw rateLimitRefusal(decision.refusedBy, decision.retryAfterMs, limits, key, estimate);
  }
}
