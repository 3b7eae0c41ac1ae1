import { type CatalogModel, totalTokens, type Usage } from "@bentoo/core";
import type { FastifyRequest } from "fastify";
import type { AdmissionDeps, AdmittedRequest } from "./admit.js";
import { costMicros } from "./cost.js";
import type { RequestMeter } from "./request-meter.js";

/** A model request once admitted: what settling it needs. */
export interface AdmittedModelRequest {
  request: FastifyRequest;
  model: CatalogModel;
  sandbox: boolean;
  meter: RequestMeter;
  admission: AdmittedRequest;
}

/**
 * After the answer (or the failure) of a model request, whatever its client
 * API: meters the usage and its cost (what the audit record and the metrics
 * read) and settles the admission with that cost. `started` is when the
 * provider was called (performance.now()).
 */
export function meterAndSettle(deps: AdmissionDeps, admitted: AdmittedModelRequest, usage: Usage | null, started: number): void {
  const { meter, model, sandbox, request } = admitted;
  const cost = usage === null ? 0 : costMicros(model, usage, sandbox);
  meter.usage = usage;
  meter.costMicros = cost;
  meter.upstreamMs = performance.now() - started;
  settleRequest(deps, { accountId: request.subject!.account.id, requestId: request.id }, admitted.admission, usage, cost);
}

/**
 * After the answer (or the failure): queue the charge of the actual cost
 * (`cost`, the usage at the catalog's prices) in the ledger, and settle the
 * admission: the token reservation corrected to the actual usage, the hold
 * ended with that charge. The port finishes in the background. Nothing here
 * throws.
 */
export function settleRequest(
  deps: AdmissionDeps,
  context: { accountId: string; requestId: string },
  admitted: AdmittedRequest,
  usage: Usage | null,
  cost: number,
): void {
  const { ticket } = admitted;
  if (ticket === null) return;
  let chargedMicros = 0;
  if (ticket.holdMicros > 0) {
    try {
      chargedMicros = deps.credits.charge(ticket.accountId, ticket.holdMicros, cost, context.requestId, usage?.estimated ?? false);
    } catch (error) {
      // The hold is then ended uncharged, as if the request had cost nothing: the ledger has no row for it.
      deps.outageLog.error(deps.logger, "credit_charge_failed", { err: error, requestId: context.requestId }, "could not settle a credit hold");
    }
  }
  deps.admission.settle(ticket, { tokens: usage === null ? 0 : totalTokens(usage), chargedMicros });
}
