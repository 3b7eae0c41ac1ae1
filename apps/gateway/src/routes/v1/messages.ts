import type { FastifyInstance } from "fastify";
import { anthropicMessages } from "../../dialects/anthropic-messages/index.js";
import { CREATE_MESSAGE_SCHEMA } from "../../openapi/schemas/messages.js";
import { modelRoute, type PipelineDeps } from "../../pipeline/model-route.js";
import { countTokensRoute } from "./messages-count-tokens.js";

/**
 * POST /v1/messages — Anthropic's Messages API, JSON or Anthropic's event
 * stream; POST /v1/messages/count_tokens — its token count. Errors on both are
 * in Anthropic's shape.
 */
export function messagesRoutes(app: FastifyInstance, deps: PipelineDeps): void {
  modelRoute(app, "/v1/messages", anthropicMessages, deps, { schema: CREATE_MESSAGE_SCHEMA });
  countTokensRoute(app, deps);
}
