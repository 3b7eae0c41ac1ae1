import type { RateLimitState } from "@bentoo/admission";
import { type Account, BentooError, effectiveLimits, type Plan, type PlanLimits } from "@bentoo/core";
import { isSimulatedFailure, SIMULATED_FAILURES, type SimulatedFailure } from "@bentoo/providers";
import type { FastifyReply, FastifyRequest } from "fastify";
import { setRateLimitHeaders } from "./admit.js";

/** The request header a test key asks for a failure with. */
export const SIMULATE_HEADER = "bentoo-simulate";

/** How long a simulated rate limit asks the client to wait. */
const SIMULATED_RETRY_AFTER_MS = 1000;

/**
 * The failure a test key's request asks for (`Bentoo-Simulate`), or null. Live
 * keys never simulate: the header is ignored on them, so a stray header cannot
 * fail production traffic. An unknown value is a 400 listing the values.
 */
export function requestedSimulation(request: FastifyRequest, sandbox: boolean): SimulatedFailure | null {
  const value = request.headers[SIMULATE_HEADER];
  if (!sandbox || value === undefined) return null;
  const wanted = (Array.isArray(value) ? value[0] : value)?.trim().toLowerCase() ?? "";
  if (isSimulatedFailure(wanted)) return wanted;
  throw new BentooError(
    "invalid_request",
    `Bentoo-Simulate: "${wanted}" is not a failure the sandbox simulates; use one of: ${SIMULATED_FAILURES.join(", ")}.`,
    {
      param: "Bentoo-Simulate",
    },
  );
}

/**
 * The refusal admission answers a simulated `rate_limit` or
 * `insufficient_credits` with, before anything is taken: the live path's
 * status, code and headers (`Retry-After`, and `x-ratelimit-*` with the
 * account's own limits, the exhausted one at 0). Null for other simulations.
 */
export function simulatedRefusal(
  simulate: SimulatedFailure,
  reply: FastifyReply,
  account: Account,
  plans: Readonly<Record<Plan, PlanLimits>>,
): BentooError | null {
  if (simulate !== "rate_limit" && simulate !== "insufficient_credits") return null;
  const limits = effectiveLimits(account, plans);
  const exhausted = simulate === "rate_limit";
  const state: RateLimitState = {
    requests: { limit: limits.requestsPerMinute, remaining: exhausted ? 0 : limits.requestsPerMinute - 1, resetMs: exhausted ? SIMULATED_RETRY_AFTER_MS : 0 },
    tokens: { limit: limits.tokensPerMinute, remaining: limits.tokensPerMinute, resetMs: 0 },
  };
  setRateLimitHeaders(reply, state);
  if (!exhausted) {
    return new BentooError(
      "insufficient_credits",
      "Insufficient credits: this request may cost more than the available balance (simulated with Bentoo-Simulate on a test key). Add credits, or lower max_tokens to reduce the reservation.",
    );
  }
  const seconds = SIMULATED_RETRY_AFTER_MS / 1000;
  return new BentooError(
    "rate_limit_exceeded",
    `Rate limit reached for requests per minute (limit ${limits.requestsPerMinute}) on this account (simulated with Bentoo-Simulate on a test key). Retry in ${seconds}s, or ask for a higher limit.`,
    { headers: { "retry-after": String(seconds), "retry-after-ms": String(SIMULATED_RETRY_AFTER_MS) } },
  );
}
