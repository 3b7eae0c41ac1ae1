import { BentooError, type CatalogModel, type ModelRequest, tokenCostMicros } from "@bentoo/core";
import { countPromptTokens } from "@bentoo/providers";

/**
 * The output reservation when neither the request nor the catalog
 * (max_output_tokens) bounds it.
 */
export const DEFAULT_OUTPUT_RESERVATION = 4096;

/** Chat Completions' names for the prompt and the output limit, which the errors below name unless a dialect has others. */
const CHAT_NAMES = { prompt: "messages", maxOutputTokens: "max_tokens" };

export interface RequestEstimate {
  /** The prompt's upper bound: its text counted, its images, files and audio bounded, within what the context leaves beside the output. */
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
 * API: the prompt's text counted with the tokenizer, each answer's output bounded
 * by the request, else the catalog, else DEFAULT_OUTPUT_RESERVATION, within the
 * context; images, files and audio at their bound, up to what the context leaves
 * once the output is reserved (the upstream refuses a prompt that does not fit).
 * Only the text decides whether the request fits: the media bounds are too
 * coarse to refuse a request on.
 */
export function estimateRequest(request: ModelRequest, model: CatalogModel, names: { prompt: string; maxOutputTokens: string } = CHAT_NAMES): RequestEstimate {
  const prompt = countPromptTokens(request);
  const textTokens = prompt.text;
  const room = model.contextLength - textTokens;
  if (room <= 0) {
    throw new BentooError(
      "context_length_exceeded",
      `The prompt is about ${textTokens} tokens, which does not fit ${model.id}'s context of ${model.contextLength} tokens; shorten the ${names.prompt}.`,
      { param: names.prompt },
    );
  }
  let maxOutputTokens: number;
  if (request.maxOutputTokens !== null) {
    if (request.maxOutputTokens > room) {
      throw new BentooError(
        "context_length_exceeded",
        `The prompt (about ${textTokens} tokens) plus ${names.maxOutputTokens} (${request.maxOutputTokens}) exceeds ${model.id}'s context of ${model.contextLength} tokens; lower ${names.maxOutputTokens} to at most ${room}.`,
        { param: names.maxOutputTokens },
      );
    }
    maxOutputTokens = request.maxOutputTokens;
  } else {
    maxOutputTokens = Math.min(model.maxOutputTokens ?? DEFAULT_OUTPUT_RESERVATION, room);
  }
  const choices = request.choices;
  const promptTokens = textTokens + Math.min(prompt.media, model.contextLength - textTokens - maxOutputTokens);
  return {
    promptTokens,
    maxOutputTokens,
    choices,
    tokens: promptTokens + maxOutputTokens * choices,
    // The prompt at the dearest input price: every token of it may be written to the provider's cache.
    maxCostMicros:
      tokenCostMicros(promptTokens, Math.max(model.inputMicrosPerMtok, model.cacheWriteMicrosPerMtok ?? 0)) +
      tokenCostMicros(maxOutputTokens * choices, model.outputMicrosPerMtok),
  };
}
