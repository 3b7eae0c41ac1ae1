import type { OutgoingHttpHeaders } from "node:http";
import type { AnswerWriter, Catalog, Usage } from "@bentoo/core";
import type { Answer, Cancellation, ProviderCall, ProviderRegistry } from "@bentoo/providers";
import type { FastifyInstance } from "fastify";
import { type AuditSink, auditRequest, CLIENT_CLOSED_STATUS } from "../audit/request-record.js";
import type { ClientApi, Dialect, DialectExchange, ParsedRequest } from "../dialects/dialect.js";
import { SSE_HEADERS } from "../http/sse.js";
import type { RouteSchema } from "../openapi/validation.js";
import type { AdmissionDeps } from "./admit.js";
import { admitModelRequest, type ModelAdmission } from "./admit-model-request.js";
import { ClientDisconnect } from "./client-disconnect.js";
import { costMembers, costMicros } from "./cost.js";
import { estimateRequest } from "./estimate.js";
import { routeCall } from "./route.js";
import { meterAndSettle } from "./settle.js";

declare module "fastify" {
  interface FastifyContextConfig {
    /** The client API a route speaks: errors on it are written in its shape. */
    dialect?: ClientApi;
  }
}

/** What the pipeline needs from the services: admission's, plus the catalog, the providers and where audit records go. */
export interface PipelineDeps extends AdmissionDeps {
  catalog: Catalog;
  providers: ProviderRegistry;
  records: AuditSink;
}

const JSON_CONTENT_TYPE = "application/json; charset=utf-8";

/** One request on its way through the pipeline. */
interface Exchange extends ModelAdmission {
  dialect: Dialect;
}

/**
 * A model endpoint: the pipeline every client API runs, the same way. The key,
 * the IP allowlist and the `inference` scope were checked by the gateway's
 * hooks; then parse (the dialect) → resolve the model → the key's model list →
 * the dialect's own state, for an API that has some (DialectExchange) →
 * estimate → admit (rate limits, the key's spend cap and the credit hold) →
 * route (the provider, with fallbacks) → answer (JSON, or the stream relayed)
 * → settle (charge what was used). The audit record is built
 * from the request's meter, whatever happened: by the gateway's onSend hook for
 * answers sent through Fastify, here for a relayed stream.
 *
 * `options.schema` is the route's schema: Fastify checks the request with it
 * before the handler runs, and the OpenAPI document describes the route by it.
 */
export function modelRoute(app: FastifyInstance, path: string, dialect: Dialect, deps: PipelineDeps, options: { schema?: RouteSchema } = {}): void {
  app.post(path, { config: { dialect, scope: "inference" }, schema: options.schema }, async (request, reply) => {
    const { account } = request.subject!;
    // Read while the connection is open: the socket keeps its peer's address, so the record of a client that leaves has it.
    void request.socket.remoteAddress;
    const received = dialect.parse(request.body);
    // A dialect with state (a stored conversation to continue) opens it before the estimate, which counts it.
    let state = null as DialectExchange | null;
    const admitted = await admitModelRequest(deps, request, reply, { model: received.model, kind: dialect.modelKind }, async (model) => {
      state = dialect.open === undefined ? null : await dialect.open(received, { accountId: account.id, requestId: request.id, model });
      return estimateRequest((state?.parsed ?? received).request, model, dialect.parameterNames);
    });
    const parsed = state?.parsed ?? received;
    const exchange: Exchange = { ...admitted, dialect };
    const raw = reply.raw;
    const started = performance.now();
    let answer: Answer;
    try {
      const call = providerCall(exchange, parsed, state?.answers ?? dialect.answers, new ClientDisconnect(raw));
      answer = await routeCall(deps.providers, deps.catalog.providers, call, exchange.sandbox, exchange.meter);
    } catch (error) {
      meterAndSettle(deps, exchange, null, started);
      throw error;
    }
    if (answer.kind === "json") {
      meterAndSettle(deps, exchange, answer.usage, started);
      const body = answer.body();
      // A dialect with state (a stored response) finishes its work before the client has the answer.
      if (state !== null) await state.complete({ failure: null, clientAborted: false, usage: answer.usage });
      return reply.type(JSON_CONTENT_TYPE).send(body);
    }
    reply.hijack();
    // getHeaders() is a copy of the reply's headers: the stream's own are added to it.
    raw.writeHead(200, Object.assign(reply.getHeaders() as OutgoingHttpHeaders, SSE_HEADERS));
    const outcome = await answer.pipeTo(raw);
    if (outcome.failure !== null) request.errorCode = outcome.failure.code;
    // A cut or aborted stream is billed for what was delivered, and its record says so before the stream ends.
    meterAndSettle(deps, exchange, outcome.usage, started);
    const last =
      state !== null
        ? await state.complete({ failure: outcome.failure, clientAborted: outcome.clientAborted, usage: outcome.usage })
        : outcome.failure === null
          ? ""
          : dialect.streamError(outcome.failure, request.id);
    if (last !== "" && !raw.destroyed) raw.write(last);
    if (outcome.clientAborted) request.errorCode = "client_closed_request";
    auditRequest(deps.records, request, outcome.clientAborted ? CLIENT_CLOSED_STATUS : 200, reply.elapsedTime);
    raw.end();
  });
}

function providerCall(exchange: Exchange, parsed: ParsedRequest, answers: AnswerWriter, cancellation: Cancellation): ProviderCall {
  const { request, dialect, model, sandbox, simulate } = exchange;
  return {
    simulate,
    requestId: request.id,
    model,
    client: {
      wire: dialect.wire,
      stream: parsed.stream,
      streamUsage: parsed.streamUsage,
      request: parsed.request,
      body: parsed.body,
      raw: parsed.rewritten ? null : request.rawBody,
      answers,
      headers: dialect.passthroughHeaders?.(request.headers),
    },
    cancellation,
    usageExtras: (usage: Usage) => costMembers(costMicros(model, usage, sandbox)),
  };
}
