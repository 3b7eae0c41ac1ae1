import type { Usage } from "@bentoo/core";
import type { Cancellation, EmbeddingCall, JsonAnswer } from "@bentoo/providers";
import type { FastifyInstance } from "fastify";
import type { EmbeddingsApi } from "../dialects/embeddings/index.js";
import type { ParsedEmbeddingRequest } from "../dialects/embeddings/parse-request.js";
import type { RouteSchema } from "../openapi/validation.js";
import { admitModelRequest, type ModelAdmission } from "./admit-model-request.js";
import { ClientDisconnect } from "./client-disconnect.js";
import { costMembers, costMicros } from "./cost.js";
import { estimateEmbedding } from "./embedding-estimate.js";
import type { PipelineDeps } from "./model-route.js";
import { routeEmbedding } from "./route.js";
import { meterAndSettle } from "./settle.js";

const JSON_CONTENT_TYPE = "application/json; charset=utf-8";

/**
 * An embeddings endpoint: the model pipeline's steps, for a request that has no
 * conversation and no stream. The key and the IP allowlist were checked by the
 * gateway's hooks (the `inference` scope with them); then parse (the API) →
 * resolve the model (an embedding model) → the key's model list → estimate (the inputs' tokens, held at the input price) → admit →
 * route (the adapters' `embed`, with retries and fallbacks) → answer (JSON) →
 * settle. The gateway's onSend hook writes the one audit record, from the meter.
 *
 * `options.schema` is the route's schema: Fastify checks the request with it
 * before the handler runs, and the OpenAPI document describes the route by it.
 */
export function embeddingRoute(app: FastifyInstance, path: string, api: EmbeddingsApi, deps: PipelineDeps, options: { schema?: RouteSchema } = {}): void {
  app.post(path, { config: { dialect: api, scope: "inference" }, schema: options.schema }, async (request, reply) => {
    // Read while the connection is open: the socket keeps its peer's address, so the record of a client that leaves has it.
    void request.socket.remoteAddress;
    const parsed = api.parse(request.body);
    const admitted = await admitModelRequest(deps, request, reply, { model: parsed.model, kind: api.modelKind }, (model) =>
      estimateEmbedding(parsed.request, model),
    );
    const started = performance.now();
    let answer: JsonAnswer;
    try {
      const call = embeddingCall(api, admitted, parsed, new ClientDisconnect(reply.raw));
      answer = await routeEmbedding(deps.providers, deps.catalog.providers, call, admitted.sandbox, admitted.meter);
    } catch (error) {
      meterAndSettle(deps, admitted, null, started);
      throw error;
    }
    meterAndSettle(deps, admitted, answer.usage, started);
    return reply.type(JSON_CONTENT_TYPE).send(answer.body());
  });
}

function embeddingCall(api: EmbeddingsApi, admitted: ModelAdmission, parsed: ParsedEmbeddingRequest, cancellation: Cancellation): EmbeddingCall {
  const { request, model, sandbox, simulate } = admitted;
  return {
    simulate,
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
