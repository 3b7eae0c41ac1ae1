import type { Usage } from "@bentoo/core";
import type { Cancellation, EmbeddingCall, JsonAnswer } from "@bentoo/providers";
import type { FastifyInstance } from "fastify";
import type { EmbeddingsApi } from "../dialects/embeddings/index.js";
import type { ParsedEmbeddingRequest } from "../dialects/embeddings/parse-request.js";
import { admit, setRateLimitHeaders } from "./admit.js";
import { ClientDisconnect } from "./client-disconnect.js";
import { costMembers, costMicros } from "./cost.js";
import { estimateEmbedding } from "./embedding-estimate.js";
import type { PipelineDeps } from "./model-route.js";
import { newMeter } from "./request-meter.js";
import { resolveModel } from "./resolve-model.js";
import { routeEmbedding } from "./route.js";
import { type AdmittedModelRequest, meterAndSettle } from "./settle.js";
import { requestedSimulation, simulatedRefusal } from "./simulate.js";

const JSON_CONTENT_TYPE = "application/json; charset=utf-8";

/**
 * An embeddings endpoint: the model pipeline's steps, for a request that has no
 * conversation and no stream. The key and the IP allowlist were checked by the
 * gateway's hooks; then parse (the API) → resolve the model (an embedding
 * model) → estimate (the inputs' tokens, held at the input price) → admit →
 * route (the adapters' `embed`, with retries and fallbacks) → answer (JSON) →
 * settle. The gateway's onSend hook writes the one audit record, from the meter.
 */
export function embeddingRoute(app: FastifyInstance, path: string, api: EmbeddingsApi, deps: PipelineDeps): void {
  app.post(path, { config: { dialect: api } }, async (request, reply) => {
    const { key, account } = request.subject!;
    // Read while the connection is open: the socket keeps its peer's address, so the record of a client that leaves has it.
    void request.socket.remoteAddress;
    const parsed = api.parse(request.body);
    const model = resolveModel(deps.catalog, parsed.model, api.modelKind);
    const meter = newMeter(model.id);
    request.meter = meter;
    const sandbox = key.mode === "test";
    const simulate = requestedSimulation(request, sandbox);
    const estimate = estimateEmbedding(parsed.request, model);
    const refusal = simulate === null ? null : simulatedRefusal(simulate, reply, account, deps.plans);
    if (refusal !== null) throw refusal;
    const admission = await admit(deps, reply, account, estimate, !sandbox);
    if (admission.rateLimits !== null) setRateLimitHeaders(reply, admission.rateLimits);
    const admitted: AdmittedModelRequest = { request, model, sandbox, meter, admission };
    const started = performance.now();
    let answer: JsonAnswer;
    try {
      const call = embeddingCall(api, admitted, parsed, new ClientDisconnect(reply.raw));
      call.simulate = simulate;
      answer = await routeEmbedding(deps.providers, deps.catalog.providers, call, sandbox, meter);
    } catch (error) {
      meterAndSettle(deps, admitted, null, started);
      throw error;
    }
    meterAndSettle(deps, admitted, answer.usage, started);
    return reply.type(JSON_CONTENT_TYPE).send(answer.body());
  });
}

function embeddingCall(api: EmbeddingsApi, admitted: AdmittedModelRequest, parsed: ParsedEmbeddingRequest, cancellation: Cancellation): EmbeddingCall {
  const { request, model, sandbox } = admitted;
  return {
    requestId: request.id,
    model,
    request: parsed.request,
    body: parsed.body,
    raw: request.rawBody,
    answers: api.answers,
    cancellation,
    usageExtras: (usage: Usage) => costMembers(costMicros(model, usage, sandbox)),
  };
}
