import { totalTokens, type CreditHold, type Usage } from "@bentoo/core";
import type { Admission } from "./admission.js";
import type { ChatDeps } from "./chat-deps.js";
import type { RedisAdmissions } from "./redis-admissions.js";

/**
 * After the response (or the failure): charge the actual cost and release the
 * rest of the hold, and correct the tokens-per-minute reservation with the
 * actual usage (`cost` is what the usage costs at the catalog's prices). The bank
 * and limiter updates finish in the background. Nothing here throws.
 */
export function settleRequest(
  deps: ChatDeps,
  context: { accountId: string; requestId: string },
  admission: Admission,
  usage: Usage | null,
  cost: number,
): void {
  if (deps.admissions !== null) {
    settleJointly(deps, deps.admissions, context, admission, usage, cost);
    return;
  }
  if (admission.reservedTokens > 0) {
    const delta = (usage === null ? 0 : totalTokens(usage)) - admission.reservedTokens;
    if (delta !== 0) adjustTokens(deps, context.accountId, admission.limits, delta);
  }
  if (admission.hold !== null) settleHold(deps, context.requestId, admission.hold, cost, usage?.estimated ?? false);
}

/** The Redis path: the token correction and the hold's end go out together (RedisAdmissions.settle). */
function settleJointly(deps: ChatDeps, admissions: RedisAdmissions, context: { accountId: string; requestId: string }, admission: Admission, usage: Usage | null, cost: number): void {
  const { hold, reservedTokens } = admission;
  const tokenDelta = reservedTokens > 0 ? (usage === null ? 0 : totalTokens(usage)) - reservedTokens : 0;
  if (tokenDelta === 0 && hold === null) return;
  let charged = 0;
  try {
    if (hold !== null) charged = deps.credits.charge(hold, cost, context.requestId, usage?.estimated ?? false);
  } catch (error) {
    settleFailed(deps, context.requestId, error);
  }
  admissions.settle(context.accountId, admission.limits, tokenDelta, hold, charged);
}

/** Embedded mode corrects the reservation synchronously (no promise per request); the Redis path returns a promise. */
function adjustTokens(deps: ChatDeps, accountId: string, limits: Admission["limits"], delta: number): void {
  try {
    if (deps.limiter.adjustTokensNow !== undefined) deps.limiter.adjustTokensNow(accountId, limits, delta);
    else void deps.limiter.adjustTokens(accountId, limits, delta).catch(() => undefined);
  } catch {
    // A refund that cannot be made leaves the bucket stricter, never looser.
  }
}

/** Likewise the credit hold: settled at once in embedded mode, through a promise on the Redis path. */
function settleHold(deps: ChatDeps, requestId: string, hold: CreditHold, cost: number, estimated: boolean): void {
  try {
    if (!deps.credits.settleNow(hold, cost, requestId, estimated)) deps.credits.settle(hold, cost, requestId, estimated).catch((error: unknown) => settleFailed(deps, requestId, error));
  } catch (error) {
    settleFailed(deps, requestId, error);
  }
}

function settleFailed(deps: ChatDeps, requestId: string, error: unknown): void {
  deps.logger.error({ err: error, requestId }, "could not settle a credit hold");
}
