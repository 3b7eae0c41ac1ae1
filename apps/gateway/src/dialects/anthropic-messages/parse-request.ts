import { invalid, type JsonObject, type ModelRequest, optionalBoolean, requireBodyObject } from "@bentoo/core";
import type { ParsedRequest } from "../dialect.js";
import { toModelRequest } from "./to-model-request.js";

/**
 * Checks a request of Anthropic's Messages API (`POST /v1/messages`) and maps it
 * to Bentoo's own terms. `max_tokens` is required, as Anthropic requires it.
 * What Bentoo does not read passes as it is to a provider that speaks the same
 * API (the body is forwarded, not rebuilt).
 * https://docs.anthropic.com/en/api/messages
 */

function checkModel(body: JsonObject): string {
  const model = body.model;
  if (model === undefined || model === null) throw invalid("model", 'model is required: pick one from GET /v1/models, e.g. "anthropic/claude-sonnet-5.5".');
  if (typeof model !== "string" || model.trim() === "") throw invalid("model", "model must be a model id string from GET /v1/models.");
  if (model.length > 256) throw invalid("model", "model is too long.");
  return model;
}

function checkMaxTokens(body: JsonObject): number {
  const value = body.max_tokens;
  if (value === undefined || value === null) {
    throw invalid("max_tokens", 'max_tokens is required: the most tokens the answer may take, e.g. "max_tokens": 1024.');
  }
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 1) throw invalid("max_tokens", "max_tokens must be an integer of at least 1.");
  return value;
}

export function parseMessagesRequest(raw: unknown): ParsedRequest {
  const body = requireBodyObject(raw);
  const model = checkModel(body);
  const maxTokens = checkMaxTokens(body);
  const stream = optionalBoolean(body, "stream") ?? false;
  const request = toModelRequest(body, maxTokens, stream);
  return { model, stream, streamUsage: stream, request, body, rewritten: false };
}

/** A token count's request (`POST /v1/messages/count_tokens`): a Messages request without `max_tokens` or `stream`. */
export interface CountTokensRequest {
  model: string;
  request: ModelRequest;
  body: JsonObject;
}

/** https://docs.anthropic.com/en/api/messages-count-tokens */
export function parseCountTokensRequest(raw: unknown): CountTokensRequest {
  const body = requireBodyObject(raw);
  const model = checkModel(body);
  return { model, request: toModelRequest(body, null, false), body };
}
