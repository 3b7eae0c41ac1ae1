import {
  type CacheHint,
  type ContentPart,
  isJsonObject,
  type JsonObject,
  type MediaSource,
  type Message,
  type ModelRequest,
  type OutputFormat,
  type ReasoningEffort,
  type Role,
  type Sampling,
  type ToolChoice,
  type ToolDefinition,
} from "@bentoo/core";

/**
 * A checked Chat Completions body in Bentoo's own terms. Lenient: the body was
 * checked for what Bentoo relies on (parse-request.ts); anything else that has no
 * place in ModelRequest becomes an `unsupported` part or name, for a translator to
 * refuse. A passthrough never reads this, it forwards the body.
 * https://platform.openai.com/docs/api-reference/chat/create
 */
const ROLE_OF: Record<string, Role> = { system: "system", developer: "system", user: "user", assistant: "assistant", tool: "tool", function: "tool" };
const EFFORTS = new Set<string>(["minimal", "low", "medium", "high"]);
/** Parameters a client may send that no provider translation carries. */
const UNSUPPORTED = ["logprobs", "top_logprobs", "logit_bias", "audio", "modalities", "prediction", "web_search_options"];

const text = (value: string): ContentPart => ({ type: "text", text: value });

/** A URL, or a `data:` URL carrying base64 bytes. */
export function mediaSource(url: string): MediaSource {
  const data = /^data:([^;,]+);base64,(.*)$/s.exec(url);
  return data === null ? { kind: "url", url } : { kind: "base64", mediaType: data[1]!, data: data[2]! };
}

/**
 * A part's `cache_control` (`{"type":"ephemeral","ttl"?}`), the prompt-cache
 * breakpoint that OpenAI-compatible clients of Anthropic models send on content
 * parts; providers with explicit prompt caching take it.
 */
function cacheHint(part: JsonObject): CacheHint | null {
  const control = part.cache_control;
  if (!isJsonObject(control) || control.type !== "ephemeral") return null;
  return typeof control.ttl === "string" ? { type: "ephemeral", ttl: control.ttl } : { type: "ephemeral" };
}

/** One element of a message's `content` list. */
function contentPart(part: unknown): ContentPart {
  if (!isJsonObject(part)) return { type: "unsupported", description: "a content part that is not an object" };
  const described = contentPartOf(part);
  const cache = part.cache_control === undefined ? null : cacheHint(part);
  if (cache !== null && (described.type === "text" || described.type === "image" || described.type === "file")) described.cache = cache;
  return described;
}

function contentPartOf(part: JsonObject): ContentPart {
  switch (part.type) {
    case "text":
      return text(typeof part.text === "string" ? part.text : "");
    case "refusal":
      return { type: "refusal", text: typeof part.refusal === "string" ? part.refusal : "" };
    case "image_url": {
      const image = isJsonObject(part.image_url) ? part.image_url : {};
      const detail = image.detail === "low" || image.detail === "high" || image.detail === "auto" ? image.detail : undefined;
      return typeof image.url === "string"
        ? { type: "image", source: mediaSource(image.url), ...(detail === undefined ? {} : { detail }) }
        : { type: "unsupported", description: "an image_url part without a url" };
    }
    case "file": {
      const file = isJsonObject(part.file) ? part.file : {};
      if (typeof file.file_data !== "string") return { type: "unsupported", description: "a file part given by file_id" };
      const source = mediaSource(file.file_data);
      return { type: "file", source, ...(typeof file.filename === "string" ? { filename: file.filename } : {}) };
    }
    case "input_audio": {
      const audio = isJsonObject(part.input_audio) ? part.input_audio : {};
      return { type: "audio", data: typeof audio.data === "string" ? audio.data : "", format: typeof audio.format === "string" ? audio.format : "wav" };
    }
    default:
      return { type: "unsupported", description: `a content part of type "${String(part.type)}"` };
  }
}

function contentParts(content: unknown): ContentPart[] {
  if (typeof content === "string") return content === "" ? [] : [text(content)];
  return Array.isArray(content) ? content.map(contentPart) : [];
}

function toolCallParts(calls: unknown): ContentPart[] {
  if (!Array.isArray(calls)) return [];
  return calls.map((call: unknown) => {
    const record = isJsonObject(call) ? call : {};
    const fn = isJsonObject(record.function) ? record.function : {};
    if (record.type !== undefined && record.type !== "function") return { type: "unsupported", description: `a tool call of type "${String(record.type)}"` };
    return {
      type: "tool-call",
      id: typeof record.id === "string" ? record.id : "",
      name: typeof fn.name === "string" ? fn.name : "",
      arguments: typeof fn.arguments === "string" ? fn.arguments : "",
    };
  });
}

function message(wire: JsonObject): Message {
  const role = ROLE_OF[wire.role as string]!;
  let parts: ContentPart[];
  if (role === "tool") {
    // `function` messages (the legacy form) name the function instead of a call id.
    const callId = typeof wire.tool_call_id === "string" ? wire.tool_call_id : typeof wire.name === "string" ? wire.name : "";
    parts = [{ type: "tool-result", toolCallId: callId, content: contentParts(wire.content) }];
  } else {
    parts = contentParts(wire.content);
    if (typeof wire.refusal === "string") parts.push({ type: "refusal", text: wire.refusal });
    if (role === "assistant") parts.push(...toolCallParts(wire.tool_calls));
  }
  const name = role !== "tool" && typeof wire.name === "string" ? wire.name : undefined;
  return name === undefined ? { role, parts } : { role, parts, name };
}

function tools(value: unknown): ToolDefinition[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((tool: unknown): ToolDefinition[] => {
    const fn = isJsonObject(tool) && isJsonObject(tool.function) ? tool.function : null;
    if (fn === null || typeof fn.name !== "string") return [];
    return [
      {
        name: fn.name,
        ...(typeof fn.description === "string" ? { description: fn.description } : {}),
        ...(fn.parameters === undefined ? {} : { parameters: fn.parameters }),
        ...(typeof fn.strict === "boolean" ? { strict: fn.strict } : {}),
      },
    ];
  });
}

function toolChoice(value: unknown): ToolChoice | null {
  if (value === "auto" || value === "none" || value === "required") return { type: value };
  if (isJsonObject(value) && isJsonObject(value.function) && typeof value.function.name === "string") return { type: "tool", name: value.function.name };
  return null;
}

function outputFormat(value: unknown): OutputFormat {
  if (!isJsonObject(value)) return { type: "text" };
  if (value.type === "json_object") return { type: "json_object" };
  if (value.type === "json_schema" && isJsonObject(value.json_schema)) {
    const schema = value.json_schema;
    return {
      type: "json_schema",
      name: typeof schema.name === "string" ? schema.name : "response",
      schema: schema.schema ?? { type: "object" },
      ...(typeof schema.strict === "boolean" ? { strict: schema.strict } : {}),
    };
  }
  return { type: "text" };
}

function sampling(body: JsonObject): Sampling {
  const result: Sampling = {};
  if (typeof body.temperature === "number") result.temperature = body.temperature;
  if (typeof body.top_p === "number") result.topP = body.top_p;
  if (typeof body.presence_penalty === "number") result.presencePenalty = body.presence_penalty;
  if (typeof body.frequency_penalty === "number") result.frequencyPenalty = body.frequency_penalty;
  if (typeof body.seed === "number") result.seed = body.seed;
  return result;
}

function stop(value: unknown): string[] {
  if (typeof value === "string") return [value];
  return Array.isArray(value) ? value.filter((entry): entry is string => typeof entry === "string") : [];
}

function stringMetadata(value: unknown): Record<string, string> | undefined {
  if (!isJsonObject(value)) return undefined;
  const entries = Object.entries(value).filter((entry): entry is [string, string] => typeof entry[1] === "string");
  return Object.fromEntries(entries);
}

export function toModelRequest(
  body: JsonObject,
  messages: readonly JsonObject[],
  checked: { stream: boolean; choices: number; maxOutputTokens: number | null; logprobs?: { top: number } | null },
): ModelRequest {
  const effort = typeof body.reasoning_effort === "string" && EFFORTS.has(body.reasoning_effort) ? (body.reasoning_effort as ReasoningEffort) : undefined;
  const request: ModelRequest = {
    messages: messages.map(message),
    tools: tools(body.tools),
    toolChoice: toolChoice(body.tool_choice),
    output: outputFormat(body.response_format),
    maxOutputTokens: checked.maxOutputTokens,
    choices: checked.choices,
    sampling: sampling(body),
    stop: stop(body.stop),
    reasoning: effort === undefined ? null : { effort },
    stream: checked.stream,
    unsupported: UNSUPPORTED.filter((name) => body[name] !== undefined && body[name] !== null && body[name] !== false),
  };
  if (checked.logprobs != null) request.logprobs = checked.logprobs;
  if (typeof body.parallel_tool_calls === "boolean") request.parallelToolCalls = body.parallel_tool_calls;
  if (typeof body.user === "string") request.user = body.user;
  const metadata = stringMetadata(body.metadata);
  if (metadata !== undefined) request.metadata = metadata;
  return request;
}
