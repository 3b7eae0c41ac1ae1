import { BentooError, invalid, isJsonObject, type JsonObject, optionalBoolean, optionalInteger, requireBodyObject } from "@bentoo/core";
import type { ParsedRequest } from "../dialect.js";
import { toModelRequest } from "./to-model-request.js";

/**
 * Checks a Chat Completions request (OpenAI's shape) and maps it to Bentoo's own
 * terms. Only what Bentoo itself relies on is checked; every other field passes
 * through to a provider that speaks the same API.
 * https://platform.openai.com/docs/api-reference/chat/create
 */
const ROLES = new Set(["system", "developer", "user", "assistant", "tool", "function"]);
const NUMBERS = ["temperature", "top_p", "presence_penalty", "frequency_penalty"] as const;
/** OpenAI's bound on `n`. */
const MAX_CHOICES = 128;
/** OpenAI's bound on `top_logprobs`. */
const MAX_TOP_LOGPROBS = 20;

function checkMessages(value: unknown): JsonObject[] {
  if (value === undefined || value === null) throw invalid("messages", 'messages is required: a non-empty list like [{"role":"user","content":"Hello"}].');
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

/** The `model` member: a catalog id (OpenAI's APIs all name it so). */
export function checkModel(body: JsonObject): string {
  const model = body.model;
  if (model === undefined || model === null) throw invalid("model", 'model is required: pick one from GET /v1/models, e.g. "openai/gpt-6-luna".');
  if (typeof model !== "string" || model.trim() === "") throw invalid("model", "model must be a model id string from GET /v1/models.");
  if (model.length > 256) throw new BentooError("invalid_request", "model is too long.", { param: "model" });
  return model;
}

/** Whether the stream should carry a usage chunk: `stream_options.include_usage`, checked. */
function checkStreamOptions(body: JsonObject, stream: boolean): boolean {
  const options = body.stream_options;
  if (options === undefined || options === null) return false;
  if (!isJsonObject(options)) throw invalid("stream_options", 'stream_options must be an object, e.g. {"include_usage": true}.');
  if (!stream) throw invalid("stream_options", "stream_options is only allowed when stream is true.");
  return optionalBoolean(options, "include_usage") ?? false;
}

/** `logprobs` and `top_logprobs`, checked as OpenAI does: null when not asked, else how many alternatives per token. */
function checkLogprobs(body: JsonObject): { top: number } | null {
  const asked = optionalBoolean(body, "logprobs") ?? false;
  const top = optionalInteger(body, "top_logprobs", { min: 0, max: MAX_TOP_LOGPROBS });
  if (top !== undefined && !asked) throw invalid("top_logprobs", "top_logprobs needs logprobs set to true.");
  return asked ? { top: top ?? 0 } : null;
}

function withoutMember(body: JsonObject, name: string): JsonObject {
  const { [name]: _dropped, ...rest } = body;
  return rest;
}

export function parseChatCompletionsRequest(raw: unknown): ParsedRequest {
  const body = requireBodyObject(raw);
  const model = checkModel(body);
  const messages = checkMessages(body.messages);
  const stream = optionalBoolean(body, "stream") ?? false;
  const maxTokens = optionalInteger(body, "max_tokens", { min: 1 });
  const maxCompletionTokens = optionalInteger(body, "max_completion_tokens", { min: 1 });
  const choices = optionalInteger(body, "n", { min: 1, max: MAX_CHOICES }) ?? 1;
  const streamUsage = checkStreamOptions(body, stream);
  const logprobs = checkLogprobs(body);
  if (body.tools !== undefined && body.tools !== null && !Array.isArray(body.tools)) throw invalid("tools", "tools must be a list of tool definitions.");
  for (const field of NUMBERS) {
    const value = body[field];
    if (value !== undefined && value !== null && (typeof value !== "number" || !Number.isFinite(value))) throw invalid(field, `${field} must be a number.`);
  }
  // One limit goes upstream, the one the hold is taken for. With both, the
  // client meant max_completion_tokens (OpenAI's current name; max_tokens is its
  // deprecated alias), and max_tokens is dropped from the forwarded body.
  const both = maxCompletionTokens !== undefined && maxTokens !== undefined;
  const forwarded = both ? withoutMember(body, "max_tokens") : body;
  const maxOutputTokens = maxCompletionTokens ?? maxTokens ?? null;
  const request = toModelRequest(forwarded, messages, { stream, choices, maxOutputTokens, logprobs });
  return { model, stream, streamUsage, request, body: forwarded, rewritten: both };
}
