import type { ContentPart, FinishReason, ModelRequest, ModelResponse, ToolCall } from "@bentoo/core";
import { basicUsage } from "@bentoo/core";
import { countRequestTokens, countTokens } from "../tokenizer.js";
import { Seeded, sentence, valueForSchema } from "./generate.js";

/** The fields that decide the answer: the request without its streaming flag, and the model. */
function seedOf(request: ModelRequest, model: string): string {
  const { stream: _stream, ...rest } = request;
  return JSON.stringify({ ...rest, model });
}

function firstText(parts: readonly ContentPart[]): string | null {
  for (const part of parts) if (part.type === "text") return part.text;
  return null;
}

function lastUserText(request: ModelRequest): string {
  for (let index = request.messages.length - 1; index >= 0; index -= 1) {
    const message = request.messages[index]!;
    if (message.role !== "user") continue;
    const text = firstText(message.parts);
    if (text !== null) return text;
  }
  return "";
}

/** The tool the request forces, if any: tool choice "required" (the first tool) or a named one. */
function forcedTool(request: ModelRequest): { name: string; parameters: unknown } | null {
  const choice = request.toolChoice;
  if (choice === null || request.tools.length === 0) return null;
  const wanted = choice.type === "required" ? request.tools[0]!.name : choice.type === "tool" ? choice.name : null;
  const tool = request.tools.find((candidate) => candidate.name === wanted);
  return tool === undefined ? null : { name: tool.name, parameters: tool.parameters };
}

/** Truncates text to `limit` tokens, on a word boundary. */
function truncateToTokens(text: string, limit: number): string {
  let out = "";
  for (const word of text.split(" ")) {
    const next = out === "" ? word : `${out} ${word}`;
    if (countTokens(next) > limit) break;
    out = next;
  }
  return out;
}

function textAnswer(request: ModelRequest, model: string, random: Seeded): string {
  const output = request.output;
  if (output.type === "json_object") return JSON.stringify({ sandbox: true, answer: sentence(random, 6 + random.next(6)) });
  if (output.type === "json_schema") return JSON.stringify(valueForSchema(output.schema, random));
  const echo = lastUserText(request).replace(/\s+/g, " ").trim().slice(0, 80);
  const body = [sentence(random, 6 + random.next(8)), sentence(random, 5 + random.next(8))].join(" ");
  return echo === "" ? `Sandbox answer from ${model}. ${body}` : `Sandbox answer from ${model} to "${echo}". ${body}`;
}

/**
 * The sandbox's deterministic answer to a request: a forced tool call with
 * arguments that fit the tool's schema, JSON for a JSON output format, else text
 * that echoes the last user message; cut at the output limit (finish reason
 * "length"). Every count is a real tokenizer count. The same request always gets
 * the same answer (streamed or not).
 */
export function sandboxAnswer(request: ModelRequest, model: string, created: number): ModelResponse {
  const random = new Seeded(seedOf(request, model));
  const inputTokens = countRequestTokens(request);
  const id = `chatcmpl-sandbox-${random.hex(24)}`;
  const tool = forcedTool(request);
  if (tool !== null) {
    const args = JSON.stringify(valueForSchema(tool.parameters ?? { type: "object" }, random));
    const call: ToolCall = { id: `call_${random.hex(24)}`, name: tool.name, arguments: args };
    const choice = { index: 0, text: null, reasoning: null, refusal: null, toolCalls: [call], finishReason: "tool_calls" as const };
    return { id, created, choices: [choice], usage: basicUsage(inputTokens, countTokens(tool.name) + countTokens(args)) };
  }
  let text = textAnswer(request, model, random);
  let finishReason: FinishReason = "stop";
  const limit = request.maxOutputTokens;
  if (limit !== null && countTokens(text) > limit) {
    text = truncateToTokens(text, limit);
    finishReason = "length";
  }
  const choice = { index: 0, text, reasoning: null, refusal: null, toolCalls: [], finishReason };
  return { id, created, choices: [choice], usage: basicUsage(inputTokens, countTokens(text)) };
}
