import { BentooError, type CacheHint, type ContentPart, type MediaSource, type Message } from "@bentoo/core";
import type { CacheControl, ContentBlock, DocumentBlock, ImageBlock, TextBlock, ToolResultBlock, Turn } from "./wire.js";

/**
 * Bentoo's messages as Anthropic's `system` and `messages`, following the
 * Messages API reference (https://docs.anthropic.com/en/api/messages):
 * - system messages, wherever the client put them, become the top-level `system`
 *   (one string, or text blocks when a part carries a cache hint);
 * - turns alternate user/assistant: consecutive turns of one role are merged,
 *   and tool results go in a user turn as `tool_result` blocks
 *   (https://docs.anthropic.com/en/docs/agents-and-tools/tool-use/implement-tool-use);
 * - tool calls become `tool_use` blocks whose `input` is the parsed arguments;
 * - images are `image` blocks with a base64 or URL source
 *   (https://docs.anthropic.com/en/docs/build-with-claude/vision);
 * - PDF and plain-text files are `document` blocks
 *   (https://docs.anthropic.com/en/docs/build-with-claude/pdf-support);
 * - reasoning the model signed goes back as `thinking` blocks
 *   (https://docs.anthropic.com/en/docs/build-with-claude/extended-thinking);
 * - a cache hint becomes the block's `cache_control`
 *   (https://docs.anthropic.com/en/docs/build-with-claude/prompt-caching).
 * What Anthropic cannot take (audio, other file types) is a 400 naming the
 * message. A participant `name` has no place in the Messages API and is left out.
 */
export interface Conversation {
  system: string | TextBlock[] | undefined;
  turns: Turn[];
}

export function anthropicConversation(messages: readonly Message[]): Conversation {
  const system: TextBlock[] = [];
  const turns: Turn[] = [];
  messages.forEach((message, index) => {
    if (message.role === "system") {
      system.push(...systemBlocks(message.parts, index));
      return;
    }
    const role = message.role === "assistant" ? "assistant" : "user";
    const content = message.parts.flatMap((part) => (role === "assistant" ? assistantBlocks(part, index) : userBlocks(part, index)));
    if (content.length === 0) return;
    const last = turns.at(-1);
    if (last?.role === role) last.content.push(...content);
    else turns.push({ role, content });
  });
  return { system: systemPrompt(system), turns };
}

function systemPrompt(blocks: TextBlock[]): string | TextBlock[] | undefined {
  if (blocks.length === 0) return undefined;
  return blocks.some((block) => block.cache_control !== undefined) ? blocks : blocks.map((block) => block.text).join("\n\n");
}

function refuse(index: number, what: string, why: string): BentooError {
  return new BentooError("invalid_request", `messages[${index}] has ${what}, which ${why}.`, { param: `messages[${index}].content` });
}

function cacheControl(hint: CacheHint | undefined): { cache_control?: CacheControl } {
  if (hint === undefined) return {};
  return { cache_control: hint.ttl === undefined ? { type: "ephemeral" } : { type: "ephemeral", ttl: hint.ttl } };
}

function systemBlocks(parts: readonly ContentPart[], index: number): TextBlock[] {
  return parts.flatMap((part): TextBlock[] => {
    if (part.type !== "text") throw refuse(index, `a ${part.type} part in a system message`, "Anthropic's system prompt cannot hold (it takes text only)");
    return part.text === "" ? [] : [{ type: "text", text: part.text, ...cacheControl(part.cache) }];
  });
}

function imageBlock(source: MediaSource, cache: CacheHint | undefined): ImageBlock {
  const wire = source.kind === "url" ? { type: "url" as const, url: source.url } : { type: "base64" as const, media_type: source.mediaType, data: source.data };
  return { type: "image", source: wire, ...cacheControl(cache) };
}

function documentBlock(part: Extract<ContentPart, { type: "file" }>, index: number): DocumentBlock {
  const title = part.filename === undefined ? {} : { title: part.filename };
  const source = part.source;
  if (source.kind === "url") return { type: "document", source: { type: "url", url: source.url }, ...title, ...cacheControl(part.cache) };
  if (source.mediaType === "application/pdf")
    return { type: "document", source: { type: "base64", media_type: "application/pdf", data: source.data }, ...title, ...cacheControl(part.cache) };
  if (source.mediaType === "text/plain") {
    const text = Buffer.from(source.data, "base64").toString("utf8");
    return { type: "document", source: { type: "text", media_type: "text/plain", data: text }, ...title, ...cacheControl(part.cache) };
  }
  throw refuse(index, `a file of type ${source.mediaType}`, "Anthropic cannot read (it takes PDF and plain-text files)");
}

/** Content of a tool result: text, images and documents; the rest is refused. */
function resultContent(parts: readonly ContentPart[], index: number): ToolResultBlock["content"] {
  const content = parts.flatMap((part): Array<TextBlock | ImageBlock | DocumentBlock> => {
    if (part.type === "text") return part.text === "" ? [] : [{ type: "text", text: part.text, ...cacheControl(part.cache) }];
    if (part.type === "image") return [imageBlock(part.source, part.cache)];
    if (part.type === "file") return [documentBlock(part, index)];
    throw refuse(index, `a ${part.type === "unsupported" ? part.description : `${part.type} part`} in a tool result`, "Anthropic's tool results cannot hold");
  });
  return content.length === 0 ? undefined : content;
}

function userBlocks(part: ContentPart, index: number): ContentBlock[] {
  switch (part.type) {
    case "text":
    case "refusal":
      return part.text === "" ? [] : [{ type: "text", text: part.text, ...(part.type === "text" ? cacheControl(part.cache) : {}) }];
    case "image":
      return [imageBlock(part.source, part.cache)];
    case "file":
      return [documentBlock(part, index)];
    case "tool-result": {
      const content = resultContent(part.content, index);
      return [
        {
          type: "tool_result",
          tool_use_id: part.toolCallId,
          ...(content === undefined ? {} : { content }),
          ...(part.isError === true ? { is_error: true } : {}),
          ...cacheControl(part.cache),
        },
      ];
    }
    case "audio":
      throw refuse(index, "an audio part", "Anthropic's models cannot take (they read text, images and documents)");
    case "unsupported":
      throw refuse(index, part.description, "Anthropic's Messages API cannot take");
    case "tool-call":
    case "reasoning":
      throw refuse(index, `a ${part.type} part outside an assistant message`, "Anthropic's Messages API cannot take");
  }
}

function assistantBlocks(part: ContentPart, index: number): ContentBlock[] {
  switch (part.type) {
    case "text":
    case "refusal":
      return part.text === "" ? [] : [{ type: "text", text: part.text }];
    case "tool-call":
      return [{ type: "tool_use", id: part.id, name: part.name, input: toolInput(part.arguments, index) }];
    case "reasoning":
      // Anthropic verifies thinking it gets back by its signature; unsigned reasoning cannot go back.
      // Redacted reasoning carries the provider's opaque data as its text.
      if (part.redacted === true) return [{ type: "redacted_thinking", data: part.text }];
      return part.signature === undefined ? [] : [{ type: "thinking", thinking: part.text, signature: part.signature }];
    case "unsupported":
      throw refuse(index, part.description, "Anthropic's Messages API cannot take");
    default:
      throw refuse(index, `a ${part.type} part in an assistant message`, "Anthropic's assistant turns cannot hold");
  }
}

/** A tool call's arguments (JSON text) as the object Anthropic's `tool_use.input` is; "" is no arguments. */
function toolInput(text: string, index: number): Record<string, unknown> {
  if (text.trim() === "") return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = null;
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new BentooError(
      "invalid_request",
      `messages[${index}].tool_calls has arguments that are not a JSON object; Anthropic takes tool input as an object.`,
      {
        param: `messages[${index}].tool_calls`,
      },
    );
  }
  return value as Record<string, unknown>;
}
