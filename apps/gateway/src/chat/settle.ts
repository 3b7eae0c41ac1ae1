import type { CatalogModel } from "@bentoo/core";
import type { Usage } from "@bentoo/providers";
import type { Admission } from "./admission.js";
import type { ChatDeps } from "./chat-deps.js";
import { costMicros } from "./usage-cost.js";

/**
 * After the response (or the failure): charge the actual cost and release the
 * rest of the hold, and correct the tokens-per-minute reservation with the
 * actual usage. Returns the cost at once; the bank and limiter updates finish in
 * the background so the response never waits for them. Nothing here throws.
 */
export function settleRequest(
  deps: ChatDeps,
  context: { accountId: string; requestId: string; model: CatalogModel; sandbox: boolean },
  admission: Admission,
  usage: Usage | null,
): number {
  const cost = usage === null ? 0 : costMicros(context.model, usage, context.sandbox);
  if (admission.reservedTokens > 0) {
    const delta = (usage?.totalTokens ?? 0) - admission.reservedTokens;
    if (delta !== 0) void deps.limiter.adjustTokens(context.accountId, admission.limits, delta).catch(() => undefined);
  }
  if (admission.hold !== null) {
    deps.credits.settle(admission.hold, cost, context.requestId, usage?.estimated ?? false).catch((error: unknown) => {
      deps.logger.error({ err: error, requestId: context.requestId }, "could not settle a credit hold");
    });
  }
  return cost;
}
