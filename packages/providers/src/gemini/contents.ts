import type { ContentPart, MediaSource, Message, ModelRequest } from "@bentoo/core";
import { refuse } from "./refuse.js";
import { signatureOf } from "./tool-call-id.js";
import type { GeminiContent, GeminiPart, GeminiRequest, GeminiRole } from "./wire.js";

/**
 * A conversation in Bentoo's terms as Gemini's `contents` and `systemInstruction`.
 * https://ai.google.dev/api/caching#Content (Content, Part, Blob, FileData,
 * FunctionCall, FunctionResponse) and https://ai.google.dev/api/generate-content
 * (GenerateContentRequest.systemInstruction: text only).
 *
 * - System messages, wherever they stand, become `systemInstruction`'s text parts,
 *   in order: Gemini has one system instruction per request.
 * - Roles: user → `user`, assistant → `model`, tool → `user` (its function
 *   responses); consecutive turns of the same role are merged into one content, as
 *   Gemini expects turns to alternate.
 * - Images, files and audio given as base64 go as `inlineData`; given by URL, as
 *   `fileData.fileUri`, which Gemini fetches itself (https:// and gs:// URLs and
 *   Files API URIs, https://ai.google.dev/gemini-api/docs/file-input-methods);
 *   another scheme is refused with a 400 naming the part.
 *   An image's `detail` has no equivalent and is not sent.
 * - Tool calls become `functionCall` parts (arguments parsed: Gemini takes an
 *   object), with the thought signature their id carries (tool-call-id.ts). On
 *   models that check signatures, a call with none (made by another model, or
 *   written by the client) gets the placeholder the thought-signatures guide
 *   documents for that case, on the first call of its turn.
 * - Tool results become `functionResponse` parts, which need the function's name:
 *   it is looked up from the call of the same id earlier in the conversation.
 *   Their text goes under `output` (`error` for a failed call), as the
 *   FunctionResponse reference asks.
 * - Reasoning from earlier turns goes back as `thought` parts; redacted reasoning
 *   (another provider's encrypted thinking) means nothing to Gemini and is left out.
 * - Message names and prompt-cache hints have no Gemini field (Gemini caches
 *   implicitly) and are not sent.
 */

/** What Gemini 3 accepts for a function call whose signature is unknown (https://ai.google.dev/gemini-api/docs/thought-signatures). */
export const UNKNOWN_SIGNATURE = "skip_thought_signature_validator";

const AUDIO_TYPES: Record<string, string> = { wav: "audio/wav", mp3: "audio/mp3" };
const URL_MEDIA_TYPES: Record<string, string> = {
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  webp: "image/webp",
  heic: "image/heic",
  heif: "image/heif",
  gif: "image/gif",
  pdf: "application/pdf",
};

/** Where a part stands, for errors: `message 3 (tool)`. */
const where = (index: number, message: Message) => `message ${index + 1} (${message.role})`;

export function geminiContents(request: ModelRequest, checksSignatures: boolean): Pick<GeminiRequest, "contents" | "systemInstruction"> {
  const system: Array<{ text: string }> = [];
  const contents: GeminiContent[] = [];
  const callNames = new Map<string, string>();
  request.messages.forEach((message, index) => {
    if (message.role === "system") {
      for (const part of message.parts) {
        if (part.type !== "text") refuse(`${where(index, message)} has ${describe(part)}; Gemini takes text only in system instructions.`);
        system.push({ text: part.text });
      }
      return;
    }
    const parts: GeminiPart[] = [];
    for (const part of message.parts) {
      const converted = geminiPart(part, where(index, message), message.role === "assistant", callNames, request);
      if (converted !== null) parts.push(converted);
    }
    if (parts.length === 0) return;
    const role: GeminiRole = message.role === "assistant" ? "model" : "user";
    const previous = contents.at(-1);
    if (previous?.role === role) previous.parts.push(...parts);
    else contents.push({ role, parts });
  });
  if (contents.length === 0)
    refuse("The conversation has only system instructions (or empty messages); Gemini needs at least one user or assistant message with content.", "messages");
  if (checksSignatures) for (const content of contents) if (content.role === "model") signFirstCall(content);
  return system.length === 0 ? { contents } : { contents, systemInstruction: { parts: system } };
}

function geminiPart(part: ContentPart, at: string, fromModel: boolean, callNames: Map<string, string>, request: ModelRequest): GeminiPart | null {
  switch (part.type) {
    case "text":
      return part.text === "" ? null : { text: part.text };
    case "refusal":
      return part.text === "" ? null : { text: part.text };
    case "reasoning":
      return part.redacted === true || part.text === "" ? null : { text: part.text, thought: true };
    case "image":
    case "file":
      return media(part.source, at, part.type === "file" ? part.filename : undefined);
    case "audio": {
      const mimeType = AUDIO_TYPES[part.format] ?? `audio/${part.format}`;
      return { inlineData: { mimeType, data: part.data } };
    }
    case "tool-call": {
      if (!fromModel) refuse(`${at} has a tool call; only assistant messages can.`);
      callNames.set(part.id, part.name);
      const signature = signatureOf(part.id);
      const call: GeminiPart = { functionCall: { name: part.name, args: callArguments(part.arguments, at) } };
      if (signature !== null) call.thoughtSignature = signature;
      return call;
    }
    case "tool-result":
      return {
        functionResponse: { name: functionName(part.toolCallId, at, callNames, request), response: toolOutput(part.content, part.isError === true, at) },
      };
    case "unsupported":
      return refuse(`${at} has ${part.description}, which Bentoo cannot send to Gemini.`);
  }
}

function media(source: MediaSource, at: string, filename: string | undefined): GeminiPart {
  if (source.kind === "base64") return { inlineData: { mimeType: source.mediaType, data: source.data } };
  let url: URL;
  try {
    url = new URL(source.url);
  } catch {
    return refuse(`${at} has a media URL that is not a valid URL.`);
  }
  if (url.protocol !== "https:" && url.protocol !== "gs:") {
    refuse(
      `${at} has a media URL with the scheme "${url.protocol}"; Gemini fetches https:// and gs:// URLs only. Send the bytes as a base64 data: URL instead.`,
    );
  }
  const extension = /\.([A-Za-z0-9]+)$/.exec(filename ?? url.pathname)?.[1]?.toLowerCase();
  const mimeType = extension === undefined ? undefined : URL_MEDIA_TYPES[extension];
  return { fileData: mimeType === undefined ? { fileUri: source.url } : { mimeType, fileUri: source.url } };
}

function callArguments(text: string, at: string): Record<string, unknown> {
  if (text.trim() === "") return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = undefined;
  }
  if (typeof value !== "object" || value === null || Array.isArray(value))
    refuse(`${at} has a tool call whose arguments are not a JSON object; Gemini takes arguments as an object.`);
  return value as Record<string, unknown>;
}

function functionName(callId: string, at: string, callNames: Map<string, string>, request: ModelRequest): string {
  const name = callNames.get(callId);
  if (name !== undefined) return name;
  // Chat Completions' legacy `function` messages name the function instead of a call id.
  if (request.tools.some((tool) => tool.name === callId)) return callId;
  return refuse(`${at} answers the tool call "${callId}", which no earlier assistant message made; Gemini needs the call to name the function.`);
}

function toolOutput(content: readonly ContentPart[], isError: boolean, at: string): Record<string, unknown> {
  const texts: string[] = [];
  for (const part of content) {
    if (part.type !== "text") refuse(`${at} has a tool result with ${describe(part)}; Bentoo sends Gemini tool results as text.`);
    texts.push(part.text);
  }
  return { [isError ? "error" : "output"]: texts.join("\n") };
}

/** Puts the placeholder signature on a turn's first function call when none of its calls carries one. */
function signFirstCall(content: GeminiContent): void {
  const calls = content.parts.filter((part) => part.functionCall !== undefined);
  if (calls.length > 0 && calls.every((part) => part.thoughtSignature === undefined)) calls[0]!.thoughtSignature = UNKNOWN_SIGNATURE;
}

function describe(part: ContentPart): string {
  switch (part.type) {
    case "unsupported":
      return part.description;
    case "tool-call":
      return "a tool call";
    case "tool-result":
      return "a tool result";
    default:
      return `a part of type "${part.type}"`;
  }
}
