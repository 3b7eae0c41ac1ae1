import type { Usage } from "@bentoo/providers";
import type { Admission } from "./admission.js";
import type { ChatDeps } from "./chat-deps.js";

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
  if (admission.reservedTokens > 0) {
    const delta = (usage?.totalTokens ?? 0) - admission.reservedTokens;
    if (delta !== 0) void deps.limiter.adjustTokens(context.accountId, admission.limits, delta).catch(() => undefined);
  }
  if (admission.hold !== null) {
    deps.credits.settle(admission.hold, cost, context.requestId, usage?.estimated ?? false).catch((error: unknown) => {
      deps.logger.error({ err: error, requestId: context.requestId }, "could not settle a credit hold");
    });
  }
}
