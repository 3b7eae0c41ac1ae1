import type { Catalog, CatalogModel, ModelKind } from "@bentoo/core";
import type { SimulatedFailure } from "@bentoo/providers";
import type { FastifyReply, FastifyRequest } from "fastify";
import { type AdmissionDeps, admit, setRateLimitHeaders } from "./admit.js";
import type { RequestEstimate } from "./estimate.js";
import { requireModelAllowed } from "./model-allowed.js";
import { newMeter } from "./request-meter.js";
import { resolveModel } from "./resolve-model.js";
import type { AdmittedModelRequest } from "./settle.js";
import { requestedSimulation, simulatedRefusal } from "./simulate.js";

/** An admitted model request, and the failure its test key asked for (`Bentoo-Simulate`), if any. */
export interface ModelAdmission extends AdmittedModelRequest {
  simulate: SimulatedFailure | null;
}

/**
 * The steps every model endpoint takes before its provider is called, the
 * same way whatever its API: resolve the model (of the endpoint's kind), meter
 * it (so that a refusal's audit record names it), the key's model list, the
 * test key's simulation, the estimate (`estimate`, the endpoint's own), a
 * simulated refusal, then admission (rate limits and the credit hold) and the
 * rate-limit headers.
 */
export async function admitModelRequest(
  deps: AdmissionDeps & { catalog: Catalog },
  request: FastifyRequest,
  reply: FastifyReply,
  asked: { model: string; kind: ModelKind },
  estimate: (model: CatalogModel) => RequestEstimate | Promise<RequestEstimate>,
): Promise<ModelAdmission> {
  const subject = request.subject!;
  const { key, account } = subject;
  const model = resolveModel(deps.catalog, asked.model, asked.kind);
  const meter = newMeter(model.id);
  request.meter = meter;
  requireModelAllowed(key, model);
  const sandbox = key.mode === "test";
  const simulate = requestedSimulation(request, sandbox);
  const estimated = await estimate(model);
  const refusal = simulate === null ? null : simulatedRefusal(simulate, reply, account, deps.plans);
  if (refusal !== null) throw refusal;
  const admission = await admit(deps, reply, subject, estimated, !sandbox);
  if (admission.rateLimits !== null) setRateLimitHeaders(reply, admission.rateLimits, admission.keyRateLimits);
  return { request, model, sandbox, meter, admission, simulate };
}
