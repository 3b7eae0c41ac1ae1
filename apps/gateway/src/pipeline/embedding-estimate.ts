import { BentooError, type CatalogModel, type EmbeddingRequest, invalid, tokenCostMicros } from "@bentoo/core";
import { countEmbeddingInputs } from "@bentoo/providers";
import type { RequestEstimate } from "./estimate.js";

/**
 * Checks `dimensions` against the model's vector sizes (catalog `dimensions`,
 * `min_dimensions`), so that test and live keys refuse the same requests: a
 * model that cannot shorten its vectors takes no `dimensions`; one that can,
 * a length from its least to its own.
 */
export function checkDimensions(request: EmbeddingRequest, model: CatalogModel): void {
  const asked = request.dimensions;
  const sizes = model.dimensions;
  if (asked === null || sizes === null) return;
  if (sizes.min === null) {
    throw invalid("dimensions", `${model.id} returns vectors of ${sizes.default} dimensions and cannot shorten them; leave dimensions out.`);
  }
  if (asked < sizes.min || asked > sizes.default) {
    throw invalid("dimensions", `dimensions must be from ${sizes.min} to ${sizes.default} for ${model.id}.`);
  }
}

/**
 * The upper bound of an embeddings request: its inputs' tokens (token ids
 * counted, texts counted with the tokenizer, see countEmbeddingInputs), held at
 * the model's input price and reserved against the tokens-per-minute limit; no
 * output. An input counted exactly that does not fit the model's context is
 * refused, naming it (an estimated one is left to the provider to judge).
 */
export function estimateEmbedding(request: EmbeddingRequest, model: CatalogModel): RequestEstimate {
  checkDimensions(request, model);
  const counts = countEmbeddingInputs(request.inputs);
  let promptTokens = 0;
  counts.forEach((count, index) => {
    if (count.exact && count.tokens > model.contextLength) {
      const which = request.inputs.length === 1 ? "input" : `input[${index}]`;
      throw new BentooError(
        "context_length_exceeded",
        `${which} is ${count.tokens} tokens, more than ${model.id} embeds at once (${model.contextLength} tokens); split it into shorter inputs.`,
        { param: "input" },
      );
    }
    promptTokens += count.tokens;
  });
  return {
    promptTokens,
    maxOutputTokens: 0,
    choices: 1,
    tokens: promptTokens,
    maxCostMicros: tokenCostMicros(promptTokens, model.inputMicrosPerMtok),
  };
}
