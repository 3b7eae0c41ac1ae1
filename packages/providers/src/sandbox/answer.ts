import type { ChatCall } from "../adapter.js";
import { countPromptTokens, countTokens } from "../tokenizer.js";
import { Seeded, sentence, valueForSchema } from "./generate.js";

export interface SandboxToolCall {
  id: string;
  type: "function";
  function: { name: string; arguments: string };
}

export interface SandboxAnswer {
  id: string;
  content: string | null;
  toolCalls: SandboxToolCall[] | null;
  finishReason: "stop" | "length" | "tool_calls";
  promptTokens: number;
  completionTokens: number;
}

/** The fields that decide the answer; streaming flags do not change it. */
function seedOf(call: ChatCall): string {
  const { stream: _stream, stream_options: _options, ...rest } = call.body;
  return JSON.stringify({ ...rest, model: call.model.id });
}

function lastUserText(messages: readonly unknown[]): string {
  for (let index = messages.length - 1; index >= 0; index -= 1) {
    const message = messages[index] as { role?: unknown; content?: unknown } | null;
    if (message?.role !== "user") continue;
    if (typeof message.content === "string") return message.content;
    if (Array.isArray(message.content)) {
      const part = message.content.find((item: unknown) => typeof (item as { text?: unknown } | null)?.text === "string") as { text: string } | undefined;
      if (part) return part.text;
    }
  }
  return "";
}

/** Which tool the request forces, if any: `tool_choice` "required" or a named function. */
function forcedTool(call: ChatCall): { name: string; parameters: unknown } | null {
  const tools = Array.isArray(call.body.tools) ? (call.body.tools as Array<{ function?: { name?: unknown; parameters?: unknown } }>) : [];
  const named = tools.filter((tool) => typeof tool?.function?.name === "string");
  if (named.length === 0) return null;
  const choice = call.body.tool_choice as unknown;
  let wanted: string | undefined;
  if (choice === "required") wanted = named[0]!.function!.name as string;
  else if (typeof choice === "object" && choice !== null) wanted = (choice as { function?: { name?: string } }).function?.name;
  const tool = named.find((candidate) => candidate.function!.name === wanted);
  return tool ? { name: tool.function!.name as string, parameters: tool.function!.parameters } : null;
}

function maxTokensOf(call: ChatCall): number | null {
  const value = call.body.max_completion_tokens ?? call.body.max_tokens;
  return typeof value === "number" && Number.isInteger(value) && value > 0 ? value : null;
}

/** Truncates text to `limit` tokens, on a word boundary. */
function truncateToTokens(text: string, limit: number): string {
  const words = text.split(" ");
  let out = "";
  for (const word of words) {
    const next = out === "" ? word : `${out} ${word}`;
    if (countTokens(next) > limit) break;
    out = next;
  }
  return out;
}

export function sandboxAnswer(call: ChatCall): SandboxAnswer {
  const random = new Seeded(seedOf(call));
  const messages = Array.isArray(call.body.messages) ? call.body.messages : [];
  const promptTokens = countPromptTokens(messages, call.body.tools);
  const id = `chatcmpl-sandbox-${random.hex(24)}`;
  const tool = forcedTool(call);
  if (tool) {
    const args = JSON.stringify(valueForSchema(tool.parameters ?? { type: "object" }, random));
    const toolCalls: SandboxToolCall[] = [{ id: `call_${random.hex(24)}`, type: "function", function: { name: tool.name, arguments: args } }];
    return { id, content: null, toolCalls, finishReason: "tool_calls", promptTokens, completionTokens: countTokens(tool.name) + countTokens(args) };
  }
  const format = call.body.response_format as { type?: unknown; json_schema?: { schema?: unknown } } | undefined;
  let content: string;
  if (format?.type === "json_object") content = JSON.stringify({ sandbox: true, answer: sentence(random, 6 + random.next(6)) });
  else if (format?.type === "json_schema") content = JSON.stringify(valueForSchema(format.json_schema?.schema ?? { type: "object" }, random));
  else {
    const echo = lastUserText(messages).replace(/\s+/g, " ").trim().slice(0, 80);
    const body = [sentence(random, 6 + random.next(8)), sentence(random, 5 + random.next(8))].join(" ");
    content = echo === "" ? `Sandbox answer from ${call.model.id}. ${body}` : `Sandbox answer from ${call.model.id} to "${echo}". ${body}`;
  }
  let finishReason: SandboxAnswer["finishReason"] = "stop";
  const limit = maxTokensOf(call);
  if (limit !== null && countTokens(content) > limit) {
    content = truncateToTokens(content, limit);
    finishReason = "length";
  }
  return { id, content, toolCalls: null, finishReason, promptTokens, completionTokens: countTokens(content) };
}
