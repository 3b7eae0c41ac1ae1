import type { FastifyInstance } from "fastify";
import { chatCompletions } from "../../dialects/chat-completions/index.js";
import { CHAT_COMPLETIONS_SCHEMA } from "../../openapi/schemas/chat-completions.js";
import { modelRoute, type PipelineDeps } from "../../pipeline/model-route.js";

/** POST /v1/chat/completions — OpenAI's Chat Completions, JSON or SSE. */
export function chatCompletionsRoute(app: FastifyInstance, deps: PipelineDeps): void {
  modelRoute(app, "/v1/chat/completions", chatCompletions, deps, { schema: CHAT_COMPLETIONS_SCHEMA });
}
