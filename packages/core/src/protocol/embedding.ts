import type { Usage } from "./usage.js";

/**
 * An embeddings request in Bentoo's own terms: what the Embeddings API's
 * dialect parses, what estimates count, and what a provider that does not speak
 * OpenAI's Embeddings API translates from.
 * https://platform.openai.com/docs/api-reference/embeddings/create
 */
export type EmbeddingInput = { kind: "text"; text: string } | { kind: "tokens"; tokens: readonly number[] };

export interface EmbeddingRequest {
  /** In order; the answer's vectors follow it. */
  inputs: EmbeddingInput[];
  /** The vector length asked for (the model shortens its vectors); null: the model's own. */
  dimensions: number | null;
  /** How the client wants the vectors: JSON numbers, or little-endian float32 bytes in base64. */
  encoding: "float" | "base64";
  /** End-user id for the provider's abuse monitoring. */
  user?: string;
}

/** An embeddings answer in Bentoo's own terms (a translated provider's or the sandbox's). */
export interface EmbeddingResponse {
  /** One vector per input, in the request's order. */
  vectors: ReadonlyArray<ArrayLike<number>>;
  usage: Usage;
}

/** What an embeddings writer needs to know about the answer it writes. */
export interface EmbeddingAnswerContext {
  /** The catalog id the answer names as its model. */
  model: string;
  /** How the client asked for the vectors. */
  encoding: EmbeddingRequest["encoding"];
  /** Bentoo's members of the usage object the client sees (the cost). */
  usageExtras(usage: Usage): Record<string, unknown>;
}

/** Writes an embeddings answer made in Bentoo's own terms in the client's API. */
export interface EmbeddingWriter {
  json(response: EmbeddingResponse, context: EmbeddingAnswerContext): string;
}
