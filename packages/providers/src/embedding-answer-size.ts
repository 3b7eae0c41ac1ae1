import type { EmbeddingCall } from "./provider.js";
import { MAX_JSON_ANSWER_BYTES } from "./upstream-client.js";

/** Bytes one vector value takes at most in an answer: as JSON text ("-0.012345678901234567,"), or as base64 float32 (4 bytes, 4/3 in base64). */
const FLOAT_JSON_BYTES = 26;
const BASE64_BYTES = 6;
/** Room for everything around the vectors. */
const ANSWER_SLACK = 1024 * 1024;

/**
 * The largest embeddings answer read from a provider for `call`: what its
 * inputs' vectors take at most (inputs × dimensions × bytes per value), and never
 * less than any JSON answer may take. An answer is as large as the client asked:
 * 2,048 vectors of 3,072 floats is about 160 MB of JSON.
 */
export function embeddingAnswerBytes(call: EmbeddingCall): number {
  const dimensions = call.request.dimensions ?? call.model.dimensions?.default ?? 0;
  const perValue = call.request.encoding === "base64" ? BASE64_BYTES : FLOAT_JSON_BYTES;
  return Math.max(MAX_JSON_ANSWER_BYTES, call.request.inputs.length * dimensions * perValue + ANSWER_SLACK);
}
