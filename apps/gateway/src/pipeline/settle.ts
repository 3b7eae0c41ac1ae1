import { totalTokens, type Usage } from "@bentoo/core";
import type { AdmissionDeps, AdmittedRequest } from "./admit.js";

/**
 * After the answer (or the failure): queue the charge of the actual cost
 * (`cost`, the usage at the catalog's prices) in the ledger, and settle the
 * admission: the token reservation corrected to the actual usage, the hold
 * ended with that charge. The port finishes in the background. Nothing here
 * throws.
 */
export function settleRequest(
  deps: AdmissionDeps,
  context: { accountId: string; apiKeyId: string; requestId: string },
  admitted: AdmittedRequest,
  usage: Usage | null,
  cost: number,
): void {
  const { ticket } = admitted;
  if (ticket === null) return;
  let chargedMicros = 0;
  if (ticket.holdMicros > 0) {
    try {
      chargedMicros = deps.credits.charge(
        { accountId: ticket.accountId, apiKeyId: context.apiKeyId, requestId: context.requestId, admittedAt: admitted.admittedAt },
        ticket.holdMicros,
        cost,
        usage?.estimated ?? false,
      );
    } catch (error) {
      // The hold is then ended uncharged, as if the request had cost nothing: the ledger has no row for it.
      deps.outageLog.error(deps.logger, "credit_charge_failed", { err: error, requestId: context.requestId }, "could not settle a credit hold");
    }
  }
  deps.admission.settle(ticket, { tokens: usage === null ? 0 : totalTokens(usage), chargedMicros });
}
