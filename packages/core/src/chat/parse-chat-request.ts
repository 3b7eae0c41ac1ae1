import { BentooError } from "../errors.js";
import { invalid, isJsonObject, optionalBoolean, optionalInteger, requireBodyObject, type JsonObject } from "../validation.js";

/**
 * A validated Chat Completions request (OpenAI's shape). Only what Bentoo itself
 * relies on is checked; every other field passes through to the upstream.
 * https://platform.openai.com/docs/api-reference/chat/create
 */
export interface ChatRequest {
  model: string;
  stream: boolean;
  messages: readonly JsonObject[];
  /** max_completion_tokens, else max_tokens, when given. */
  maxOutputTokens: number | null;
  body: Readonly<JsonObject>;
}

const ROLES = new Set(["system", "developer", "user", "assistant", "tool", "function"]);

function parseMessages(value: unknown): JsonObject[] {
  if (value === undefined || value === null) throw invalid("messages", "messages is required: a non-empty list like [{\"role\":\"user\",\"content\":\"Hello\"}].");
  if (!Array.isArray(value) || value.length === 0) throw invalid("messages", "messages must be a non-empty list of message objects.");
  value.forEach((message: unknown, index) => {
    const param = `messages[${index}]`;
    if (!isJsonObject(message)) throw invalid(param, `${param} must be an object with a role and content.`);
    if (typeof message.role !== "string" || !ROLES.has(message.role)) {
      throw invalid(`${param}.role`, `${param}.role must be one of: ${[...ROLES].join(", ")}.`);
    }
    const content = message.content;
    const hasToolCalls = Array.isArray(message.tool_calls);
    if (content === undefined || content === null) {
      if (!(message.role === "assistant" && (hasToolCalls || content === null))) throw invalid(`${param}.content`, `${param}.content is required.`);
    } else if (typeof content !== "string" && !Array.isArray(content)) {
      throw invalid(`${param}.content`, `${param}.content must be a string or a list of content parts.`);
    }
  });
  return value as JsonObject[];
}

export function parseChatRequest(raw: unknown): ChatRequest {
  const body = requireBodyObject(raw);
  const model = body.model;
  if (model === undefined || model === null) throw invalid("model", "model is required: pick one from GET /v1/models, e.g. \"openai/gpt-4o-mini\".");
  if (typeof model !== "string" || model.trim() === "") throw invalid("model", "model must be a model id string from GET /v1/models.");
  const messages = parseMessages(body.messages);
  const stream = optionalBoolean(body, "stream") ?? false;
  const maxTokens = optionalInteger(body, "max_tokens", { min: 1 });
  const maxCompletionTokens = optionalInteger(body, "max_completion_tokens", { min: 1 });
  optionalInteger(body, "n", { min: 1, max: 128 });
  if (body.stream_options !== undefined && body.stream_options !== null && !isJsonObject(body.stream_options)) {
    throw invalid("stream_options", "stream_options must be an object, e.g. {\"include_usage\": true}.");
  }
  if (body.stream_options !== undefined && body.stream_options !== null && !stream) {
    throw invalid("stream_options", "stream_options is only allowed when stream is true.");
  }
  if (body.tools !== undefined && body.tools !== null && !Array.isArray(body.tools)) throw invalid("tools", "tools must be a list of tool definitions.");
  for (const field of ["temperature", "top_p", "presence_penalty", "frequency_penalty"] as const) {
    const value = body[field];
    if (value !== undefined && value !== null && (typeof value !== "number" || !Number.isFinite(value))) throw invalid(field, `${field} must be a number.`);
  }
  if (typeof model === "string" && model.length > 256) throw new BentooError("invalid_request", "model is too long.", { param: "model" });
  return { model, stream, messages, maxOutputTokens: maxCompletionTokens ?? maxTokens ?? null, body };
}
