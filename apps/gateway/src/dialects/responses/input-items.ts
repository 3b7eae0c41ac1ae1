import { type ContentPart, invalid, isJsonObject, type JsonObject, type MediaSource, type Message } from "@bentoo/core";
import { mediaSource } from "../chat-completions/to-model-request.js";

/**
 * The Responses API's `input`: a string, or a list of items, checked and mapped
 * to Bentoo's messages. Items Bentoo serves: messages (`input_text`,
 * `input_image`, `input_file` parts; an assistant's `output_text` and `refusal`),
 * `function_call` and `function_call_output`, `reasoning`, and `item_reference`
 * (resolved from stored responses before the mapping). Anything else belongs to
 * a built-in tool Bentoo does not run, or to OpenAI's file storage, and is a 400
 * naming it. https://platform.openai.com/docs/api-reference/responses/create#responses-create-input
 */
const ROLES = new Set(["user", "assistant", "system", "developer"]);
const ITEM_TYPES = ["message", "function_call", "function_call_output", "reasoning", "item_reference"];

/** The input as a list of items (a string is one user message), each checked. */
export function checkInput(value: unknown): JsonObject[] {
  if (typeof value === "string") return [{ type: "message", role: "user", content: value }];
  if (!Array.isArray(value) || value.length === 0)
    throw invalid("input", 'input must be a string or a non-empty list of input items, e.g. [{"role":"user","content":"Hello"}].');
  value.forEach(checkItem);
  return value as JsonObject[];
}

/** An item's type: `message` when it has a role and no type (OpenAI's "easy" message). */
export function itemType(item: JsonObject): string {
  return typeof item.type === "string" ? item.type : "message";
}

function requireText(record: JsonObject, member: string, param: string): void {
  const value = record[member];
  if (typeof value !== "string") throw invalid(`${param}.${member}`, `${param}.${member} ${value === undefined ? "is required:" : "must be"} a string.`);
}

function requireId(record: JsonObject, member: string, param: string): void {
  const value = record[member];
  if (typeof value !== "string" || value === "") throw invalid(`${param}.${member}`, `${param}.${member} is required: a non-empty string.`);
}

function checkItem(item: unknown, index: number): void {
  const param = `input[${index}]`;
  if (!isJsonObject(item)) throw invalid(param, `${param} must be an object, e.g. {"role":"user","content":"Hello"}.`);
  const type = itemType(item);
  switch (type) {
    case "message":
      checkMessage(item, param);
      break;
    case "function_call":
      requireId(item, "call_id", param);
      requireId(item, "name", param);
      requireText(item, "arguments", param);
      break;
    case "function_call_output":
      requireId(item, "call_id", param);
      checkOutput(item.output, `${param}.output`);
      break;
    case "reasoning":
      for (const member of ["summary", "content"]) {
        const list = item[member];
        if (list === undefined || list === null) continue;
        if (!Array.isArray(list) || list.some((entry) => !isJsonObject(entry) || typeof entry.text !== "string"))
          throw invalid(`${param}.${member}`, `${param}.${member} must be a list of {"type","text"} parts.`);
      }
      break;
    case "item_reference":
      requireId(item, "id", param);
      break;
    default:
      throw invalid(
        `${param}.type`,
        `${param} is a "${type.slice(0, 64)}" item, which Bentoo cannot take: it serves ${ITEM_TYPES.join(", ")} items (built-in tools such as web or file search are not run). Remove it, or send its content as a message.`,
      );
  }
}

function checkOutput(output: unknown, param: string): void {
  if (typeof output === "string") return;
  if (!Array.isArray(output)) throw invalid(param, `${param} must be a string or a list of input_text, input_image and input_file parts.`);
  output.forEach((part: unknown, index) => {
    checkPart(part, `${param}[${index}]`, "user");
  });
}

function checkMessage(item: JsonObject, param: string): void {
  if (typeof item.role !== "string" || !ROLES.has(item.role)) throw invalid(`${param}.role`, `${param}.role must be one of: ${[...ROLES].join(", ")}.`);
  const content = item.content;
  if (typeof content === "string") return;
  if (!Array.isArray(content)) throw invalid(`${param}.content`, `${param}.content must be a string or a list of content parts.`);
  content.forEach((part: unknown, index) => {
    checkPart(part, `${param}.content[${index}]`, item.role as string);
  });
}

function checkPart(part: unknown, param: string, role: string): void {
  if (!isJsonObject(part)) throw invalid(param, `${param} must be a content part object.`);
  const type = String(part.type);
  const allowed =
    role === "assistant" ? ["output_text", "refusal", "input_text"] : role === "user" ? ["input_text", "input_image", "input_file"] : ["input_text"];
  if (!allowed.includes(type)) {
    const found = part.type === undefined ? "has no type" : `has type "${type.slice(0, 64)}"`;
    throw invalid(`${param}.type`, `${param} ${found}; a ${role} message takes ${allowed.join(", ")} parts.`);
  }
  if (type === "refusal" || type === "input_text" || type === "output_text") {
    requireText(part, type === "refusal" ? "refusal" : "text", param);
    return;
  }
  if (part.file_id !== undefined && part.file_id !== null)
    throw invalid(
      `${param}.file_id`,
      `${param} refers to an OpenAI file id, which Bentoo has no storage for; send the content inline (a data: URL) or by URL instead.`,
    );
  if (type === "input_image" && typeof part.image_url !== "string")
    throw invalid(`${param}.image_url`, `${param}.image_url is required: a URL or a data: URL.`);
  if (type === "input_file" && typeof part.file_data !== "string" && typeof part.file_url !== "string")
    throw invalid(`${param}.file_data`, `${param} needs file_data (a data: URL, or base64 with a filename) or file_url.`);
}

const MEDIA_TYPE_BY_EXTENSION: Record<string, string> = {
  pdf: "application/pdf",
  txt: "text/plain",
  md: "text/markdown",
  csv: "text/csv",
  json: "application/json",
};

/** `file_data`: a data: URL, or bare base64 whose type the filename's extension tells. */
function fileSource(data: string, filename: string | undefined): MediaSource {
  if (data.startsWith("data:")) return mediaSource(data);
  const extension = filename?.split(".").pop()?.toLowerCase() ?? "";
  return { kind: "base64", mediaType: MEDIA_TYPE_BY_EXTENSION[extension] ?? "application/octet-stream", data };
}

function part(wire: JsonObject): ContentPart[] {
  switch (wire.type) {
    case "input_text":
    case "output_text":
      return wire.text === "" ? [] : [{ type: "text", text: wire.text as string }];
    case "refusal":
      return [{ type: "refusal", text: wire.refusal as string }];
    case "input_image": {
      const detail = wire.detail === "low" || wire.detail === "high" || wire.detail === "auto" ? wire.detail : undefined;
      return [{ type: "image", source: mediaSource(wire.image_url as string), ...(detail === undefined ? {} : { detail }) }];
    }
    default: {
      const filename = typeof wire.filename === "string" ? wire.filename : undefined;
      const source: MediaSource = typeof wire.file_data === "string" ? fileSource(wire.file_data, filename) : { kind: "url", url: wire.file_url as string };
      return [{ type: "file", source, ...(filename === undefined ? {} : { filename }) }];
    }
  }
}

function parts(content: unknown): ContentPart[] {
  if (typeof content === "string") return content === "" ? [] : [{ type: "text", text: content }];
  return (content as JsonObject[]).flatMap(part);
}

function reasoningText(item: JsonObject): string {
  const texts = (list: unknown) => (Array.isArray(list) ? (list as JsonObject[]).map((entry) => entry.text as string) : []);
  const content = texts(item.content);
  return (content.length > 0 ? content : texts(item.summary)).join("\n\n");
}

/**
 * Checked items (no item references left) as Bentoo's messages, after the
 * instructions as a system message. An assistant's consecutive items (its
 * message, reasoning and function calls) make one assistant turn; each function
 * call output is a tool message.
 */
export function toMessages(instructions: string | null, items: readonly JsonObject[]): Message[] {
  const messages: Message[] = instructions === null || instructions === "" ? [] : [{ role: "system", parts: [{ type: "text", text: instructions }] }];
  const assistant = (added: ContentPart[]) => {
    const last = messages.at(-1);
    if (last?.role === "assistant") last.parts.push(...added);
    else messages.push({ role: "assistant", parts: added });
  };
  for (const item of items) {
    switch (itemType(item)) {
      case "message": {
        const role = item.role === "assistant" ? "assistant" : item.role === "user" ? "user" : "system";
        if (role === "assistant") assistant(parts(item.content));
        else messages.push({ role, parts: parts(item.content) });
        break;
      }
      case "function_call":
        assistant([{ type: "tool-call", id: item.call_id as string, name: item.name as string, arguments: item.arguments as string }]);
        break;
      case "reasoning": {
        const text = reasoningText(item);
        if (text !== "") assistant([{ type: "reasoning", text }]);
        break;
      }
      case "function_call_output":
        messages.push({ role: "tool", parts: [{ type: "tool-result", toolCallId: item.call_id as string, content: parts(item.output) }] });
        break;
    }
  }
  return messages;
}
