import type { AdmissionRequest, KeyLimitSpec, LimitSpec, Recovery, Settlement } from "./admission.js";
import { MAX_UNITS } from "./token-bucket.js";

/**
 * Argument checks shared by both implementations. A bad argument is a caller's
 * bug (limits come from plans and account overrides, token counts and amounts
 * from the estimate and the meter), so it is a RangeError, never a refusal.
 */

function unitsProblem(name: string, value: number, minimum: number): RangeError | null {
  if (Number.isSafeInteger(value) && value >= minimum && value <= MAX_UNITS) return null;
  return new RangeError(`${name} must be an integer from ${minimum} to ${MAX_UNITS}, got ${String(value)}`);
}

function microsProblem(name: string, value: number): RangeError | null {
  if (Number.isSafeInteger(value) && value >= 0) return null;
  return new RangeError(`${name} must be a non-negative safe integer of micro-dollars, got ${String(value)}`);
}

function limitsProblem(limits: LimitSpec): RangeError | null {
  return unitsProblem("requestsPerMinute", limits.requestsPerMinute, 1) ?? unitsProblem("tokensPerMinute", limits.tokensPerMinute, 1);
}

export function assertAccountId(accountId: string): void {
  if (accountId.length === 0) throw new RangeError("accountId must not be empty");
}

/** Request ids name holds in Redis (a hash field, a sorted-set member): printable, and short. */
const REQUEST_ID = /^[\x21-\x7e]{1,128}$/;

function assertRequestId(requestId: string): void {
  if (typeof requestId !== "string" || !REQUEST_ID.test(requestId))
    throw new RangeError(`requestId must be 1 to 128 printable ASCII characters, got ${JSON.stringify(requestId)}`);
}

/** Key and chain ids name Redis keys and hash fields: printable, short, and without the ':' that separates a budget's parts. */
const NAME = /^[\x21-\x39\x3b-\x7e]{1,128}$/;

function keyProblem(key: KeyLimitSpec): RangeError | null {
  if (typeof key.keyId !== "string" || !NAME.test(key.keyId))
    return new RangeError(`key.keyId must be 1 to 128 printable ASCII characters without ':', got ${JSON.stringify(key.keyId)}`);
  if (key.requestsPerMinute !== null) {
    const problem = unitsProblem("key.requestsPerMinute", key.requestsPerMinute, 1);
    if (problem !== null) return problem;
  }
  if (key.tokensPerMinute !== null) {
    const problem = unitsProblem("key.tokensPerMinute", key.tokensPerMinute, 1);
    if (problem !== null) return problem;
  }
  const budget = key.budget;
  if (budget === null) return null;
  if (typeof budget.lineageId !== "string" || !NAME.test(budget.lineageId))
    return new RangeError(`key.budget.lineageId must be 1 to 128 printable ASCII characters without ':', got ${JSON.stringify(budget.lineageId)}`);
  if (!Number.isSafeInteger(budget.start) || budget.start < 0)
    return new RangeError(`key.budget.start must be a non-negative integer of ms, got ${String(budget.start)}`);
  if (budget.end !== null && (!Number.isSafeInteger(budget.end) || budget.end <= budget.start))
    return new RangeError(`key.budget.end must be null or an integer of ms after start, got ${String(budget.end)}`);
  return microsProblem("key.budget.capMicros", budget.capMicros);
}

export function assertAdmissionRequest(request: AdmissionRequest): void {
  assertAccountId(request.accountId);
  assertRequestId(request.requestId);
  const problem =
    limitsProblem(request.limits) ??
    unitsProblem("tokens", request.tokens, 0) ??
    microsProblem("holdMicros", request.holdMicros) ??
    (request.key === undefined || request.key === null ? null : keyProblem(request.key));
  if (problem !== null) throw problem;
}

/** Settling never throws: the problem is reported instead, and nothing is settled (the stricter outcome). */
export function settlementProblem(settlement: Settlement): RangeError | null {
  return unitsProblem("tokens", settlement.tokens, 0) ?? microsProblem("chargedMicros", settlement.chargedMicros);
}

export function assertGrant(accountId: string, amountMicros: number): void {
  assertAccountId(accountId);
  if (!Number.isInteger(amountMicros)) throw new RangeError(`amountMicros must be an integer, got ${String(amountMicros)}`);
}

export function assertRecovery(recovery: Recovery): void {
  for (const instanceId of recovery.instanceIds) assertRequestId(instanceId);
  for (const charge of recovery.charges) {
    assertAccountId(charge.accountId);
    assertRequestId(charge.requestId);
    const problem = microsProblem("chargedMicros", charge.chargedMicros);
    if (problem !== null) throw problem;
  }
}
