import { basicUsage, type CatalogModel, type EmbeddingInput, type EmbeddingRequest, type EmbeddingResponse } from "@bentoo/core";
import { countEmbeddingInputs } from "../tokenizer.js";

/**
 * The sandbox's embedding vectors: deterministic, unit length, and with a
 * cosine similarity that means something. Each input is cut into features (its
 * lower-cased words, and the character trigrams of each word); each feature
 * adds pseudo-random values (seeded by a hash of the feature) at pseudo-random
 * positions, and a small dense term seeded by the whole input fills the rest.
 * A word's contribution is computed once per request (words repeat). The same text always gets the same vector; texts that share
 * no words are nearly orthogonal (cosine near 0); texts that share words or
 * spellings are measurably closer. A token-id input's features are its token ids.
 * `dimensions` (or the model's own length) sets the vector's length.
 */
const FEATURE_SPREAD = 24;
const TRIGRAM_SPREAD = 8;
const TRIGRAM_WEIGHT = 0.35;
/** Trigrams taken from one word: a very long "word" (a hash, base64) spells nothing. */
const MAX_TRIGRAMS = 32;
/** The dense term's share of the vector's norm, before normalising. */
const DENSE_SHARE = 0.2;
const WORDS = /[\p{L}\p{N}]+/gu;

/** FNV-1a, 32 bits: a stable seed per feature. */
function hash(text: string, seed = 0x811c9dc5): number {
  let value = seed;
  for (let index = 0; index < text.length; index += 1) {
    value ^= text.charCodeAt(index);
    value = Math.imul(value, 0x01000193);
  }
  return value >>> 0 || 1;
}

/** xorshift32 from a seed: a cheap deterministic sequence of 32-bit integers. */
function sequence(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return state >>> 0;
  };
}

/** A value in [-1, 1). */
const signed = (next: () => number) => next() / 2 ** 31 - 1;

/** One feature's contributions: values to add at positions. */
interface Contribution {
  positions: Uint32Array;
  values: Float64Array;
}

/** A word's contribution (the word and its trigrams), computed once per distinct word of a request. */
function wordContribution(word: string, length: number): Contribution {
  const parts: Array<[string, number, number]> = [[word, 1, Math.min(length, FEATURE_SPREAD)]];
  const padded = ` ${word} `;
  const trigramSpread = Math.min(length, TRIGRAM_SPREAD);
  for (let index = 0; index + 3 <= padded.length && index < MAX_TRIGRAMS; index += 1)
    parts.push([padded.slice(index, index + 3), TRIGRAM_WEIGHT, trigramSpread]);
  let size = 0;
  for (const part of parts) size += part[2];
  const positions = new Uint32Array(size);
  const values = new Float64Array(size);
  let at = 0;
  for (const [feature, weight, spread] of parts) {
    const next = sequence(hash(feature));
    for (let step = 0; step < spread; step += 1, at += 1) {
      positions[at] = next() % length;
      values[at] = weight * signed(next);
    }
  }
  return { positions, values };
}

function addFeatures(vector: Float64Array, input: EmbeddingInput, cache: Map<string, Contribution>): void {
  const length = vector.length;
  const add = (contribution: Contribution) => {
    const { positions, values } = contribution;
    for (let index = 0; index < positions.length; index += 1) vector[positions[index]!] = vector[positions[index]!]! + values[index]!;
  };
  if (input.kind === "tokens") {
    for (const token of input.tokens) add(cached(cache, `#${token}`, () => wordContribution(`#${token}`, length)));
    return;
  }
  for (const match of input.text.toLowerCase().matchAll(WORDS)) add(cached(cache, match[0], () => wordContribution(match[0], length)));
}

function cached(cache: Map<string, Contribution>, key: string, make: () => Contribution): Contribution {
  let found = cache.get(key);
  if (found === undefined) {
    found = make();
    cache.set(key, found);
  }
  return found;
}

/** One input's vector, of `length` values, unit length; `cache` holds word contributions across the inputs of one request. */
export function sandboxVector(input: EmbeddingInput, length: number, cache: Map<string, Contribution> = new Map()): Float32Array {
  const vector = new Float64Array(length);
  addFeatures(vector, input, cache);
  let sum = 0;
  for (const value of vector) sum += value * value;
  // The dense term: DENSE_SHARE of the features' norm (the whole of it for an input without features).
  const whole = input.kind === "text" ? input.text : input.tokens.join(",");
  const next = sequence(hash(whole, 0x9e3779b9));
  const scale = (sum === 0 ? 1 : DENSE_SHARE * Math.sqrt(sum)) * Math.sqrt(3 / length);
  sum = 0;
  for (let index = 0; index < length; index += 1) {
    vector[index] = vector[index]! + scale * signed(next);
    sum += vector[index]! * vector[index]!;
  }
  const norm = Math.sqrt(sum);
  return Float32Array.from(vector, (value) => value / norm);
}

/** The sandbox's answer to an embeddings request: a vector per input, and the inputs' real token counts. */
export function sandboxEmbeddings(request: EmbeddingRequest, model: CatalogModel): EmbeddingResponse {
  const length = request.dimensions ?? model.dimensions?.default ?? 1536;
  const cache = new Map<string, Contribution>();
  const vectors = request.inputs.map((input) => sandboxVector(input, length, cache));
  let tokens = 0;
  for (const count of countEmbeddingInputs(request.inputs)) tokens += count.tokens;
  return { vectors, usage: basicUsage(tokens, 0) };
}
