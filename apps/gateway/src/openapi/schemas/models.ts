import type { ModelJson, ModelListJson } from "@bentoo/api-types";
import { type Static, Type } from "@sinclair/typebox";
import { API_KEY_SECURITY, type Exactly, errorResponses, jsonResponse, Nullable, REQUEST_ID_HEADER, sameShape } from "../shared.js";
import type { RouteSchema } from "../validation.js";

export const Model = Type.Object(
  {
    id: Type.String({ description: "`vendor/name`, e.g. `openai/gpt-6-luna`: what requests name in `model`." }),
    object: Type.Literal("model"),
    created: Type.Integer({ description: "Unix seconds." }),
    owned_by: Type.String({ description: "The model's vendor." }),
    kind: Type.Union([Type.Literal("chat"), Type.Literal("embedding")], {
      description: "`chat` models answer the chat surfaces (Chat Completions, Responses, Messages); `embedding` models answer /v1/embeddings.",
    }),
    context_length: Type.Integer({ description: "Tokens of context; for an embedding model, the most one input may hold." }),
    max_output_tokens: Nullable(Type.Integer(), { description: "The most tokens one answer may hold; null for embedding models." }),
    pricing: Type.Object(
      {
        currency: Type.Literal("USD"),
        input_per_mtok: Type.Number({ description: "USD per million input tokens." }),
        output_per_mtok: Type.Number({ description: "USD per million output tokens; 0 for embedding models." }),
        cache_read_per_mtok: Type.Optional(Type.Number({ description: "USD per million prompt tokens read from the provider's cache." })),
        cache_write_per_mtok: Type.Optional(Type.Number({ description: "USD per million prompt tokens written to the provider's cache." })),
      },
      { description: "List prices. Charges are computed per token class in integer micro-dollars." },
    ),
    dimensions: Nullable(Type.Integer(), { description: "An embedding model's vector length by default; null for chat models." }),
    min_dimensions: Nullable(Type.Integer(), { description: "The least `dimensions` an embedding model can shorten its vectors to; null when it cannot." }),
    providers: Type.Array(Type.String(), { description: "The providers serving it, in fallback order." }),
    available: Type.Boolean({ description: "Whether a live key can use it on this server now (a provider has credentials). Test keys can use every model." }),
  },
  { title: "Model" },
);

export const ModelList = Type.Object({ object: Type.Literal("list"), data: Type.Array(Model) }, { title: "ModelList" });

sameShape<Exactly<Static<typeof Model>, ModelJson>>();
sameShape<Exactly<Static<typeof ModelList>, ModelListJson>>();

export const LIST_MODELS_SCHEMA: RouteSchema = {
  summary: "List models",
  description: "The catalog with prices and context lengths. A key limited to some models sees only those.",
  tags: ["Models"],
  operationId: "listModels",
  security: API_KEY_SECURITY,
  response: { 200: jsonResponse(ModelList, "The models this key may use.", REQUEST_ID_HEADER), ...errorResponses([]) },
};

export const GET_MODEL_SCHEMA: RouteSchema = {
  summary: "Get a model",
  description: "One model of the catalog by id. Model ids hold a slash (`openai/gpt-6-luna`); send it as is.",
  tags: ["Models"],
  operationId: "getModel",
  security: API_KEY_SECURITY,
  response: { 200: jsonResponse(Model, "The model.", REQUEST_ID_HEADER), ...errorResponses(["model_not_found", "model_not_allowed"]) },
};
