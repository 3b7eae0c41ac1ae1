import { type CacheHint, type ContentPart, invalid, isJsonObject, type JsonObject, type MediaSource } from "@bentoo/core";

/**
 * Content blocks of Anthropic's Messages API in Bentoo's own terms, checked for
 * what a translation reads (a 400 naming the block otherwise), following the
 * reference of `POST /v1/messages` (https://docs.anthropic.com/en/api/messages):
 * - `text` is text; `image` (base64 or URL source) an image
 *   (https://docs.anthropic.com/en/docs/build-with-claude/vision); `document`
 *   (base64 PDF, plain text or URL source) a file
 *   (https://docs.anthropic.com/en/docs/build-with-claude/pdf-support);
 * - `tool_use` a tool call whose arguments are its `input` as JSON text, and
 *   `tool_result` a tool result of text, images and documents
 *   (https://docs.anthropic.com/en/docs/agents-and-tools/tool-use/implement-tool-use);
 * - `thinking` and `redacted_thinking` reasoning, with its signature
 *   (https://docs.anthropic.com/en/docs/build-with-claude/extended-thinking);
 * - `cache_control` a cache hint (https://docs.anthropic.com/en/docs/build-with-claude/prompt-caching);
 * - any other block (server tools' calls and results, search results, a file
 *   given by id) an `unsupported` part: it passes through to Anthropic and is
 *   refused by name by a translation.
 */

/** Where a block is, for error messages: `messages[2].content[0]`. */
export type Where = string;

/** A block's `cache_control`, when it is the ephemeral kind. */
export function cacheHint(block: JsonObject, where: Where): CacheHint | undefined {
  const control = block.cache_control;
  if (control === undefined || control === null) return undefined;
  if (!isJsonObject(control) || control.type !== "ephemeral") {
    throw invalid(`${where}.cache_control`, `${where}.cache_control must be {"type":"ephemeral"} (optionally with a "ttl" such as "5m" or "1h").`);
  }
  return typeof control.ttl === "string" ? { type: "ephemeral", ttl: control.ttl } : { type: "ephemeral" };
}

function requireString(block: JsonObject, member: string, where: Where, example: string): string {
  const value = block[member];
  if (typeof value !== "string")
    throw invalid(`${where}.${member}`, `${where}.${member} ${value === undefined ? "is required" : "must be a string"}, e.g. ${example}.`);
  return value;
}

/** A text block's text, with its cache hint. */
export function textPart(block: JsonObject, where: Where): ContentPart {
  const text = requireString(block, "text", where, '{"type":"text","text":"Hello"}');
  const cache = cacheHint(block, where);
  return cache === undefined ? { type: "text", text } : { type: "text", text, cache };
}

const IMAGE_SOURCE_HINT = 'an image source must be {"type":"base64","media_type":"image/png","data":"…"} or {"type":"url","url":"https://…"}';

function imagePart(block: JsonObject, where: Where): ContentPart {
  const source = block.source;
  if (!isJsonObject(source)) throw invalid(`${where}.source`, `${where}.source is required: ${IMAGE_SOURCE_HINT}.`);
  let media: MediaSource;
  if (source.type === "base64" && typeof source.media_type === "string" && typeof source.data === "string") {
    media = { kind: "base64", mediaType: source.media_type, data: source.data };
  } else if (source.type === "url" && typeof source.url === "string") {
    media = { kind: "url", url: source.url };
  } else if (source.type === "file") {
    return { type: "unsupported", description: `an image given by file id (${where})` };
  } else {
    throw invalid(`${where}.source`, `${where}.source is not valid: ${IMAGE_SOURCE_HINT}.`);
  }
  const cache = cacheHint(block, where);
  return cache === undefined ? { type: "image", source: media } : { type: "image", source: media, cache };
}

const DOCUMENT_SOURCE_HINT =
  'a document source must be {"type":"base64","media_type":"application/pdf","data":"…"}, {"type":"text","media_type":"text/plain","data":"…"} or {"type":"url","url":"https://…"}';

function documentPart(block: JsonObject, where: Where): ContentPart {
  const source = block.source;
  if (!isJsonObject(source)) throw invalid(`${where}.source`, `${where}.source is required: ${DOCUMENT_SOURCE_HINT}.`);
  let media: MediaSource;
  if (source.type === "base64" && typeof source.media_type === "string" && typeof source.data === "string") {
    media = { kind: "base64", mediaType: source.media_type, data: source.data };
  } else if (source.type === "text" && typeof source.data === "string") {
    media = { kind: "base64", mediaType: "text/plain", data: Buffer.from(source.data, "utf8").toString("base64") };
  } else if (source.type === "url" && typeof source.url === "string") {
    media = { kind: "url", url: source.url };
  } else if (source.type === "content" || source.type === "file") {
    return { type: "unsupported", description: `a document with a ${source.type} source (${where})` };
  } else {
    throw invalid(`${where}.source`, `${where}.source is not valid: ${DOCUMENT_SOURCE_HINT}.`);
  }
  const part: ContentPart = { type: "file", source: media };
  if (typeof block.title === "string") part.filename = block.title;
  const cache = cacheHint(block, where);
  if (cache !== undefined) part.cache = cache;
  return part;
}

/** A text, image or document block: what a user turn, a system prompt's neighbours and a tool result hold. */
function mediaPart(block: JsonObject, where: Where): ContentPart | null {
  switch (block.type) {
    case "text":
      return textPart(block, where);
    case "image":
      return imagePart(block, where);
    case "document":
      return documentPart(block, where);
    default:
      return null;
  }
}

function toolResultPart(block: JsonObject, where: Where): ContentPart {
  const toolCallId = requireString(block, "tool_use_id", where, '{"type":"tool_result","tool_use_id":"toolu_…","content":"…"}');
  const content = block.content;
  let parts: ContentPart[];
  if (content === undefined || content === null) parts = [];
  else if (typeof content === "string") parts = content === "" ? [] : [{ type: "text", text: content }];
  else if (Array.isArray(content)) parts = content.map((inner: unknown, index) => resultContent(inner, `${where}.content[${index}]`));
  else throw invalid(`${where}.content`, `${where}.content must be a string or a list of text, image and document blocks.`);
  const part: ContentPart = { type: "tool-result", toolCallId, content: parts };
  if (block.is_error === true) part.isError = true;
  const cache = cacheHint(block, where);
  if (cache !== undefined) part.cache = cache;
  return part;
}

function resultContent(block: unknown, where: Where): ContentPart {
  if (!isJsonObject(block) || typeof block.type !== "string") throw invalid(where, `${where} must be a content block with a "type".`);
  return mediaPart(block, where) ?? { type: "unsupported", description: `a ${block.type} block in a tool result (${where})` };
}

function toolUsePart(block: JsonObject, where: Where): ContentPart {
  const id = requireString(block, "id", where, '"toolu_01A…"');
  const name = requireString(block, "name", where, '"get_weather"');
  if (!isJsonObject(block.input)) throw invalid(`${where}.input`, `${where}.input must be the tool's input as a JSON object.`);
  return { type: "tool-call", id, name, arguments: JSON.stringify(block.input) };
}

/** One block of a message's content; `role` decides which blocks it may hold. */
export function contentPart(block: unknown, role: "user" | "assistant", where: Where): ContentPart {
  if (!isJsonObject(block) || typeof block.type !== "string") {
    throw invalid(where, `${where} must be a content block object with a "type", e.g. {"type":"text","text":"Hello"}.`);
  }
  const media = mediaPart(block, where);
  if (media !== null) return media;
  switch (block.type) {
    case "tool_use":
      if (role !== "assistant") throw invalid(where, `${where} is a tool_use block, which only an assistant message may hold.`);
      return toolUsePart(block, where);
    case "tool_result":
      if (role !== "user") throw invalid(where, `${where} is a tool_result block, which only a user message may hold.`);
      return toolResultPart(block, where);
    case "thinking": {
      const text = requireString(block, "thinking", where, '"…"');
      const signature = requireString(block, "signature", where, "the signature the answer carried");
      return { type: "reasoning", text, signature };
    }
    case "redacted_thinking":
      return { type: "reasoning", text: requireString(block, "data", where, "the data the answer carried"), redacted: true };
    default:
      return { type: "unsupported", description: `a ${block.type} block (${where})` };
  }
}

/** A message's content: a string (one text block) or a list of blocks. */
export function contentParts(content: unknown, role: "user" | "assistant", where: Where): ContentPart[] {
  if (typeof content === "string") return [{ type: "text", text: content }];
  if (!Array.isArray(content)) {
    throw invalid(`${where}.content`, `${where}.content is required: a string, or a list of content blocks like [{"type":"text","text":"Hello"}].`);
  }
  return content.map((block: unknown, index) => contentPart(block, role, `${where}.content[${index}]`));
}

/** The system prompt: a string, or a list of text blocks (each may carry `cache_control`). */
export function systemParts(system: unknown, where: Where): ContentPart[] {
  if (typeof system === "string") return system === "" ? [] : [{ type: "text", text: system }];
  if (!Array.isArray(system)) throw invalid(where, `${where} must be a string or a list of text blocks like [{"type":"text","text":"You are …"}].`);
  return system.map((block: unknown, index) => {
    const at = `${where}[${index}]`;
    if (!isJsonObject(block) || block.type !== "text") throw invalid(at, `${at} must be a text block: {"type":"text","text":"…"}.`);
    return textPart(block, at);
  });
}
