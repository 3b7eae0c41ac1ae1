// Deterministic embedding vectors for the fake upstreams (OpenAI's /embeddings
// and Gemini's batchEmbedContents). Nothing here touches sockets.
import { createHash } from "node:crypto";
import { countWords, isObject, type JsonObject } from "./fake-upstream-openai.js";

/** The length of the fake OpenAI upstream's vectors when the request names no `dimensions`. */
export const FAKE_OPENAI_DIMENSIONS = 16;
/** The length of the fake Gemini's vectors when the request names no `outputDimensionality` (gemini-embedding-001's). */
export const FAKE_GEMINI_DIMENSIONS = 3072;
/** Requests the fake Gemini takes in one batchEmbedContents call (Gemini's limit). */
export const FAKE_GEMINI_BATCH_LIMIT = 100;

/**
 * A vector of `length` values in [-1, 1) derived from SHA-256 of `seed`: the same
 * seed, the same vector. Not normalised.
 */
export function fakeValues(seed: string, length: number): number[] {
  const values: number[] = [];
  let block = createHash("sha256").update(seed).digest();
  while (values.length < length) {
    for (let at = 0; at + 2 <= block.length && values.length < length; at += 2) values.push(block.readUInt16BE(at) / 32768 - 1);
    block = createHash("sha256").update(block).digest();
  }
  return values;
}

/** `values` scaled to unit length. */
export function normalised(values: number[]): number[] {
  const norm = Math.sqrt(values.reduce((sum, value) => sum + value * value, 0)) || 1;
  return values.map((value) => value / norm);
}

/** One input of an OpenAI embeddings request: its seed text and its fake token count (words, or token ids). */
function openAiInputs(input: unknown): Array<{ seed: string; tokens: number }> | null {
  if (typeof input === "string") return [{ seed: input, tokens: countWords(input) }];
  if (!Array.isArray(input) || input.length === 0) return null;
  if (typeof input[0] === "number") return [{ seed: JSON.stringify(input), tokens: input.length }];
  const out: Array<{ seed: string; tokens: number }> = [];
  for (const entry of input) {
    if (typeof entry === "string") out.push({ seed: entry, tokens: countWords(entry) });
    else if (Array.isArray(entry)) out.push({ seed: JSON.stringify(entry), tokens: entry.length });
    else return null;
  }
  return out;
}

/** Little-endian float32 bytes in base64, as OpenAI's `encoding_format: "base64"`. */
export function base64Float32(values: readonly number[]): string {
  const bytes = Buffer.alloc(values.length * 4);
  values.forEach((value, index) => {
    bytes.writeFloatLE(value, index * 4);
  });
  return bytes.toString("base64");
}

/**
 * The fake OpenAI upstream's answer to POST /v1/embeddings: one unit vector
 * per input (`dimensions` long, else FAKE_OPENAI_DIMENSIONS), floats or base64,
 * and `usage.prompt_tokens` = the words of the text inputs plus the length of the
 * token-id inputs; `withUsage` false leaves `usage` out. Null when `input` is
 * not one of OpenAI's four shapes.
 */
export function openAiEmbeddingsBody(body: JsonObject, model: string, withUsage: boolean): JsonObject | null {
  const inputs = openAiInputs(body.input);
  if (inputs === null) return null;
  const length = typeof body.dimensions === "number" ? body.dimensions : FAKE_OPENAI_DIMENSIONS;
  const base64 = body.encoding_format === "base64";
  const tokens = inputs.reduce((sum, input) => sum + input.tokens, 0);
  const data = inputs.map((input, index) => {
    const vector = normalised(fakeValues(input.seed, length));
    return { object: "embedding", index, embedding: base64 ? base64Float32(vector) : vector };
  });
  return { object: "list", data, model, ...(withUsage ? { usage: { prompt_tokens: tokens, total_tokens: tokens } } : {}) };
}

/**
 * The fake Gemini's BatchEmbedContentsResponse, or the message of the 400 Gemini
 * would answer: every request must name `models/{model}` (Gemini requires the
 * batch's model), carry text parts, and ask for an `outputDimensionality` from 1
 * to FAKE_GEMINI_DIMENSIONS; at most FAKE_GEMINI_BATCH_LIMIT requests. Vectors
 * are unit length at full length and, like Gemini's, cut without normalising
 * when shortened.
 */
export function geminiEmbeddingsBody(body: JsonObject, model: string): { embeddings: Array<{ values: number[] }> } | string {
  const requests = body.requests;
  if (!Array.isArray(requests) || requests.length === 0) return "* BatchEmbedContentsRequest.requests: must not be empty.";
  if (requests.length > FAKE_GEMINI_BATCH_LIMIT) return `* BatchEmbedContentsRequest.requests: at most ${FAKE_GEMINI_BATCH_LIMIT} requests can be in one batch`;
  const embeddings: Array<{ values: number[] }> = [];
  for (const [index, request] of requests.entries()) {
    if (!isObject(request) || request.model !== `models/${model}`)
      return `* BatchEmbedContentsRequest.requests[${index}].model: the model of each request must be models/${model}.`;
    const parts = isObject(request.content) && Array.isArray(request.content.parts) ? request.content.parts : [];
    const text = parts.map((part) => (isObject(part) && typeof part.text === "string" ? part.text : "")).join(" ");
    if (text === "") return `* BatchEmbedContentsRequest.requests[${index}].content: must have a text part.`;
    const dimensionality = request.outputDimensionality ?? FAKE_GEMINI_DIMENSIONS;
    if (typeof dimensionality !== "number" || !Number.isInteger(dimensionality) || dimensionality < 1 || dimensionality > FAKE_GEMINI_DIMENSIONS)
      return `* BatchEmbedContentsRequest.requests[${index}].output_dimensionality: must be from 1 to ${FAKE_GEMINI_DIMENSIONS}.`;
    embeddings.push({ values: normalised(fakeValues(text, FAKE_GEMINI_DIMENSIONS)).slice(0, dimensionality) });
  }
  return { embeddings };
}
