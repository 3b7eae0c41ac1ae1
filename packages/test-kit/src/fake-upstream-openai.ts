// Pure helpers for the fake upstream: OpenAI's wire shapes, the deterministic
// answer and the documented token-count rule. Nothing here touches sockets.

/** A JSON object read from an untrusted request body. */
export type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export interface ErrorEnvelope {
  error: { message: string; type: string; param: string | null; code: string | null };
}

export function errorEnvelope(message: string, type: string, param: string | null = null, code: string | null = null): ErrorEnvelope {
  return { error: { message, type, param, code } };
}

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

export interface ToolCall {
  id: string;
  type: "function";
  function: { name: string; arguments: string };
}

/** What the fake decided to answer, before it is put in a JSON or SSE shape. */
export interface Answer {
  /** Words of the answer; the content is `words.join(" ")`. Empty for tool calls. */
  words: string[];
  toolCall: ToolCall | null;
  finishReason: "stop" | "length" | "tool_calls";
  usage: Usage;
}

const WORD = /\S+/g;

/** Number of whitespace-separated words in `text`. */
export function countWords(text: string): number {
  let n = 0;
  WORD.lastIndex = 0;
  while (WORD.exec(text) !== null) n++;
  return n;
}

/** Text of a message's content: a string, or the `text` of its `{type:"text"}` parts. */
export function contentText(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  const parts: string[] = [];
  for (const part of content) {
    if (isObject(part) && part.type === "text" && typeof part.text === "string") parts.push(part.text);
  }
  return parts.join(" ");
}

/**
 * Prompt tokens: the number of whitespace-separated words across all message
 * contents (string contents, or the `text` parts of array contents), plus 3
 * per message.
 */
export function promptTokens(messages: readonly unknown[]): number {
  let total = 0;
  for (const message of messages) {
    total += 3;
    if (isObject(message)) total += countWords(contentText(message.content));
  }
  return total;
}

/** Tokens an image part counts for `fake-byte-tokens`: above any estimate's bound, so its usage exceeds the hold. */
export const BYTE_TOKENS_PER_IMAGE = 2_000;

/**
 * Prompt tokens for `fake-byte-tokens`, a tokenizer far denser than words: one
 * token per UTF-8 byte of every message's text, plus BYTE_TOKENS_PER_IMAGE per
 * image part.
 */
export function bytePromptTokens(messages: readonly unknown[]): number {
  let total = 0;
  for (const message of messages) {
    if (!isObject(message)) continue;
    total += Buffer.byteLength(contentText(message.content));
    if (Array.isArray(message.content)) total += message.content.filter((part) => isObject(part) && part.type === "image_url").length * BYTE_TOKENS_PER_IMAGE;
  }
  return total;
}

function lastUserText(messages: readonly unknown[]): string {
  for (let i = messages.length - 1; i >= 0; i--) {
    const message = messages[i];
    if (isObject(message) && message.role === "user") return contentText(message.content);
  }
  return "";
}

function truncateChars(text: string, max: number): string {
  if (text.length <= max) return text;
  return Array.from(text).slice(0, max).join("");
}

/** `max_completion_tokens`, else `max_tokens`, when it is a non-negative number. */
function tokenCap(body: JsonObject): number | null {
  const raw = body.max_completion_tokens ?? body.max_tokens;
  if (typeof raw !== "number" || !Number.isFinite(raw) || raw < 0) return null;
  return Math.floor(raw);
}

function firstFunctionTool(body: JsonObject): string | null {
  const tools = body.tools;
  if (!Array.isArray(tools) || tools.length === 0) return null;
  const first: unknown = tools[0];
  if (!isObject(first) || !isObject(first.function)) return null;
  const name = first.function.name;
  return typeof name === "string" && name !== "" ? name : null;
}

export const SLOW_STREAM_WORDS = 40;

/**
 * Builds the deterministic answer for a chat request.
 * - ordinary: "Fake answer to: <last user text, first 200 chars>", whitespace
 *   collapsed, one word per completion token;
 * - `fake-slow-stream`: "word1 … word40";
 * - `fake-tools` with tools: a call of the first tool with arguments "{}"
 *   (completion_tokens = 1).
 * `max_completion_tokens`/`max_tokens` truncate the words (finish_reason "length").
 */
export function buildAnswer(body: JsonObject, messages: readonly unknown[], callId: string): Answer {
  const prompt = body.model === "fake-byte-tokens" ? bytePromptTokens(messages) : promptTokens(messages);
  const toolName = body.model === "fake-tools" ? firstFunctionTool(body) : null;
  if (toolName !== null) {
    const toolCall: ToolCall = { id: callId, type: "function", function: { name: toolName, arguments: "{}" } };
    return { words: [], toolCall, finishReason: "tool_calls", usage: usage(prompt, 1) };
  }
  let words: string[];
  if (body.model === "fake-slow-stream") {
    words = Array.from({ length: SLOW_STREAM_WORDS }, (_, i) => `word${i + 1}`);
  } else {
    words = `Fake answer to: ${truncateChars(lastUserText(messages), 200)}`.match(WORD) ?? [];
  }
  let finishReason: Answer["finishReason"] = "stop";
  const cap = tokenCap(body);
  if (cap !== null && words.length > cap) {
    words = words.slice(0, cap);
    finishReason = "length";
  }
  return { words, toolCall: null, finishReason, usage: usage(prompt, words.length) };
}

function usage(prompt: number, completion: number): Usage {
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
}

export interface CompletionMeta {
  id: string;
  created: number;
  model: string;
  /** Include `usage` in the response (false for `fake-no-usage`). */
  withUsage: boolean;
}

/** The `n` a request asks for (1 to 128), else 1. */
export function choicesWanted(body: JsonObject): number {
  const n = body.n;
  return typeof n === "number" && Number.isInteger(n) && n >= 1 && n <= 128 ? n : 1;
}

/** A non-streaming `chat.completion` object with `choices` copies of the answer (OpenAI's `n`), each counted in the usage. */
export function completionBody(meta: CompletionMeta, answer: Answer, choices = 1): JsonObject {
  const message: JsonObject = answer.toolCall
    ? { role: "assistant", content: null, tool_calls: [answer.toolCall] }
    : { role: "assistant", content: answer.words.join(" ") };
  const body: JsonObject = {
    id: meta.id,
    object: "chat.completion",
    created: meta.created,
    model: meta.model,
    choices: Array.from({ length: choices }, (_, index) => ({ index, message, finish_reason: answer.finishReason, logprobs: null })),
  };
  if (meta.withUsage) body.usage = usage(answer.usage.prompt_tokens, answer.usage.completion_tokens * choices);
  return body;
}

/**
 * Streams `chat.completion.chunk` objects as SSE events. `includeUsage` adds
 * `"usage": null` to every choice chunk and a final `choices: []` usage chunk.
 */
export class ChunkWriter {
  constructor(
    private readonly meta: CompletionMeta,
    private readonly includeUsage: boolean,
  ) {}

  private event(choices: unknown[], usageValue: Usage | null): string {
    const chunk: JsonObject = {
      id: this.meta.id,
      object: "chat.completion.chunk",
      created: this.meta.created,
      model: this.meta.model,
      choices,
    };
    if (this.includeUsage) chunk.usage = usageValue;
    return `data: ${JSON.stringify(chunk)}\n\n`;
  }

  delta(delta: JsonObject, finishReason: string | null = null): string {
    return this.event([{ index: 0, delta, logprobs: null, finish_reason: finishReason }], null);
  }

  role(): string {
    return this.delta({ role: "assistant", content: "" });
  }

  /** Content delta for word `i` (prefixed with the separating space after the first). */
  word(words: readonly string[], i: number): string {
    return this.delta({ content: i === 0 ? words[i] : ` ${words[i]}` });
  }

  finish(reason: string): string {
    return this.delta({}, reason);
  }

  usage(value: Usage): string {
    return this.includeUsage ? this.event([], value) : "";
  }

  /** Every event for a tool-call answer, in OpenAI's order, without [DONE]. */
  toolCall(call: ToolCall): string {
    const head = { index: 0, id: call.id, type: call.type, function: { name: call.function.name, arguments: "" } };
    return (
      this.delta({ role: "assistant", content: null, tool_calls: [head] }) +
      this.delta({ tool_calls: [{ index: 0, function: { arguments: call.function.arguments } }] })
    );
  }
}

export const DONE = "data: [DONE]\n\n";

export const FAKE_MODELS = [
  "fake-model",
  "fake-error-400",
  "fake-error-401",
  "fake-error-429",
  "fake-error-500",
  "fake-error-503",
  "fake-slow",
  "fake-drop",
  "fake-drop-stream",
  "fake-no-usage",
  "fake-slow-stream",
  "fake-tools",
] as const;

export function modelsBody(): JsonObject {
  return {
    object: "list",
    data: FAKE_MODELS.map((id) => ({ id, object: "model", created: 1_700_000_000, owned_by: "bentoo-fake" })),
  };
}

export const BAD_KEY_MESSAGE = "Incorrect API key provided (fake upstream).";

export interface FakeError {
  status: number;
  body: ErrorEnvelope;
  headers: Record<string, string>;
}

function fakeError(status: number, body: ErrorEnvelope, headers: Record<string, string> = {}): FakeError {
  return { status, body, headers };
}

/** Error responses for the `fake-error-*` models, by model name. */
export const FAKE_ERRORS: ReadonlyMap<string, FakeError> = new Map([
  ["fake-error-400", fakeError(400, errorEnvelope("fake upstream rejected the request", "invalid_request_error", "messages"))],
  ["fake-error-401", fakeError(401, errorEnvelope(BAD_KEY_MESSAGE, "invalid_request_error", null, "invalid_api_key"))],
  [
    "fake-error-429",
    fakeError(429, errorEnvelope("Rate limit reached (fake upstream).", "requests", null, "rate_limit_exceeded"), {
      "retry-after": "1",
    }),
  ],
  ["fake-error-500", fakeError(500, errorEnvelope("The server had an error (fake upstream).", "server_error"))],
  ["fake-error-503", fakeError(503, errorEnvelope("The engine is currently overloaded (fake upstream).", "server_error"))],
]);
