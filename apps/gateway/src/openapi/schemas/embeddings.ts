import { Type } from "@sinclair/typebox";
import { MAX_INPUTS } from "../../dialects/embeddings/parse-request.js";
import { API_KEY_SECURITY, errorResponses, jsonResponse, RATE_LIMIT_HEADERS, REQUEST_ID_HEADER } from "../shared.js";
import type { RouteSchema } from "../validation.js";
import { OrNull, StringEnum } from "./compact.js";
import { MODEL_ROUTE_ERRORS, SimulateHeader } from "./model-route.js";

/**
 * `POST /v1/embeddings`: OpenAI's Embeddings request and its list of vectors
 * (dialects/embeddings/). The body is open: other members pass through to a
 * provider that speaks the same API. `input` is checked here for its types
 * only: its entries' own rules (none empty, token ids from 0, one kind of
 * entry per list, at most MAX_INPUTS) are the dialect's, whose messages name
 * the entry at fault.
 * https://platform.openai.com/docs/api-reference/embeddings/create
 */

const INPUT_FORMS = 'Send a string, a list of strings, a list of token ids, or a list of lists of token ids, e.g. "input": ["first text", "second text"].';

export const EmbeddingRequest = Type.Object(
  {
    model: Type.String({
      minLength: 1,
      maxLength: 256,
      description: "An embedding model's id from GET /v1/models, e.g. `openai/text-embedding-3-small`.",
      "x-error-hint": 'Pick an embedding model from GET /v1/models, e.g. "openai/text-embedding-3-small".',
    }),
    input: Type.Unsafe<string | Array<string | number | number[]>>({
      type: ["string", "array"],
      items: {
        type: ["string", "integer", "array"],
        items: { type: "integer" },
        "x-error-hint": "Each entry is a text, a token id, or a list of token ids.",
      },
      description: `What to embed: a text, a list of texts, one input as a list of token ids, or a list of such lists; a vector for each input, in order. At most ${MAX_INPUTS} inputs, none empty; each must fit the model's context. Token ids cannot be sent to Gemini models.`,
      "x-error-hint": INPUT_FORMS,
    }),
    encoding_format: Type.Optional(
      OrNull(StringEnum(["float", "base64"]), {
        description: "`float` (the default): each vector a list of numbers; `base64`: its little-endian float32 bytes in base64.",
        "x-error-hint": "Accepted: float, base64 (float32 bytes, what OpenAI's SDKs ask for).",
      }),
    ),
    dimensions: Type.Optional(
      OrNull(Type.Integer({ minimum: 1 }), {
        description: "Shorter vectors, for models that can shorten theirs: from the model's `min_dimensions` to its `dimensions` (GET /v1/models).",
      }),
    ),
    user: Type.Optional(OrNull(Type.String({ minLength: 1, maxLength: 256 }), { description: "Your id for the end user, passed to providers that take one." })),
  },
  { title: "EmbeddingRequest", description: "OpenAI's Embeddings request." },
);

export const EmbeddingList = Type.Object(
  {
    object: Type.Literal("list"),
    data: Type.Array(
      Type.Object({
        object: Type.Literal("embedding"),
        index: Type.Integer({ description: "The input's place in `input`." }),
        embedding: Type.Union([Type.Array(Type.Number()), Type.String()], {
          description: "The vector: a list of numbers, or with `encoding_format: base64` its little-endian float32 bytes in base64.",
        }),
      }),
    ),
    model: Type.String({ description: "The catalog id asked for." }),
    usage: Type.Object(
      {
        prompt_tokens: Type.Integer(),
        total_tokens: Type.Integer(),
        cost: Type.Number({ description: "What this request was charged, in USD (0 on test keys)." }),
        cost_micros: Type.Integer({ description: "The same charge in micro-dollars: exactly the ledger's charge." }),
        estimated: Type.Optional(
          Type.Literal(true, { description: "Present when the provider reported no usage (Gemini) and Bentoo's tokenizer counted the inputs." }),
        ),
      },
      { description: "The inputs' tokens and what they cost at the model's input price." },
    ),
  },
  { title: "EmbeddingList", description: "One vector per input, in the order of `input`." },
);

export const EMBEDDINGS_SCHEMA: RouteSchema = {
  summary: "Create embeddings",
  description: [
    "OpenAI's Embeddings API for every embedding model in the catalog (OpenAI's, Gemini's, …): one vector per input. A chat model is refused with `model_kind_mismatch`, naming POST /v1/chat/completions.",
    "",
    "The inputs' tokens are counted before the provider is called: they are reserved against the tokens-per-minute limit and held at the model's input price against the credit balance and the key's spend cap; once answered, the provider's count (Bentoo's own, for a provider that reports none) is charged. An input that does not fit the model's context is refused with `context_length_exceeded` naming it. A request larger than its provider takes at once (Gemini: 100 inputs) is sent in batches and its vectors joined in order.",
    "",
    "Test keys get deterministic vectors from the sandbox, and honour `Bentoo-Simulate` (an embeddings answer has no stream: `stream_interrupted` is a 502, `content_filter` changes nothing).",
  ].join("\n"),
  tags: ["Embeddings"],
  operationId: "createEmbeddings",
  security: API_KEY_SECURITY,
  headers: Type.Object({ "Bentoo-Simulate": Type.Optional(SimulateHeader) }),
  body: EmbeddingRequest,
  response: {
    200: jsonResponse(EmbeddingList, "The vectors.", { ...RATE_LIMIT_HEADERS, ...REQUEST_ID_HEADER }),
    ...errorResponses(MODEL_ROUTE_ERRORS, { headers: REQUEST_ID_HEADER }),
  },
};
