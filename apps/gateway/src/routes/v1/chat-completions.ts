import { BentooError, parseChatRequest } from "@bentoo/core";
import type { OutgoingHttpHeaders } from "node:http";
import type { FastifyInstance } from "fastify";
import { costMicros, usageBody } from "../../chat/usage-cost.js";
import { routeCompletion } from "../../chat/route-completion.js";
import { SSE_HEADERS, sseErrorEvent } from "../../http/sse.js";
import type { Services } from "../../services.js";

/** POST /v1/chat/completions — OpenAI's Chat Completions, JSON or SSE. */
export function chatCompletionsRoute(app: FastifyInstance, services: Services): void {
  app.post("/v1/chat/completions", async (request, reply) => {
    const subject = request.subject!;
    const chat = parseChatRequest(request.body);
    const model = services.catalog.models.get(chat.model);
    if (model === undefined) {
      throw new BentooError("model_not_found", `The model "${chat.model}" does not exist on this server; GET /v1/models lists the models you can use.`, { param: "model" });
    }
    const controller = new AbortController();
    reply.raw.on("close", () => {
      if (!reply.raw.writableFinished) controller.abort();
    });
    const sandbox = subject.key.mode === "test";
    const { result } = await routeCompletion(
      services.providers,
      model,
      { requestId: request.id, model, body: chat.body, stream: chat.stream, signal: controller.signal },
      sandbox,
    );
    if (result.kind === "json") {
      result.body.usage = usageBody(result.usage, costMicros(model, result.usage, sandbox));
      return result.body;
    }
    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, { ...(reply.getHeaders() as OutgoingHttpHeaders), ...SSE_HEADERS });
    const outcome = await result.pipeTo(raw);
    if (outcome.failure !== null && !raw.destroyed) raw.write(sseErrorEvent(outcome.failure));
    raw.end();
  });
}
