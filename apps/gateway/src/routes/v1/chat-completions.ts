import type { OutgoingHttpHeaders } from "node:http";
import { BentooError, parseChatRequest } from "@bentoo/core";
import { Cancellation, type Usage } from "@bentoo/providers";
import type { FastifyInstance } from "fastify";
import { admit, setRateLimitHeaders } from "../../chat/admission.js";
import type { ChatDeps } from "../../chat/chat-deps.js";
import { estimateRequest } from "../../chat/estimate.js";
import { routeCompletion } from "../../chat/route-completion.js";
import { settleRequest } from "../../chat/settle.js";
import { costMicros, usageBody } from "../../chat/usage-cost.js";
import { newMeter } from "../../http/request-meter.js";
import { SSE_HEADERS, sseErrorEvent } from "../../http/sse.js";

const JSON_CONTENT_TYPE = "application/json; charset=utf-8";

/**
 * POST /v1/chat/completions — OpenAI's Chat Completions, JSON or SSE.
 * validate → resolve model → estimate → rate limits + credit hold → provider
 * (fallback in order) → meter usage → settle; the audit hook records the outcome.
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
    const admitted = admit(deps, reply, account, estimate, !sandbox);
    const admission = admitted instanceof Promise ? await admitted : admitted;
    const context = { accountId: account.id, requestId: request.id };
    /** Meters the usage (what the audit record shows) and returns its cost. */
    const meterUsage = (usage: Usage | null): number => {
      meter.usage = usage;
      return (meter.costMicros = usage === null ? 0 : costMicros(model, usage, sandbox));
    };
    /** Meters the usage, then settles the credit hold and the token reservation. */
    const finish = (usage: Usage | null): void => settleRequest(deps, context, admission, usage, meterUsage(usage));

    const cancellation = new Cancellation();
    const upstreamStarted = performance.now();
    const usageExtras = (usage: Usage) => {
      const { cost, cost_micros } = usageBody(usage, costMicros(model, usage, sandbox));
      return { cost, cost_micros };
    };
    // The upstream request leaves during this call; what its answer does not need is done while it works.
    const routing = routeCompletion(deps.providers, model, { requestId: request.id, model, body: chat.body, rawBody: request.rawBody, stream: chat.stream, signal: cancellation, usageExtras }, sandbox, (providerId) => {
      meter.provider = providerId;
    });
    if (admission.rateLimits !== null) setRateLimitHeaders(reply, admission.rateLimits);
    reply.raw.on("close", () => {
      if (!reply.raw.writableFinished) cancellation.abort();
    });
    let routed;
    try {
      routed = await routing;
    } catch (error) {
      finish(null);
      throw error;
    }
    meter.provider = routed.providerId;
    const { result } = routed;
    if (result.kind === "json") {
      meter.upstreamMs = performance.now() - upstreamStarted;
      // The upstream's bytes, but for `model` and `usage` (with the cost): the answer is not re-serialised.
      // It is on its way before the settlement, which the client does not wait for.
      const cost = meterUsage(result.usage);
      reply.type(JSON_CONTENT_TYPE).send(result.render(usageBody(result.usage, cost)));
      settleRequest(deps, context, admission, result.usage, cost);
      return reply;
    }
    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, { ...(reply.getHeaders() as OutgoingHttpHeaders), ...SSE_HEADERS });
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
    finish(outcome.usage);
  });
}
