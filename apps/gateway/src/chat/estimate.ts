import { BentooError, tokenCostMicros, type CatalogModel, type ChatRequest } from "@bentoo/core";
import { countPromptTokens } from "@bentoo/providers";

/**
 * The output reservation when neither the request (max_tokens /
 * max_completion_tokens) nor the catalog (max_output_tokens) bounds it.
 */
export const DEFAULT_OUTPUT_RESERVATION = 4096;

export interface RequestEstimate {
  promptTokens: number;
  maxOutputTokens: number;
  /** Reserved against the tokens-per-minute limit: prompt + maximum output. */
  tokens: number;
  /** Held against the balance before forwarding: the most this request can cost. */
  maxCostMicros: number;
}

/** Counts the prompt with the tokenizer and bounds the output, before anything is reserved. */
export function estimateRequest(chat: ChatRequest, model: CatalogModel): RequestEstimate {
  const promptTokens = countPromptTokens(chat.messages, chat.body.tools);
  const room = model.contextLength - promptTokens;
  if (room <= 0) {
    throw new BentooError("context_length_exceeded", `The prompt is about ${promptTokens} tokens, which does not fit ${model.id}'s context of ${model.contextLength} tokens; shorten the messages.`, { param: "messages" });
  }
  let maxOutputTokens: number;
  if (chat.maxOutputTokens !== null) {
    if (chat.maxOutputTokens > room) {
      throw new BentooError("context_length_exceeded", `The prompt (about ${promptTokens} tokens) plus max_tokens (${chat.maxOutputTokens}) exceeds ${model.id}'s context of ${model.contextLength} tokens; lower max_tokens to at most ${room}.`, { param: "max_tokens" });
    }
    maxOutputTokens = chat.maxOutputTokens;
  } else {
    maxOutputTokens = Math.min(model.maxOutputTokens ?? DEFAULT_OUTPUT_RESERVATION, room);
  }
  return {
    promptTokens,
    maxOutputTokens,
    tokens: promptTokens + maxOutputTokens,
    maxCostMicros: tokenCostMicros(promptTokens, model.inputMicrosPerMtok) + tokenCostMicros(maxOutputTokens, model.outputMicrosPerMtok),
  };
}
