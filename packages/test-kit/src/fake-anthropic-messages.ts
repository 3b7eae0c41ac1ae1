// Pure helpers for the fake Anthropic upstream: the Messages API's wire shapes,
// the deterministic answer and its token counts. Nothing here touches sockets.
// Shapes follow the API reference:
// - request and Message object: https://docs.anthropic.com/en/api/messages
// - errors: https://docs.anthropic.com/en/api/errors
// - stream events: https://docs.anthropic.com/en/docs/build-with-claude/streaming
// - usage with prompt caching: https://docs.anthropic.com/en/docs/build-with-claude/prompt-caching
// - thinking blocks: https://docs.anthropic.com/en/docs/build-with-claude/extended-thinking
// - structured outputs (output_config.format): https://docs.anthropic.com/en/docs/build-with-claude/structured-outputs
import { countWords, isObject, type JsonObject } from "./fake-upstream-openai.js";

/** Input tokens an image block counts. */
export const FAKE_IMAGE_TOKENS = 100;
/** Input tokens a document block counts. */
export const FAKE_DOCUMENT_TOKENS = 500;
/** What `fake-cache` reports as read from and written to the prompt cache (besides `input_tokens`). */
export const FAKE_CACHE_READ_TOKENS = 1000;
export const FAKE_CACHE_WRITE_TOKENS = 200;

export interface AnthropicError {
  status: number;
  type: string;
  message: string;
  headers?: Record<string, string>;
}

/** `fake-error-<status>` models and the error each answers with. */
export const ANTHROPIC_ERRORS = new Map<string, AnthropicError>(
  (
    [
      [400, "invalid_request_error", "fake anthropic rejected the request"],
      [401, "authentication_error", "invalid x-api-key"],
      [403, "permission_error", "your API key does not have permission to use the specified resource"],
      [404, "not_found_error", "model: fake-error-404"],
      [413, "request_too_large", "Request exceeds the maximum allowed number of bytes."],
      [429, "rate_limit_error", "Number of request tokens has exceeded your per-minute rate limit"],
      [500, "api_error", "Internal server error"],
      [529, "overloaded_error", "Overloaded"],
    ] as const
  ).map(([status, type, message]) => [`fake-error-${status}`, { status, type, message, ...(status === 429 ? { headers: { "retry-after": "1" } } : {}) }]),
);

export function errorBody(type: string, message: string): JsonObject {
  return { type: "error", error: { type, message }, request_id: "req_fake_anthropic" };
}

export interface Usage {
  input_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
  output_tokens: number;
  output_tokens_details?: { thinking_tokens: number };
}

export type Block =
  | { type: "text"; text: string }
  | { type: "thinking"; thinking: string; signature: string }
  | { type: "tool_use"; id: string; name: string; input: JsonObject };

/** What the fake decided to answer, before it is put in a JSON or SSE shape. */
export interface Reply {
  content: Block[];
  stopReason: "end_turn" | "max_tokens" | "tool_use" | "stop_sequence";
  /** The stop sequence that ended the text, when one did. */
  stopSequence: string | null;
  usage: Usage;
}

function blockText(block: unknown): string {
  if (!isObject(block)) return "";
  if (block.type === "text" && typeof block.text === "string") return block.text;
  if (block.type === "tool_result") return contentText(block.content);
  return "";
}

/** The text of a content (a string, or the text of its blocks and tool results). */
export function contentText(content: unknown): string {
  if (typeof content === "string") return content;
  return Array.isArray(content) ? content.map(blockText).filter(Boolean).join(" ") : "";
}

function countBlocks(content: unknown, type: string): number {
  return Array.isArray(content) ? content.filter((block) => isObject(block) && block.type === type).length : 0;
}

/**
 * Input tokens: the words of the system prompt and of every message's text
 * (tool results included), plus 3 per message, FAKE_IMAGE_TOKENS per image and
 * FAKE_DOCUMENT_TOKENS per document.
 */
export function inputTokens(body: JsonObject, messages: readonly JsonObject[]): number {
  let total = countWords(contentText(body.system));
  for (const message of messages) {
    total += 3 + countWords(contentText(message.content));
    total += countBlocks(message.content, "image") * FAKE_IMAGE_TOKENS + countBlocks(message.content, "document") * FAKE_DOCUMENT_TOKENS;
  }
  return total;
}

/** A value that fits a JSON schema: strings "fake", numbers 1, booleans true, arrays of one item, objects with every property. */
export function valueForSchema(schema: unknown): unknown {
  if (!isObject(schema)) return null;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0];
  switch (schema.type) {
    case "object": {
      const properties = isObject(schema.properties) ? schema.properties : {};
      return Object.fromEntries(Object.entries(properties).map(([name, property]) => [name, valueForSchema(property)]));
    }
    case "array":
      return [valueForSchema(schema.items)];
    case "string":
      return "fake";
    case "number":
    case "integer":
      return 1;
    case "boolean":
      return true;
    default:
      return null;
  }
}

/** The tool the fake calls: the one tool_choice names, else the first; null when it answers in text. */
function calledTool(body: JsonObject, model: string, lastUser: JsonObject | undefined): string | null {
  const tools = Array.isArray(body.tools) ? body.tools.filter(isObject) : [];
  if (tools.length === 0 || countBlocks(lastUser?.content, "tool_result") > 0) return null;
  const choice = isObject(body.tool_choice) ? body.tool_choice : { type: "auto" };
  if (choice.type === "none" || (choice.type === "auto" && model !== "fake-tools")) return null;
  if (choice.type === "tool" && typeof choice.name === "string") return choice.name;
  return typeof tools[0]!.name === "string" ? tools[0]!.name : null;
}

function describeMedia(lastUser: JsonObject | undefined): string {
  const images = countBlocks(lastUser?.content, "image");
  const documents = countBlocks(lastUser?.content, "document");
  return images + documents === 0 ? "" : ` [images: ${images}, documents: ${documents}]`;
}

/**
 * The answer: a forced tool call (`tool_choice` any/tool, or `fake-tools` with
 * tools) whose input is `{"query": <last user text>}`; else JSON fitting
 * `output_config.format.schema`; else `Fake answer to: <last user text>`,
 * mentioning its images and documents. With `thinking` enabled, a thinking
 * block comes first. The text ends before the first of `stop_sequences` it
 * holds; `max_tokens` cuts it to that many words.
 */
export function buildReply(body: JsonObject, model: string, messages: readonly JsonObject[], id: number): Reply {
  const lastUser = [...messages].reverse().find((message) => message.role === "user");
  const userText = contentText(lastUser?.content).replace(/\s+/g, " ").trim().slice(0, 200);
  const content: Block[] = [];
  let output = 0;
  let thinkingTokens = 0;
  if (isObject(body.thinking) && (body.thinking.type === "enabled" || body.thinking.type === "adaptive")) {
    const thinking = `Fake thinking about: ${userText}`;
    thinkingTokens = countWords(thinking);
    output += thinkingTokens;
    content.push({ type: "thinking", thinking, signature: `fake-signature-${id}` });
  }
  const tool = calledTool(body, model, lastUser);
  let stopReason: Reply["stopReason"] = "end_turn";
  let stopSequence: string | null = null;
  if (tool !== null) {
    content.push({ type: "tool_use", id: `toolu_fake_${id}`, name: tool, input: { query: userText } });
    output += 1;
    stopReason = "tool_use";
  } else {
    const format = isObject(body.output_config) && isObject(body.output_config.format) ? body.output_config.format : null;
    const stopped = cutAtStop(
      format?.type === "json_schema" ? JSON.stringify(valueForSchema(format.schema)) : `Fake answer to: ${userText}${describeMedia(lastUser)}`,
      body.stop_sequences,
    );
    let words = stopped.text.split(" ");
    if (stopped.sequence !== null) {
      stopReason = "stop_sequence";
      stopSequence = stopped.sequence;
    }
    const cap = typeof body.max_tokens === "number" ? body.max_tokens - output : Number.POSITIVE_INFINITY;
    if (words.length > cap) {
      words = words.slice(0, Math.max(0, cap));
      stopReason = "max_tokens";
      stopSequence = null;
    }
    content.push({ type: "text", text: words.join(" ") });
    output += words.length;
  }
  const cached = model === "fake-cache";
  const usage: Usage = {
    input_tokens: inputTokens(body, messages),
    cache_creation_input_tokens: cached ? FAKE_CACHE_WRITE_TOKENS : 0,
    cache_read_input_tokens: cached ? FAKE_CACHE_READ_TOKENS : 0,
    output_tokens: output,
  };
  if (thinkingTokens > 0) usage.output_tokens_details = { thinking_tokens: thinkingTokens };
  return { content, stopReason, stopSequence, usage };
}

/** The text up to the first of `stopSequences` it holds (the sequence left out, as Anthropic does), and that sequence. */
function cutAtStop(text: string, stopSequences: unknown): { text: string; sequence: string | null } {
  let cut: { at: number; sequence: string } | null = null;
  for (const sequence of Array.isArray(stopSequences) ? stopSequences : []) {
    if (typeof sequence !== "string" || sequence === "") continue;
    const at = text.indexOf(sequence);
    if (at !== -1 && (cut === null || at < cut.at)) cut = { at, sequence };
  }
  return cut === null ? { text, sequence: null } : { text: text.slice(0, cut.at).trimEnd(), sequence: cut.sequence };
}

export function messageBody(id: number, model: string, reply: Reply): JsonObject {
  return {
    id: `msg_fake_${id}`,
    type: "message",
    role: "assistant",
    model,
    content: reply.content,
    stop_reason: reply.stopReason,
    stop_sequence: reply.stopSequence,
    usage: reply.usage,
  };
}

function event(type: string, data: JsonObject): string {
  return `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
}

/** A text block's deltas: one per word (each but the first with its leading space), as Anthropic streams short pieces. */
function pieces(text: string): string[] {
  return text.split(/(?= )/).filter((piece) => piece !== "");
}

/** The stream's events, in order; `cut` stops after the first block's first delta (no message_stop). */
export function streamEvents(id: number, model: string, reply: Reply, cut = false): string[] {
  const start = {
    ...messageBody(id, model, reply),
    content: [],
    stop_reason: null,
    stop_sequence: null,
    usage: { ...reply.usage, output_tokens: 1, output_tokens_details: undefined },
  };
  const events = [event("message_start", { message: start }), event("ping", {})];
  reply.content.forEach((block, index) => {
    if (block.type === "text") {
      events.push(event("content_block_start", { index, content_block: { type: "text", text: "" } }));
      for (const text of pieces(block.text)) events.push(event("content_block_delta", { index, delta: { type: "text_delta", text } }));
    } else if (block.type === "thinking") {
      events.push(event("content_block_start", { index, content_block: { type: "thinking", thinking: "" } }));
      for (const thinking of pieces(block.thinking)) events.push(event("content_block_delta", { index, delta: { type: "thinking_delta", thinking } }));
      events.push(event("content_block_delta", { index, delta: { type: "signature_delta", signature: block.signature } }));
    } else {
      events.push(event("content_block_start", { index, content_block: { type: "tool_use", id: block.id, name: block.name, input: {} } }));
      const json = JSON.stringify(block.input);
      for (const partial of ["", json.slice(0, 5), json.slice(5)])
        events.push(event("content_block_delta", { index, delta: { type: "input_json_delta", partial_json: partial } }));
    }
    events.push(event("content_block_stop", { index }));
  });
  if (cut) return events.slice(0, 4);
  const { output_tokens, output_tokens_details } = reply.usage;
  events.push(
    event("message_delta", {
      delta: { stop_reason: reply.stopReason, stop_sequence: reply.stopSequence },
      usage: { output_tokens, ...(output_tokens_details ? { output_tokens_details } : {}) },
    }),
  );
  events.push(event("message_stop", {}));
  return events;
}

/** An error event in the stream, as Anthropic sends when it fails after the 200. */
export function streamErrorEvent(type: string, message: string): string {
  return `event: error\ndata: ${JSON.stringify(errorBody(type, message))}\n\n`;
}

/** Words of the `fake-slow-stream` answer: `word1 … word40`. */
export const SLOW_STREAM_WORDS = 40;

/** The `fake-slow-stream` answer's events: one text delta per word (` word2`, …), then the end, with usage counting the words. */
export function slowStreamEvents(id: number, model: string, reply: Reply): string[] {
  const words = Array.from({ length: SLOW_STREAM_WORDS }, (_, index) => `${index === 0 ? "" : " "}word${index + 1}`);
  const usage = { ...reply.usage, output_tokens: SLOW_STREAM_WORDS, output_tokens_details: undefined };
  const start = { ...messageBody(id, model, reply), content: [], stop_reason: null, stop_sequence: null, usage: { ...usage, output_tokens: 1 } };
  return [
    event("message_start", { message: start }),
    event("content_block_start", { index: 0, content_block: { type: "text", text: "" } }),
    ...words.map((text) => event("content_block_delta", { index: 0, delta: { type: "text_delta", text } })),
    event("content_block_stop", { index: 0 }),
    event("message_delta", { delta: { stop_reason: "end_turn", stop_sequence: null }, usage: { output_tokens: SLOW_STREAM_WORDS } }),
    event("message_stop", {}),
  ];
}
