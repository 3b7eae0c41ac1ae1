import type { BentooError, EmbeddingWriter } from "@bentoo/core";
import type { ClientApi } from "../dialect.js";
import { type ParsedEmbeddingRequest, parseEmbeddingRequest } from "./parse-request.js";
import { writeEmbeddings } from "./write-answer.js";

/** A client API that serves embedding models: how its requests are parsed and its answers written. */
export interface EmbeddingsApi extends ClientApi {
  readonly modelKind: "embedding";
  parse(body: unknown): ParsedEmbeddingRequest;
  readonly answers: EmbeddingWriter;
}

/**
 * OpenAI's Embeddings API (`POST /v1/embeddings`): a JSON answer only, errors
 * in OpenAI's envelope.
 */
export const embeddings: EmbeddingsApi = {
  modelKind: "embedding",
  parse: parseEmbeddingRequest,
  answers: { json: writeEmbeddings },
  errorBody: (error: BentooError) => error.toEnvelope(),
};
