import type { FastifyInstance } from "fastify";
import { embeddings } from "../../dialects/embeddings/index.js";
import { EMBEDDINGS_SCHEMA } from "../../openapi/schemas/embeddings.js";
import { embeddingRoute } from "../../pipeline/embedding-route.js";
import type { PipelineDeps } from "../../pipeline/model-route.js";

/** POST /v1/embeddings — OpenAI's Embeddings, for models of kind `embedding`. */
export function embeddingsRoute(app: FastifyInstance, deps: PipelineDeps): void {
  embeddingRoute(app, "/v1/embeddings", embeddings, deps, { schema: EMBEDDINGS_SCHEMA });
}
