import { basicUsage, type ContentPart, type EmbeddingInput, type ModelRequest, type Usage } from "@bentoo/core";
import { Tiktoken } from "js-tiktoken/lite";
import cl100k from "js-tiktoken/ranks/cl100k_base";

/**
 * Token counting with OpenAI's cl100k_base encoding (ships inside js-tiktoken; no
 * download). Used by the sandbox, by the stream estimator when an upstream reports
 * no usage, and for rate-limit reservations. Other vendors tokenize differently;
 * for them the count is an estimate, and is marked as one.
 *
 * Memory (the RSS target; figures in docs/performance.md): `js-tiktoken/lite` and
 * the one ranks file, not the package root, which bundles every encoding's ranks; and
 * the encoder's rank → bytes table for decode() is emptied, since only counting happens
 * here. Building the encoder peaks at about 146 MB RSS for a quarter of a second, so it
 * is built at start-up (warmTokenizer) and no request waits for it. cl100k rather than
 * o200k: within a few percent on English text, and half the memory.
 */
let encoding: Tiktoken | undefined;

function encoder(): Tiktoken {
  if (encoding === undefined) {
    encoding = new Tiktoken(cl100k);
    dropDecodeTable(encoding);
  }
  return encoding;
}

/**
 * `textMap` is not in js-tiktoken's public types, hence the narrowing. Should a
 * release rename it, this does nothing and counts stay right (only the memory comes
 * back); tokenizer.test.ts checks the name so that an upgrade notices.
 */
function dropDecodeTable(encoding: Tiktoken): void {
  const table: unknown = Reflect.get(encoding, "textMap");
  if (table instanceof Map) table.clear();
}

/**
 * Counts of recently seen texts. Chat clients resend the whole conversation on
 * every turn, so most message contents were counted before; a Map lookup (one
 * string hash) is far cheaper than byte-pair encoding again. Bounded in entries and
 * in characters, oldest out: the texts are the keys, and 20,000 of up to 64 Ki
 * characters could hold 1.3 billion characters; 4 Mi characters is 4–8 MB.
 */
const CACHE_ENTRIES = 20_000;
const CACHE_CHARACTERS = 4 * 1024 * 1024;
const CACHE_MAX_TEXT = 64 * 1024;
const counts = new Map<string, number>();
let cachedCharacters = 0;

function remember(text: string, count: number): void {
  while (counts.size >= CACHE_ENTRIES || cachedCharacters + text.length > CACHE_CHARACTERS) {
    const oldest = counts.keys().next().value!;
    counts.delete(oldest);
    cachedCharacters -= oldest.length;
  }
  counts.set(text, count);
  cachedCharacters += text.length;
}

/**
 * js-tiktoken's byte-pair merge is quadratic in the length of one pre-tokenized
 * piece, with a large constant: a run of 8,000 "y" without spaces takes 5 s, and
 * the 250,000 a 256 KiB body allows would block the event loop for most of an hour
 * (found by e2e/fuzz.test.ts); even cut into slices, rare ideographs cost about
 * 11 µs per character. A run of more than LONG_RUN characters without spaces is
 * therefore counted slice by slice, SLICE characters at a time (a cut can only
 * stop a merge, so slices never count fewer than the whole): all of it up to
 * EXACT_RUN characters, beyond that a sample (sampledCount). Words, numbers and
 * ordinary URLs are shorter than LONG_RUN, so ordinary text counts exactly.
 */
const LONG_RUN = 64;
const LONG_RUNS = new RegExp(`\\S{${LONG_RUN + 1},}`, "g");
const SLICE = 32;
const EXACT_RUN = 256;

/**
 * A prompt is user text: "<|endoftext|>" in it is counted as the characters it is
 * (js-tiktoken's default throws on special-token text, which would turn a user's
 * message into a 500).
 */
const NO_SPECIAL: string[] = [];

function count(piece: string): number {
  return encoder().encode(piece, NO_SPECIAL, NO_SPECIAL).length;
}

/** Headroom on a sampled count, for what the sample missed. */
const SAMPLE_MARGIN = 1.25;

/**
 * An upper estimate of a long text from `slices` slices of SLICE characters,
 * one at a random offset in each of as many equal strata: the sampled rate, with
 * SAMPLE_MARGIN, applied to the whole. Random offsets mean a text cannot be
 * built so that the sample sees only its cheap parts: ideographs, hex or base64
 * raise the rate wherever they are.
 */
function sampledCount(text: string, slices: number): number {
  const stratum = Math.floor(text.length / slices);
  let sampled = 0;
  for (let index = 0; index < slices; index += 1) {
    const at = index * stratum + Math.floor(Math.random() * (stratum - SLICE + 1));
    sampled += count(text.slice(at, at + SLICE));
  }
  return Math.ceil(((text.length * sampled) / (slices * SLICE)) * SAMPLE_MARGIN);
}

/** Slices a run longer than EXACT_RUN is sampled with: EXACT_RUN characters' worth. */
const RUN_SLICES = EXACT_RUN / SLICE;

function runLength(run: string): number {
  if (run.length > EXACT_RUN) return sampledCount(run, RUN_SLICES);
  let total = 0;
  for (let at = 0; at < run.length; at += SLICE) total += count(run.slice(at, at + SLICE));
  return total;
}

function encodedLength(text: string): number {
  let total = 0;
  let start = 0;
  for (const match of text.matchAll(LONG_RUNS)) {
    if (match.index > start) total += count(text.slice(start, match.index));
    total += runLength(match[0]);
    start = match.index + match[0].length;
  }
  return total + (start < text.length ? count(start === 0 ? text : text.slice(start)) : 0);
}

export function countTokens(text: string): number {
  if (text.length === 0) return 0;
  const cached = counts.get(text);
  if (cached !== undefined) return cached;
  const count = encodedLength(text);
  if (text.length <= CACHE_MAX_TEXT) remember(text, count);
  return count;
}

/** OpenAI's chat framing: about 3 tokens per message plus 3 to prime the reply. */
const TOKENS_PER_MESSAGE = 3;
const TOKENS_PER_REPLY = 3;

/**
 * Characters of one prompt counted exactly (cached texts are free). Byte-pair
 * encoding costs about 1.5 µs per character, so a 4 MiB prompt would hold the
 * event loop for seconds; past this budget the rest is estimated (estimateTokens)
 * and the upstream's own usage settles the bill afterwards.
 */
export const EXACT_PROMPT_CHARACTERS = 64 * 1024;
/** The least an estimated text counts: one token per 3 characters, above the usual 4 of English prose. */
const CHARACTERS_PER_ESTIMATED_TOKEN = 3;
/** Slices an estimated text is sampled with: a few ms. */
const PROMPT_SLICES = 128;

/** An upper estimate of a text too long to count exactly: sampled, and at least one token per 3 characters. */
function estimateTokens(text: string): number {
  const floor = Math.ceil(text.length / CHARACTERS_PER_ESTIMATED_TOKEN);
  return text.length < PROMPT_SLICES * SLICE * 2 ? Math.max(floor, encodedLength(text)) : Math.max(floor, sampledCount(text, PROMPT_SLICES));
}

/**
 * What one image, file or audio part may count, since only the provider knows
 * exactly: IMAGE_TOKENS is above the most OpenAI's high detail (1,445 for a
 * 768×2048 image) and Anthropic (about 1,600 at its largest size) count for one
 * image; a file (a PDF, say) at most one token per DECODED_BYTES_PER_FILE_TOKEN
 * of its bytes, one given by URL as much as the context holds; audio at most one
 * token per DECODED_BYTES_PER_AUDIO_TOKEN (OpenAI counts 10 per second, 32 KB of
 * 16 kHz PCM). The estimate caps the sum at what fits the model's context.
 */
const IMAGE_TOKENS = 1_600;
const DECODED_BYTES_PER_FILE_TOKEN = 2;
const DECODED_BYTES_PER_AUDIO_TOKEN = 500;

/** Bytes that base64 text of this length decodes to (at most). */
const decodedBytes = (base64: string) => Math.ceil((base64.length * 3) / 4);

/** Counts texts of one prompt against the EXACT_PROMPT_CHARACTERS budget, and bounds its media. */
class PromptCounter {
  #budget = EXACT_PROMPT_CHARACTERS;
  total = 0;
  media = 0;

  add(text: string): void {
    if (text.length === 0) return;
    if (text.length <= this.#budget || counts.has(text)) {
      this.#budget = Math.max(0, this.#budget - text.length);
      this.total += countTokens(text);
    } else {
      this.total += estimateTokens(text);
    }
  }

  addParts(parts: readonly ContentPart[]): void {
    for (const part of parts) {
      switch (part.type) {
        case "text":
        case "refusal":
        case "reasoning":
          this.add(part.text);
          break;
        case "tool-call":
          this.add(part.name);
          this.add(part.arguments);
          break;
        case "tool-result":
          this.addParts(part.content);
          break;
        case "image":
          this.media += IMAGE_TOKENS;
          break;
        case "file":
          this.media += part.source.kind === "base64" ? Math.ceil(decodedBytes(part.source.data) / DECODED_BYTES_PER_FILE_TOKEN) : Number.MAX_SAFE_INTEGER;
          break;
        case "audio":
          this.media += Math.ceil(decodedBytes(part.data) / DECODED_BYTES_PER_AUDIO_TOKEN);
          break;
        default:
          break;
      }
    }
  }
}

/** A request's prompt: its text counted (exactly up to EXACT_PROMPT_CHARACTERS), and an upper bound of its images, files and audio. */
export interface PromptCount {
  text: number;
  /** May exceed any context (a file given by URL counts as MAX_SAFE_INTEGER): callers cap it. */
  media: number;
}

function countPrompt(request: ModelRequest): PromptCounter {
  const counter = new PromptCounter();
  counter.total = TOKENS_PER_REPLY;
  for (const message of request.messages) {
    counter.total += TOKENS_PER_MESSAGE;
    counter.addParts(message.parts);
    if (message.name !== undefined) {
      counter.add(message.name);
      counter.total += 1;
    }
  }
  if (request.tools.length > 0) counter.add(JSON.stringify(request.tools));
  return counter;
}

export function countPromptTokens(request: ModelRequest): PromptCount {
  const counter = countPrompt(request);
  return { text: counter.total, media: Math.min(counter.media, Number.MAX_SAFE_INTEGER) };
}

/** Prompt tokens of a request's text: every message's text, tool calls and results, and the tool definitions (images, files and audio are the provider's to count). */
export function countRequestTokens(request: ModelRequest): number {
  return countPrompt(request).total;
}

/** Usage Bentoo counts itself when a provider reported none: the request's prompt and the `answered` text, marked estimated. */
export function countedUsage(request: ModelRequest, answered: string): Usage {
  return basicUsage(countRequestTokens(request), countTokens(answered), true);
}

/** One embeddings input's tokens; `exact` is false when its text was past the request's exact budget and estimated from above. */
export interface InputCount {
  tokens: number;
  exact: boolean;
}

/**
 * Tokens of each embeddings input: token arrays by their length, texts with the
 * tokenizer (OpenAI's embedding models use cl100k_base) exactly up to
 * EXACT_PROMPT_CHARACTERS in all, as a prompt's texts are, and estimated from
 * above past that budget.
 */
export function countEmbeddingInputs(inputs: readonly EmbeddingInput[]): InputCount[] {
  let budget = EXACT_PROMPT_CHARACTERS;
  return inputs.map((input) => {
    if (input.kind === "tokens") return { tokens: input.tokens.length, exact: true };
    const text = input.text;
    if (text.length <= budget || counts.has(text)) {
      budget = Math.max(0, budget - text.length);
      return { tokens: countTokens(text), exact: true };
    }
    return { tokens: estimateTokens(text), exact: false };
  });
}

/** Usage Bentoo counts itself for embeddings a provider reported none for (Gemini's embed methods): the inputs' tokens, marked estimated. */
export function countedEmbeddingUsage(inputs: readonly EmbeddingInput[]): Usage {
  let total = 0;
  for (const count of countEmbeddingInputs(inputs)) total += count.tokens;
  return basicUsage(total, 0, true);
}

/** Loads the encoding now instead of on the first request. */
export function warmTokenizer(): void {
  encoder();
}
