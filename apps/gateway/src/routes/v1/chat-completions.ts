import type { OutgoingHttpHeaders, ServerResponse } from "node:http";
import { BentooError, parseChatRequest, type CatalogModel } from "@bentoo/core";
import { Cancellation, type ChatCall, type Usage } from "@bentoo/providers";
import type { FastifyInstance } from "fastify";
import { admit, setRateLimitHeaders } from "../../chat/admission.js";
import type { ChatDeps } from "../../chat/chat-deps.js";
import { estimateRequest } from "../../chat/estimate.js";
import { firstRoute, routeCompletion } from "../../chat/route-completion.js";
import { settleRequest } from "../../chat/settle.js";
import { costMicros, usageBody } from "../../chat/usage-cost.js";
import { newMeter, type RequestMeter } from "../../http/request-meter.js";
import { sseErrorEvent, withSseHeaders } from "../../http/sse.js";

const JSON_CONTENT_TYPE = "application/json; charset=utf-8";

/** The cancellation of the upstream call a response serves, for `abortIfCut`. */
const kCancellation = Symbol("bentoo.cancellation");

/** A response's "close" listener, one function for all of them: the upstream call stops when the client leaves early. */
function abortIfCut(this: ServerResponse & { [kCancellation]?: Cancellation }): void {
  if (!this.writableFinished) this[kCancellation]?.abort();
}

/** Meters the usage (what the audit record shows) and returns its cost. */
function meterUsage(meter: RequestMeter, model: CatalogModel, sandbox: boolean, usage: Usage | null): number {
  meter.usage = usage;
  return (meter.costMicros = usage === null ? 0 : costMicros(model, usage, sandbox));
}

/** A stream's usage event gains the cost, as a JSON answer's usage does. */
function streamUsageExtras(model: CatalogModel, sandbox: boolean): (usage: Usage) => Record<string, unknown> {
  return (usage) => {
    const { cost, cost_micros } = usageBody(usage, costMicros(model, usage, sandbox));
    return { cost, cost_micros };
  };
}

/**
 * POST /v1/chat/completions — OpenAI's Chat Completions, JSON or SSE.
 * validate → resolve model → estimate → rate limits + credit hold → provider
 * (fallback in order) → meter usage → settle; the audit hook records the outcome.
 * The path makes no closure per request but a stream's usage extras.
 */
export function chatCompletionsRoute(app: FastifyInstance, deps: ChatDeps): void {
  app.post("/v1/chat/completions", async (request, reply) => {
    const { key, account } = request.subject!;
    const chat = parseChatRequest(request.body);
    const model = deps.catalog.models.get(chat.model);
    if (model === undefined) {
      throw new BentooError("model_not_found", `The model "${chat.model}" does not exist on this server; GET /v1/models lists the models you can use.`, { param: "model" });
    }
    const meter = (request.meter = newMeter(model.id));
    const sandbox = key.mode === "test";
    const estimate = estimateRequest(chat, model);
    const admission = await admit(deps, reply, account, estimate, !sandbox);
    const context = { accountId: account.id, requestId: request.id };

    const cancellation = new Cancellation();
    const upstreamStarted = performance.now();
    // The upstream request leaves during this call; what its answer does not need is done while it works.
    const call: ChatCall = {
      requestId: request.id,
      model,
      route: firstRoute(model, sandbox),
      body: chat.body,
      rawBody: request.rawBody,
      stream: chat.stream,
      signal: cancellation,
      usageExtras: chat.stream ? streamUsageExtras(model, sandbox) : undefined,
    };
    const routing = routeCompletion(deps.providers, call, sandbox, meter);
    if (admission.rateLimits !== null) setRateLimitHeaders(reply, admission.rateLimits);
    const raw = reply.raw as ServerResponse & { [kCancellation]?: Cancellation };
    raw[kCancellation] = cancellation;
    raw.on("close", abortIfCut);
    let result;
    try {
      result = await routing;
    } catch (error) {
      settleRequest(deps, context, admission, null, meterUsage(meter, model, sandbox, null));
      throw error;
    }
    if (result.kind === "json") {
      meter.upstreamMs = performance.now() - upstreamStarted;
      // The upstream's bytes, but for `model` and `usage` (with the cost): the answer is not re-serialised.
      // It is on its way before the settlement, which the client does not wait for.
      const cost = meterUsage(meter, model, sandbox, result.usage);
      reply.type(JSON_CONTENT_TYPE).send(result.render(usageBody(result.usage, cost)));
      settleRequest(deps, context, admission, result.usage, cost);
      return reply;
    }
    reply.hijack();
    // getHeaders() is a fresh copy of the reply's headers, so the SSE ones are set on it in place.
    raw.writeHead(200, withSseHeaders(reply.getHeaders() as OutgoingHttpHeaders));
    const outcome = await result.pipeTo(raw);
    if (outcome.failure !== null) {
      request.errorCode = outcome.failure.code;
      if (!raw.destroyed) raw.write(sseErrorEvent(outcome.failure));
    }
    // The end leaves with the stream's last bytes, which pipeTo held back for it: one write, not two.
    // The audit and metrics hooks run on the response's "finish", which Node emits after this
    // synchronous block, so the metering below is in time for them.
    raw.end();
    meter.upstreamMs = performance.now() - upstreamStarted;
    // A cut or aborted stream is billed for what was delivered (estimated when the upstream sent no usage).
    settleRequest(deps, context, admission, outcome.usage, meterUsage(meter, model, sandbox, outcome.usage));
  });
}
