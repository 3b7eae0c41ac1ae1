import { BentooError, type CatalogModel, type ModelRequest, tokenCostMicros } from "@bentoo/core";
import { countRequestTokens } from "@bentoo/providers";

/**
 * The output reservation when neither the request nor the catalog
 * (max_output_tokens) bounds it.
 */
export const DEFAULT_OUTPUT_RESERVATION = 4096;

export interface RequestEstimate {
  promptTokens: number;
  /** Most tokens one answer may generate. */
  maxOutputTokens: number;
  /** Answers asked for (OpenAI's `n`): each may generate up to maxOutputTokens. */
  choices: number;
  /** Reserved against the tokens-per-minute limit: the prompt plus every answer's maximum output. */
  tokens: number;
  /** Held against the balance before forwarding: the most this request can cost. */
  maxCostMicros: number;
}

/**
 * The upper bound of a request, from Bentoo's own terms whatever the client
 * API: the prompt counted with the tokenizer, each answer's output bounded by the
 * request, else the catalog, else DEFAULT_OUTPUT_RESERVATION, within the context.
 */
export function estimateRequest(request: ModelRequest, model: CatalogModel): RequestEstimate {
  const promptTokens = countRequestTokens(request);
  const room = model.contextLength - promptTokens;
  if (room <= 0) {
    throw new BentooError(
      "context_length_exceeded",
      `The prompt is about ${promptTokens} tokens, which does not fit ${model.id}'s context of ${model.contextLength} tokens; shorten the messages.`,
      { param: "messages" },
    );
  }
  let maxOutputTokens: number;
  if (request.maxOutputTokens !== null) {
    if (request.maxOutputTokens > room) {
      throw new BentooError(
        "context_length_exceeded",
        `The prompt (about ${promptTokens} tokens) plus max_tokens (${request.maxOutputTokens}) exceeds ${model.id}'s context of ${model.contextLength} tokens; lower max_tokens to at most ${room}.`,
        { param: "max_tokens" },
      );
    }
    maxOutputTokens = request.maxOutputTokens;
  } else {
    maxOutputTokens = Math.min(model.maxOutputTokens ?? DEFAULT_OUTPUT_RESERVATION, room);
  }
  const choices = request.choices;
  return {
    promptTokens,
    maxOutputTokens,
    choices,
    tokens: promptTokens + maxOutputTokens * choices,
    maxCostMicros: tokenCostMicros(promptTokens, model.inputMicrosPerMtok) + tokenCostMicros(maxOutputTokens * choices, model.outputMicrosPerMtok),
  };
}
