import type { OutgoingHttpHeaders } from "node:http";
import type { AnswerWriter, Catalog, CatalogModel, Usage } from "@bentoo/core";
import type { Answer, Cancellation, ProviderCall, ProviderRegistry } from "@bentoo/providers";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { type AuditSink, auditRequest, CLIENT_CLOSED_STATUS } from "../audit/request-record.js";
import type { ClientApi, Dialect, ParsedRequest } from "../dialects/dialect.js";
import { SSE_HEADERS } from "../http/sse.js";
import { type AdmissionDeps, type AdmittedRequest, admit, setRateLimitHeaders } from "./admit.js";
import { ClientDisconnect } from "./client-disconnect.js";
import { costMembers, costMicros } from "./cost.js";
import { estimateRequest } from "./estimate.js";
import { requireModelAllowed } from "./model-allowed.js";
import { newMeter, type RequestMeter } from "./request-meter.js";
import { resolveModel } from "./resolve-model.js";
import { routeCall } from "./route.js";
import { meterAndSettle } from "./settle.js";
import { requestedSimulation, simulatedRefusal } from "./simulate.js";

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
interface Exchange {
  request: FastifyRequest;
  dialect: Dialect;
  model: CatalogModel;
  sandbox: boolean;
  meter: RequestMeter;
  admission: AdmittedRequest;
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
 */
export function modelRoute(app: FastifyInstance, path: string, dialect: Dialect, deps: PipelineDeps): void {
  app.post(path, { config: { dialect, scope: "inference" } }, async (request, reply) => {
    const subject = request.subject!;
    const { key, account } = subject;
    // Read while the connection is open: the socket keeps its peer's address, so the record of a client that leaves has it.
    void request.socket.remoteAddress;
    const received = dialect.parse(request.body);
    const model = resolveModel(deps.catalog, received.model, dialect.modelKind);
    const meter = newMeter(model.id);
    request.meter = meter;
    // After the meter: the refusal's audit record names the model asked for.
    requireModelAllowed(key, model);
    const state = dialect.open === undefined ? null : await dialect.open(received, { accountId: account.id, requestId: request.id, model });
    const parsed = state?.parsed ?? received;
    const sandbox = key.mode === "test";
    const simulate = requestedSimulation(request, sandbox);
    const estimate = estimateRequest(parsed.request, model, dialect.parameterNames);
    const refusal = simulate === null ? null : simulatedRefusal(simulate, reply, account, deps.plans);
    if (refusal !== null) throw refusal;
    const admission = await admit(deps, reply, subject, estimate, !sandbox);
    if (admission.rateLimits !== null) setRateLimitHeaders(reply, admission.rateLimits, admission.keyRateLimits);
    const exchange: Exchange = { request, dialect, model, sandbox, meter, admission };
    const raw = reply.raw;
    const started = performance.now();
    let answer: Answer;
    try {
      const call = providerCall(exchange, parsed, state?.answers ?? dialect.answers, new ClientDisconnect(raw));
      call.simulate = simulate;
      answer = await routeCall(deps.providers, deps.catalog.providers, call, sandbox, meter);
    } catch (error) {
      finish(deps, exchange, null, started);
      throw error;
    }
    if (answer.kind === "json") {
      finish(deps, exchange, answer.usage, started);
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
    finish(deps, exchange, outcome.usage, started);
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
  const { request, dialect, model, sandbox } = exchange;
  return {
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

/** Meters the usage (what the audit record and the metrics read) and settles the admission with its cost. */
function finish(deps: PipelineDeps, exchange: Exchange, usage: Usage | null, started: number): void {
  meterAndSettle(deps, exchange, usage, started);
}
