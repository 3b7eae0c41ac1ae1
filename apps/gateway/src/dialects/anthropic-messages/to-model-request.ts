import {
  type ContentPart,
  invalid,
  isJsonObject,
  type JsonObject,
  type Message,
  type ModelRequest,
  type OutputFormat,
  type Sampling,
  type ToolChoice,
  type ToolDefinition,
} from "@bentoo/core";
import { cacheHint, contentParts, systemParts } from "./content.js";

/**
 * A Messages request's conversation, tools and options in Bentoo's own terms,
 * checked for what a translation reads. Following the reference of
 * `POST /v1/messages` (https://docs.anthropic.com/en/api/messages):
 * - `system` (a string or text blocks) is a system message before the turns;
 * - a user turn's `tool_result` blocks are tool messages of their own (one per
 *   result, in order), its other blocks a user message: Bentoo's terms keep
 *   tool results apart, as Chat Completions does;
 * - custom tools are tool definitions; Anthropic's own tools (web search, bash,
 *   the text editor, …) have no equivalent elsewhere and are named in
 *   `unsupported`, as are `container` and `mcp_servers`;
 * - `tool_choice` auto / any / tool / none is auto / required / a named tool /
 *   none, and `disable_parallel_tool_use` turns parallel tool calls off;
 * - `thinking` enabled is a reasoning budget, adaptive a reasoning request with
 *   the provider's own budget, disabled none
 *   (https://docs.anthropic.com/en/docs/build-with-claude/extended-thinking);
 * - `output_config.format` json_schema is a JSON-schema output format;
 * - `stop_sequences`, `temperature`, `top_p`, `top_k` and `metadata.user_id` go
 *   as they are. Hints that change no answer's content (`service_tier`, `speed`,
 *   `inference_geo`, a top-level `cache_control`, `output_config.effort`) are
 *   Anthropic's alone and are not carried.
 */

const ROLES = new Set(["user", "assistant", "system"]);
/** Top-level members only Anthropic can serve: a translation refuses them by name. */
const ANTHROPIC_ONLY = ["container", "mcp_servers"];

export function conversation(body: JsonObject): Message[] {
  const messages: Message[] = [];
  if (body.system !== undefined && body.system !== null) {
    const parts = systemParts(body.system, "system");
    if (parts.length > 0) messages.push({ role: "system", parts });
  }
  const wire = body.messages;
  if (wire === undefined || wire === null) throw invalid("messages", 'messages is required: a non-empty list like [{"role":"user","content":"Hello"}].');
  if (!Array.isArray(wire) || wire.length === 0) throw invalid("messages", 'messages must be a non-empty list like [{"role":"user","content":"Hello"}].');
  wire.forEach((message: unknown, index) => {
    const where = `messages[${index}]`;
    if (!isJsonObject(message)) throw invalid(where, `${where} must be an object with a role and content.`);
    if (typeof message.role !== "string" || !ROLES.has(message.role)) throw invalid(`${where}.role`, `${where}.role must be "user" or "assistant".`);
    if (message.role === "system") {
      const parts = systemParts(message.content, `${where}.content`);
      if (parts.length > 0) messages.push({ role: "system", parts });
    } else if (message.role === "assistant") {
      messages.push({ role: "assistant", parts: contentParts(message.content, "assistant", where) });
    } else {
      messages.push(...userTurn(contentParts(message.content, "user", where)));
    }
  });
  return messages;
}

/** A user turn: each tool result a tool message, the other blocks between them user messages, in order. */
function userTurn(parts: ContentPart[]): Message[] {
  const turn: Message[] = [];
  let user: ContentPart[] = [];
  for (const part of parts) {
    if (part.type !== "tool-result") {
      user.push(part);
      continue;
    }
    if (user.length > 0) turn.push({ role: "user", parts: user });
    user = [];
    turn.push({ role: "tool", parts: [part] });
  }
  if (user.length > 0 || turn.length === 0) turn.push({ role: "user", parts: user });
  return turn;
}

/** Custom tools as definitions; Anthropic's own tools named as unsupported. */
export function tools(value: unknown, unsupported: string[]): ToolDefinition[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw invalid("tools", 'tools must be a list of tools like [{"name":"get_weather","input_schema":{"type":"object"}}].');
  return value.flatMap((tool: unknown, index): ToolDefinition[] => {
    const where = `tools[${index}]`;
    if (!isJsonObject(tool)) throw invalid(where, `${where} must be a tool object with a name and an input_schema.`);
    if (tool.type !== undefined && tool.type !== null && tool.type !== "custom") {
      unsupported.push(`${where} (Anthropic's ${String(tool.type)} tool)`);
      return [];
    }
    if (typeof tool.name !== "string" || tool.name === "") throw invalid(`${where}.name`, `${where}.name is required: the name the model calls the tool by.`);
    if (!isJsonObject(tool.input_schema))
      throw invalid(`${where}.input_schema`, `${where}.input_schema is required: a JSON Schema object such as {"type":"object"}.`);
    const definition: ToolDefinition = { name: tool.name, parameters: tool.input_schema };
    if (typeof tool.description === "string") definition.description = tool.description;
    if (typeof tool.strict === "boolean") definition.strict = tool.strict;
    const cache = cacheHint(tool, where);
    if (cache !== undefined) definition.cache = cache;
    return [definition];
  });
}

const TOOL_CHOICE_HINT = 'tool_choice must be {"type":"auto"}, {"type":"any"}, {"type":"tool","name":"…"} or {"type":"none"}';

/** Anthropic's tool choice, and whether it turns parallel tool calls off. */
export function toolChoice(value: unknown): { choice: ToolChoice | null; parallel: boolean | undefined } {
  if (value === undefined || value === null) return { choice: null, parallel: undefined };
  if (!isJsonObject(value)) throw invalid("tool_choice", `${TOOL_CHOICE_HINT}.`);
  const parallel = value.disable_parallel_tool_use === true ? false : undefined;
  switch (value.type) {
    case "auto":
      return { choice: { type: "auto" }, parallel };
    case "any":
      return { choice: { type: "required" }, parallel };
    case "none":
      return { choice: { type: "none" }, parallel };
    case "tool":
      if (typeof value.name !== "string" || value.name === "")
        throw invalid("tool_choice.name", `tool_choice.name is required with "type":"tool": the tool to call.`);
      return { choice: { type: "tool", name: value.name }, parallel };
    default:
      throw invalid("tool_choice", `${TOOL_CHOICE_HINT}.`);
  }
}

/** Anthropic's smallest thinking budget. */
const MIN_THINKING_BUDGET = 1024;

/** `thinking`: a budget (enabled), the provider's own choice (adaptive), or none. */
export function reasoning(value: unknown, maxTokens: number | null): ModelRequest["reasoning"] {
  if (value === undefined || value === null) return null;
  if (!isJsonObject(value)) throw invalid("thinking", 'thinking must be {"type":"enabled","budget_tokens":2048}, {"type":"adaptive"} or {"type":"disabled"}.');
  switch (value.type) {
    case "disabled":
      return null;
    case "adaptive":
    case "between_tools":
      return {};
    case "enabled": {
      const budget = value.budget_tokens;
      if (typeof budget !== "number" || !Number.isSafeInteger(budget) || budget < MIN_THINKING_BUDGET) {
        throw invalid("thinking.budget_tokens", `thinking.budget_tokens must be an integer of at least ${MIN_THINKING_BUDGET}.`);
      }
      if (maxTokens !== null && budget >= maxTokens) {
        throw invalid(
          "thinking.budget_tokens",
          `thinking.budget_tokens (${budget}) must be less than max_tokens (${maxTokens}): thinking counts toward max_tokens.`,
        );
      }
      return { budgetTokens: budget };
    }
    default:
      throw invalid("thinking.type", 'thinking.type must be "enabled", "adaptive" or "disabled".');
  }
}

/** `output_config.format`: a JSON schema the answer's text must follow. */
export function outputFormat(value: unknown): OutputFormat {
  if (!isJsonObject(value) || value.format === undefined || value.format === null) return { type: "text" };
  const format = value.format;
  if (!isJsonObject(format) || format.type !== "json_schema" || !isJsonObject(format.schema)) {
    throw invalid("output_config.format", 'output_config.format must be {"type":"json_schema","schema":{…}}.');
  }
  return { type: "json_schema", name: "response", schema: format.schema };
}

function number(body: JsonObject, name: string, integer: boolean): number | undefined {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" || !Number.isFinite(value) || (integer && !Number.isSafeInteger(value))) {
    throw invalid(name, `${name} must be ${integer ? "an integer" : "a number"}.`);
  }
  return value;
}

export function sampling(body: JsonObject): Sampling {
  const result: Sampling = {};
  const temperature = number(body, "temperature", false);
  const topP = number(body, "top_p", false);
  const topK = number(body, "top_k", true);
  if (temperature !== undefined) result.temperature = temperature;
  if (topP !== undefined) result.topP = topP;
  if (topK !== undefined) result.topK = topK;
  return result;
}

export function stopSequences(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.some((entry) => typeof entry !== "string" || entry === "")) {
    throw invalid("stop_sequences", 'stop_sequences must be a list of non-empty strings, e.g. ["\\n\\nHuman:"].');
  }
  return value as string[];
}

/** `metadata.user_id`, the end user's opaque id. */
export function user(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isJsonObject(value)) throw invalid("metadata", 'metadata must be an object such as {"user_id":"…"}.');
  const id = value.user_id;
  if (id === undefined || id === null) return undefined;
  if (typeof id !== "string") throw invalid("metadata.user_id", "metadata.user_id must be a string.");
  return id;
}

/** The whole request in Bentoo's terms; `maxTokens` is null for a token count, which has none. */
export function toModelRequest(body: JsonObject, maxTokens: number | null, stream: boolean): ModelRequest {
  const unsupported = ANTHROPIC_ONLY.filter((name) => body[name] !== undefined && body[name] !== null);
  const messages = conversation(body);
  const definitions = tools(body.tools, unsupported);
  const { choice, parallel } = toolChoice(body.tool_choice);
  const request: ModelRequest = {
    messages,
    tools: definitions,
    toolChoice: choice,
    output: outputFormat(body.output_config),
    maxOutputTokens: maxTokens,
    choices: 1,
    sampling: sampling(body),
    stop: stopSequences(body.stop_sequences),
    reasoning: reasoning(body.thinking, maxTokens),
    stream,
    unsupported,
  };
  if (parallel !== undefined) request.parallelToolCalls = parallel;
  const id = user(body.metadata);
  if (id !== undefined) request.user = id;
  return request;
}
