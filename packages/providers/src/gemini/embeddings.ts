import { BentooError, type EmbeddingInput, type ModelRoute } from "@bentoo/core";
import { embeddingAnswerBytes } from "../embedding-answer-size.js";
import { type EmbeddingCall, embeddingContext, type JsonAnswer } from "../provider.js";
import { countedEmbeddingUsage } from "../tokenizer.js";
import type { UpstreamClient } from "../upstream-client.js";
import { geminiError } from "./errors.js";
import { modelPath } from "./model-path.js";
import { refuse } from "./refuse.js";
import { parseJson } from "./wire.js";

/** Requests Gemini takes in one batchEmbedContents call; a larger request is sent as several batches at once. */
export const GEMINI_EMBED_BATCH = 100;

/**
 * Embeddings through Gemini's own API
 * (https://ai.google.dev/api/embeddings#method:-models.batchembedcontents):
 * each input becomes an EmbedContentRequest (`content.parts[0].text`, and the
 * client's `dimensions` as `outputDimensionality`) posted in batches of
 * GEMINI_EMBED_BATCH to `{base_url}/models/{model}:batchEmbedContents`; the
 * answer's `embeddings[].values` become the vectors, in order, written in the
 * client's API (base64 encoded there when asked). Gemini normalises only its
 * full-length vectors (https://ai.google.dev/gemini-api/docs/embeddings#control-embedding-size),
 * so shortened ones are scaled to unit length here, as OpenAI's clients expect.
 * Gemini reports no token usage for embeddings: Bentoo counts the inputs and
 * marks the usage estimated. Token-id inputs cannot be sent (Gemini embeds
 * text): a 400 naming `input`, after the model's other routes were tried.
 */
export async function embedWithGemini(client: UpstreamClient, call: EmbeddingCall, route: ModelRoute): Promise<JsonAnswer> {
  const texts = call.request.inputs.map(textOf);
  const model = modelPath(route.upstreamModel);
  const dimensions = call.request.dimensions;
  const batches: string[][] = [];
  for (let start = 0; start < texts.length; start += GEMINI_EMBED_BATCH) batches.push(texts.slice(start, start + GEMINI_EMBED_BATCH));
  const maxAnswerBytes = embeddingAnswerBytes(call);
  const answered = await Promise.all(batches.map((batch) => embedBatch(client, call, route, model, batch, dimensions, maxAnswerBytes)));
  const vectors = answered.flat();
  if (dimensions !== null) for (const vector of vectors) normalise(vector);
  const usage = countedEmbeddingUsage(call.request.inputs);
  return { kind: "json", usage, body: () => call.answers.json({ vectors, usage }, embeddingContext(call)) };
}

function textOf(input: EmbeddingInput, index: number): string {
  if (input.kind === "text") return input.text;
  return refuse(`input[${index}] is a list of token ids, which Gemini cannot embed; send the text as a string.`, "input");
}

async function embedBatch(
  client: UpstreamClient,
  call: EmbeddingCall,
  route: ModelRoute,
  model: string,
  texts: readonly string[],
  dimensions: number | null,
  maxAnswerBytes: number,
): Promise<number[][]> {
  const requests = texts.map((text) => ({ model, content: { parts: [{ text }] }, ...(dimensions === null ? {} : { outputDimensionality: dimensions }) }));
  const response = await client.post(`/${model}:batchEmbedContents`, JSON.stringify({ requests }), {
    streamed: false,
    cancellation: call.cancellation,
    maxAnswerBytes,
  });
  if (response.kind === "streaming") throw badAnswer(route);
  if (response.status < 200 || response.status >= 300) throw geminiError(client.provider, route.upstreamModel, response);
  if (response.truncated) throw client.tooLarge(maxAnswerBytes);
  const vectors = readEmbeddings(parseJson(response.body.toString("utf8")));
  if (vectors === null || vectors.length !== texts.length) throw badAnswer(route);
  return vectors;
}

/** `embeddings[].values` of a BatchEmbedContentsResponse; null unless every one is a non-empty list of numbers. */
function readEmbeddings(value: unknown): number[][] | null {
  if (typeof value !== "object" || value === null || !Array.isArray((value as { embeddings?: unknown }).embeddings)) return null;
  const vectors: number[][] = [];
  for (const embedding of (value as { embeddings: unknown[] }).embeddings) {
    const values = typeof embedding === "object" && embedding !== null ? (embedding as { values?: unknown }).values : undefined;
    if (!Array.isArray(values) || values.length === 0 || !values.every((entry) => typeof entry === "number" && Number.isFinite(entry))) return null;
    vectors.push(values as number[]);
  }
  return vectors;
}

function normalise(vector: number[]): void {
  let sum = 0;
  for (const value of vector) sum += value * value;
  const norm = Math.sqrt(sum);
  if (norm === 0) return;
  for (let index = 0; index < vector.length; index += 1) vector[index] = vector[index]! / norm;
}

function badAnswer(route: ModelRoute): BentooError {
  return new BentooError("upstream_bad_response", `provider "${route.providerId}" answered with something that is not a Gemini BatchEmbedContentsResponse.`);
}
