import { type BudgetSpec, formatResetDuration, type LimitSpec } from "@bentoo/admission";
import { type ApiKeyRecord, BentooError, formatMicros } from "@bentoo/core";
import type { RequestEstimate } from "./estimate.js";

/** How a message names the calling key: its key ID, never more of it. */
function keyName(key: ApiKeyRecord): string {
  return `this key (key ID ••••${key.last4})`;
}

const RAISE_KEY_LIMIT = "or raise the key's limit in the dashboard (Settings → API Keys)";

/** What a request's token reservation is made of, in words (a request without output, embeddings, reserves its input alone). */
export function reservationOf(estimate: RequestEstimate): string {
  return estimate.maxOutputTokens === 0 ? "its input" : "prompt plus max output";
}

/** How to make a request reserve fewer tokens. */
function lowerReservation(estimate: RequestEstimate): string {
  return estimate.maxOutputTokens === 0 ? "send fewer inputs" : "lower max_tokens";
}

/** 429 for a request refused by the account's limits or the key's own; Retry-After says when one would pass. */
export function rateLimitRefusal(
  refusedBy: "requests" | "tokens" | "key_requests" | "key_tokens",
  retryAfterMs: number,
  limits: LimitSpec,
  key: ApiKeyRecord,
  estimate: RequestEstimate,
): BentooError {
  const headers = { "retry-after": String(Math.max(1, Math.ceil(retryAfterMs / 1000))), "retry-after-ms": String(Math.ceil(retryAfterMs)) };
  const wait = formatResetDuration(retryAfterMs);
  const reserve = `this request reserves ${estimate.tokens} tokens, ${reservationOf(estimate)}`;
  let message: string;
  switch (refusedBy) {
    case "requests":
      message = `Rate limit reached for requests per minute (limit ${limits.requestsPerMinute}) on this account. Retry in ${wait}, or ask for a higher limit.`;
      break;
    case "tokens":
      message = `Rate limit reached for tokens per minute (limit ${limits.tokensPerMinute}; ${reserve}). Retry in ${wait}, ${lowerReservation(estimate)}, or ask for a higher limit.`;
      break;
    case "key_requests":
      message = `Rate limit reached for requests per minute (limit ${key.rpmLimit}) on ${keyName(key)}. Retry in ${wait}, ${RAISE_KEY_LIMIT}.`;
      break;
    case "key_tokens":
      message = `Rate limit reached for tokens per minute (limit ${key.tpmLimit}; ${reserve}) on ${keyName(key)}. Retry in ${wait}, ${lowerReservation(estimate)}, ${RAISE_KEY_LIMIT}.`;
      break;
  }
  return new BentooError("rate_limit_exceeded", message, { headers });
}

/** 429 for a request that could never fit the key's own tokens per minute: waiting would not help. */
export function keyTokensTooLarge(key: ApiKeyRecord, estimate: RequestEstimate): BentooError {
  return new BentooError(
    "rate_limit_exceeded",
    `Request too large: it reserves ${estimate.tokens} tokens (${reservationOf(estimate)}) but ${keyName(key)} allows ${key.tpmLimit} tokens per minute. ${estimate.maxOutputTokens === 0 ? "Send fewer or shorter inputs" : "Lower max_tokens, shorten the prompt"}, ${RAISE_KEY_LIMIT}.`,
    { param: estimate.maxOutputTokens === 0 ? "input" : "max_tokens", headers: { "retry-after": "60", "retry-after-ms": "60000" } },
  );
}

/** 402 for a request the key's spend cap cannot cover in this period; says when the period starts again. */
export function keySpendCapReached(key: ApiKeyRecord, budget: BudgetSpec, estimate: RequestEstimate, availableMicros: number): BentooError {
  const period = key.spendCap?.period ?? "total";
  const cap = `${formatMicros(budget.capMicros)} ${period === "total" ? "in total" : `per ${period}`}`;
  const next =
    budget.end === null
      ? "The cap has no period: raise it to spend more"
      : `The period starts again at ${new Date(budget.end).toISOString()} (UTC); to spend before then, raise the cap`;
  return new BentooError(
    "key_spend_cap_reached",
    `The spend cap of ${keyName(key)} is reached: ${cap}, ${formatMicros(availableMicros)} left, and this request may cost up to ${formatMicros(estimate.maxCostMicros)}. ${next} in the dashboard (Settings → API Keys), or ${estimate.maxOutputTokens === 0 ? "send fewer inputs" : "lower max_tokens"} to reduce the reservation.`,
  );
}
