import {
  BentooError,
  type EmbeddingInput,
  type EmbeddingRequest,
  invalid,
  type JsonObject,
  optionalEnum,
  optionalInteger,
  optionalString,
  requireBodyObject,
} from "@bentoo/core";

/**
 * Checks an Embeddings request (OpenAI's shape) and maps it to Bentoo's own
 * terms: `input` as a string, a list of strings, a list of token ids or a list
 * of such lists (at most MAX_INPUTS, none empty, as OpenAI requires);
 * `encoding_format`, `dimensions`, `user`. Other members pass through to a
 * provider that speaks the same API.
 * https://platform.openai.com/docs/api-reference/embeddings/create
 */
export const MAX_INPUTS = 2048;
const ENCODINGS = ["float", "base64"] as const;
/** Largest token id accepted: above every tokenizer's vocabulary, below what a 32-bit integer holds. */
const MAX_TOKEN_ID = 2 ** 31 - 1;
const INPUT_HELP =
  'input must be a string, a list of strings, a list of token ids, or a list of lists of token ids, e.g. "input": ["first text", "second text"].';

/** A request once parsed: the catalog model, the request in Bentoo's terms, and the body for a passthrough. */
export interface ParsedEmbeddingRequest {
  model: string;
  request: EmbeddingRequest;
  body: Readonly<JsonObject>;
}

function checkModel(body: JsonObject): string {
  const model = body.model;
  if (model === undefined || model === null)
    throw invalid("model", 'model is required: pick an embedding model from GET /v1/models, e.g. "openai/text-embedding-3-small".');
  if (typeof model !== "string" || model.trim() === "") throw invalid("model", "model must be a model id string from GET /v1/models.");
  if (model.length > 256) throw new BentooError("invalid_request", "model is too long.", { param: "model" });
  return model;
}

function isTokenId(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0 && value <= MAX_TOKEN_ID;
}

function tokens(list: readonly unknown[], param: string): EmbeddingInput {
  if (list.length === 0) throw invalid("input", `${param} is an empty list of token ids; every input needs at least one token.`);
  if (!list.every(isTokenId)) throw invalid("input", `${param} must hold only token ids (integers from 0). ${INPUT_HELP}`);
  return { kind: "tokens", tokens: list as number[] };
}

function text(value: string, param: string): EmbeddingInput {
  if (value === "") throw invalid("input", `${param} is an empty string; every input needs some text.`);
  return { kind: "text", text: value };
}

function checkInputs(value: unknown): EmbeddingInput[] {
  if (value === undefined || value === null) throw invalid("input", `input is required. ${INPUT_HELP}`);
  if (typeof value === "string") return [text(value, "input")];
  if (!Array.isArray(value)) throw invalid("input", INPUT_HELP);
  if (value.length === 0) throw invalid("input", "input is an empty list; send at least one input.");
  if (value.length > MAX_INPUTS)
    throw invalid("input", `input holds ${value.length} inputs; at most ${MAX_INPUTS} go in one request, so split it into several requests.`);
  // A list of numbers is one input of token ids; otherwise every entry is an input of its own.
  if (typeof value[0] === "number") return [tokens(value, "input")];
  return value.map((entry: unknown, index) => {
    const param = `input[${index}]`;
    if (typeof entry === "string") return text(entry, param);
    if (Array.isArray(entry)) return tokens(entry, param);
    throw invalid("input", `${param} is neither a string nor a list of token ids. ${INPUT_HELP}`);
  });
}

export function parseEmbeddingRequest(raw: unknown): ParsedEmbeddingRequest {
  const body = requireBodyObject(raw);
  const model = checkModel(body);
  const inputs = checkInputs(body.input);
  const encoding = optionalEnum(body, "encoding_format", ENCODINGS) ?? "float";
  const dimensions = optionalInteger(body, "dimensions", { min: 1 }) ?? null;
  const user = optionalString(body, "user", { trim: false, maxLength: 256 });
  const request: EmbeddingRequest = { inputs, dimensions, encoding };
  if (user !== undefined) request.user = user;
  return { model, request, body };
}
