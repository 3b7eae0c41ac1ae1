import { BentooError, effectiveLimits, type Account, type CreditHold, type PlanLimits, type Plan, type ReserveOutcome } from "@bentoo/core";
import { formatResetDuration, type LimitSpec, type RateDecision, type RateLimiter } from "@bentoo/ratelimit";
import type { FastifyReply } from "fastify";
import type { Logger } from "pino";
import { balanceUnavailable, holdOrRefusal, type CreditService } from "../credits/credit-service.js";
import type { Metrics } from "../infra/metrics.js";
import type { RequestEstimate } from "../pipeline/estimate.js";
import type { RedisAdmissions } from "./redis-admissions.js";

/** OpenAI's rate-limit headers: https://platform.openai.com/docs/guides/rate-limits (one call each: no headers object per request). */
export function setRateLimitHeaders(reply: FastifyReply, decision: RateDecision): void {
  reply.header("x-ratelimit-limit-requests", String(decision.requests.limit));
  reply.header("x-ratelimit-remaining-requests", String(decision.requests.remaining));
  reply.header("x-ratelimit-reset-requests", formatResetDuration(decision.requests.resetMs));
  reply.header("x-ratelimit-limit-tokens", String(decision.tokens.limit));
  reply.header("x-ratelimit-remaining-tokens", String(decision.tokens.remaining));
  reply.header("x-ratelimit-reset-tokens", formatResetDuration(decision.tokens.resetMs));
}

function refusal(decision: RateDecision, limits: LimitSpec, estimate: RequestEstimate): BentooError {
  const retryMs = decision.retryAfterMs ?? decision.tokens.resetMs;
  const headers = { "retry-after": String(Math.max(1, Math.ceil(retryMs / 1000))), "retry-after-ms": String(Math.ceil(retryMs)) };
  const wait = formatResetDuration(retryMs);
  const message =
    decision.limitedBy === "requests"
      ? `Rate limit reached for requests per minute (limit ${limits.requestsPerMinute}) on this account. Retry in ${wait}, or ask for a higher limit.`
      : `Rate limit reached for tokens per minute (limit ${limits.tokensPerMinute}; this request reserves ${estimate.tokens} tokens, prompt plus max output). Retry in ${wait}, lower max_tokens, or ask for a higher limit.`;
  return new BentooError("rate_limit_exceeded", message, { headers });
}

export interface Admission {
  limits: LimitSpec;
  hold: CreditHold | null;
  /** Tokens reserved against TPM (0 when the limiter could not be reached and failed open). */
  reservedTokens: number;
  /**
   * For the x-ratelimit-* headers, which the caller sets once the upstream call is
   * on its way (a refusal sets them itself); null when the limiter failed open.
   */
  rateLimits: RateDecision | null;
}

type Settled<T> = PromiseSettledResult<T>;

/** A synchronous call's outcome in the shape Promise.allSettled gives. */
function settledNow<T>(call: () => T): Settled<T> {
  try {
    return { status: "fulfilled", value: call() };
  } catch (reason) {
    return { status: "rejected", reason };
  }
}

const NO_HOLD: Settled<null> = { status: "fulfilled", value: null };

/** What admission needs from the services; `admissions` is set on the Redis path. */
export interface AdmissionDeps {
  limiter: RateLimiter;
  credits: CreditService;
  admissions: RedisAdmissions | null;
  plans: Readonly<Record<Plan, PlanLimits>>;
  failOpen: boolean;
  logger: Logger;
  metrics: Metrics;
}

/**
 * Rate limits (RPM and TPM with the request's token reservation) and the credit
 * hold, checked together.
 *
 * - On the Redis path, one script call decides both for all of an account's
 *   requests of the turn (RedisAdmissions), and a refused request takes
 *   nothing.
 * - When the limiter and the bank keep their state in this process (embedded
 *   mode, and the account's balance already loaded), both are decided
 *   synchronously and the admission is returned as is, not as a promise.
 * - Otherwise (the balance still to be loaded) both are asked at once, and
 *   whatever one took is given back when the other refuses.
 */
export function admit(
  deps: AdmissionDeps,
  reply: FastifyReply,
  account: Account,
  estimate: RequestEstimate,
  spends: boolean,
): Admission | Promise<Admission> {
  const limits: LimitSpec = effectiveLimits(account, deps.plans);
  if (estimate.tokens > limits.tokensPerMinute) {
    // Like OpenAI's "request too large": it could never fit, so waiting would not help.
    throw new BentooError(
      "rate_limit_exceeded",
      `Request too large: it reserves ${estimate.tokens} tokens (prompt plus max output) but the account's limit is ${limits.tokensPerMinute} tokens per minute. Lower max_tokens or shorten the prompt.`,
      { param: "max_tokens", headers: { "retry-after": "60", "retry-after-ms": "60000" } },
    );
  }
  const { limiter, credits, admissions } = deps;
  if (admissions !== null) {
    const holdMicros = spends ? estimate.maxCostMicros : 0;
    return admissions.admit(account.id, limits, estimate.tokens, holdMicros).then(
      ({ decision, held }) => decide(deps, reply, account.id, limits, estimate, { status: "fulfilled", value: decision }, jointHold(held, holdMicros), true),
      (error: unknown) => decide(deps, reply, account.id, limits, estimate, { status: "rejected", reason: error }, spends ? { status: "rejected", reason: balanceUnavailable(error) } : NO_HOLD, true),
    );
  }
  const input = { subject: account.id, limits, tokens: estimate.tokens };
  if (limiter.admitNow !== undefined) {
    const held: Settled<CreditHold | null | undefined> = spends ? settledNow(() => credits.reserveNow(account.id, estimate.maxCostMicros)) : NO_HOLD;
    if (held.status === "rejected" || held.value !== undefined) {
      return decide(deps, reply, account.id, limits, estimate, settledNow(() => limiter.admitNow!(input)), held as Settled<CreditHold | null>, false);
    }
  }
  return Promise.allSettled([limiter.admit(input), spends ? credits.reserve(account.id, estimate.maxCostMicros) : Promise.resolve(null)]).then(([limited, held]) =>
    decide(deps, reply, account.id, limits, estimate, limited, held, false),
  );
}

/** The joint script's hold as the bank's would be settled; a closure only for the refusal's error. */
function jointHold(held: ReserveOutcome | null, holdMicros: number): Settled<CreditHold | null> {
  if (held === null) return NO_HOLD;
  return held.ok ? { status: "fulfilled", value: held.hold } : settledNow(() => holdOrRefusal(held, holdMicros));
}

/** The admission, or the refusal (after giving back whatever the other check took). */
function decide(
  deps: AdmissionDeps,
  reply: FastifyReply,
  subject: string,
  limits: LimitSpec,
  estimate: RequestEstimate,
  limited: Settled<RateDecision>,
  held: Settled<CreditHold | null>,
  /** True when a refused request took nothing (one script decided both): nothing to give back. */
  jointly: boolean,
): Admission | Promise<Admission> {
  const hold = held.status === "fulfilled" ? held.value : null;
  let reservedTokens = estimate.tokens;
  const decision = limited.status === "rejected" ? "limiter_unavailable" : !limited.value.allowed ? `rate_limited_${limited.value.limitedBy ?? "unknown"}` : held.status === "rejected" ? "credits_refused" : "allowed";
  deps.metrics.limiterDecisions.inc(decision);
  if (limited.status === "rejected") {
    deps.logger.warn({ err: limited.reason }, "rate limiter unreachable");
    if (!deps.failOpen) return refuseAfterRelease(deps, hold, new BentooError("service_unavailable", "Rate limits cannot be checked right now; retry shortly."));
    reservedTokens = 0;
  } else if (!limited.value.allowed) {
    setRateLimitHeaders(reply, limited.value);
    return refuseAfterRelease(deps, hold, refusal(limited.value, limits, estimate));
  }
  const rateLimits = limited.status === "fulfilled" ? limited.value : null;
  if (held.status === "rejected") {
    if (rateLimits !== null) setRateLimitHeaders(reply, rateLimits);
    if (reservedTokens > 0 && !jointly) void deps.limiter.adjustTokens(subject, limits, -reservedTokens).catch(() => undefined);
    throw held.reason;
  }
  return { limits, hold, reservedTokens, rateLimits };
}

/** Gives a hold back, then refuses. */
async function refuseAfterRelease(deps: AdmissionDeps, hold: CreditHold | null, error: BentooError): Promise<never> {
  if (hold !== null) await deps.credits.bank.settle(hold, 0);
  throw error;
}
