import type { ContentPart, ModelRequest } from "@bentoo/core";
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
 * (found by e2e/fuzz.test.ts). A run longer than LONG_RUN characters is therefore
 * counted from its first LONG_RUN characters and extrapolated; words, numbers and
 * ordinary URLs are shorter, so real text still counts exactly.
 */
const LONG_RUN = 64;
const LONG_RUNS = new RegExp(`\\S{${LONG_RUN + 1},}`, "g");

/**
 * A prompt is user text: "<|endoftext|>" in it is counted as the characters it is
 * (js-tiktoken's default throws on special-token text, which would turn a user's
 * message into a 500).
 */
const NO_SPECIAL: string[] = [];

function encodedLength(text: string): number {
  const encoding = encoder();
  let total = 0;
  let start = 0;
  for (const match of text.matchAll(LONG_RUNS)) {
    if (match.index > start) total += encoding.encode(text.slice(start, match.index), NO_SPECIAL, NO_SPECIAL).length;
    const sample = encoding.encode(match[0].slice(0, LONG_RUN), NO_SPECIAL, NO_SPECIAL).length;
    total += Math.ceil((sample * match[0].length) / LONG_RUN);
    start = match.index + match[0].length;
  }
  return total + (start < text.length ? encoding.encode(start === 0 ? text : text.slice(start), NO_SPECIAL, NO_SPECIAL).length : 0);
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
 * event loop for seconds; past this budget the rest is estimated at one token
 * per 3 characters — above the usual 4 for English, so reservations err on the
 * safe side — and the upstream's own usage settles the bill afterwards.
 */
export const EXACT_PROMPT_CHARACTERS = 64 * 1024;
const CHARACTERS_PER_ESTIMATED_TOKEN = 3;

/** Counts texts of one prompt against the EXACT_PROMPT_CHARACTERS budget. */
class PromptCounter {
  #budget = EXACT_PROMPT_CHARACTERS;
  total = 0;

  add(text: string): void {
    if (text.length === 0) return;
    if (text.length <= this.#budget || counts.has(text)) {
      this.#budget = Math.max(0, this.#budget - text.length);
      this.total += countTokens(text);
    } else {
      this.total += Math.ceil(text.length / CHARACTERS_PER_ESTIMATED_TOKEN);
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
        default:
          // Images, files and audio are priced by the provider; their text share is not known here.
          break;
      }
    }
  }
}

/** Prompt tokens of a request: every message's text, tool calls and results, and the tool definitions. */
export function countRequestTokens(request: ModelRequest): number {
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
  return counter.total;
}

/** Loads the encoding now instead of on the first request. */
export function warmTokenizer(): void {
  encoder();
}
