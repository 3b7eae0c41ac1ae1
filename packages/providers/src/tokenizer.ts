import { getEncoding, type Tiktoken } from "js-tiktoken";

/**
 * Token counting with OpenAI's cl100k_base encoding (ships inside js-tiktoken; no
 * download). cl100k rather than o200k: within a few percent on English text and
 * 60 MB less resident memory (measured: 86 vs 149 MB). Used by the sandbox, by the stream estimator when an upstream
 * reports no usage, and for rate-limit reservations. Other vendors tokenize
 * differently; for them the count is an estimate, and is marked as one.
 */
let encoding: Tiktoken | undefined;

function encoder(): Tiktoken {
  encoding ??= getEncoding("cl100k_base");
  return encoding;
}

/**
 * Counts of recently seen texts. Chat clients resend the whole conversation on
 * every turn, so most message contents were counted before; a Map lookup (one
 * string hash) is far cheaper than byte-pair encoding again. Bounded, oldest out.
 */
const CACHE_ENTRIES = 20_000;
const CACHE_MAX_TEXT = 64 * 1024;
const counts = new Map<string, number>();

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

function encodedLength(text: string): number {
  const encoding = encoder();
  let total = 0;
  let start = 0;
  for (const match of text.matchAll(LONG_RUNS)) {
    if (match.index > start) total += encoding.encode(text.slice(start, match.index)).length;
    const sample = encoding.encode(match[0].slice(0, LONG_RUN)).length;
    total += Math.ceil((sample * match[0].length) / LONG_RUN);
    start = match.index + match[0].length;
  }
  return total + (start < text.length ? encoding.encode(start === 0 ? text : text.slice(start)).length : 0);
}

export function countTokens(text: string): number {
  if (text.length === 0) return 0;
  const cached = counts.get(text);
  if (cached !== undefined) return cached;
  const count = encodedLength(text);
  if (text.length <= CACHE_MAX_TEXT) {
    if (counts.size >= CACHE_ENTRIES) counts.delete(counts.keys().next().value!);
    counts.set(text, count);
  }
  return count;
}

/** OpenAI's chat framing: about 3 tokens per message plus 3 to prime the reply. */
const TOKENS_PER_MESSAGE = 3;
const TOKENS_PER_REPLY = 3;

function contentText(content: unknown): string {
  if (typeof content === "string") return content;
  if (Array.isArray(content)) {
    let text = "";
    for (const part of content) {
      if (typeof part === "object" && part !== null && "text" in part && typeof part.text === "string") text += part.text;
    }
    return text;
  }
  return "";
}

/**
 * Characters of one prompt counted exactly (cached texts are free). Byte-pair
 * encoding costs about 1.5 µs per character, so a 4 MiB prompt would hold the
 * event loop for seconds; past this budget the rest is estimated at one token
 * per 3 characters — above the usual 4 for English, so reservations err on the
 * safe side — and the upstream's own usage settles the bill afterwards.
 */
export const EXACT_PROMPT_CHARACTERS = 64 * 1024;
const CHARACTERS_PER_ESTIMATED_TOKEN = 3;

/** Prompt tokens of a chat request's messages (and tool definitions, when given). */
export function countPromptTokens(messages: readonly unknown[], tools?: unknown): number {
  let budget = EXACT_PROMPT_CHARACTERS;
  const count = (text: string): number => {
    if (text.length === 0) return 0;
    if (text.length <= budget || counts.has(text)) {
      budget = Math.max(0, budget - text.length);
      return countTokens(text);
    }
    return Math.ceil(text.length / CHARACTERS_PER_ESTIMATED_TOKEN);
  };
  let total = TOKENS_PER_REPLY;
  for (const message of messages) {
    total += TOKENS_PER_MESSAGE;
    if (typeof message !== "object" || message === null) continue;
    const record = message as Record<string, unknown>;
    total += count(contentText(record.content));
    if (typeof record.name === "string") total += count(record.name) + 1;
    if (Array.isArray(record.tool_calls)) total += count(JSON.stringify(record.tool_calls));
  }
  if (Array.isArray(tools) && tools.length > 0) total += count(JSON.stringify(tools));
  return total;
}

/** Loads the encoding now instead of on the first request. */
export function warmTokenizer(): void {
  encoder();
}
