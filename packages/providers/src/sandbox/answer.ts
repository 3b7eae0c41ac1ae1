import type { Choice, ContentPart, FinishReason, ModelRequest, ModelResponse, ToolCall, Usage } from "@bentoo/core";
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

/** Deterministic reasoning, when the request asks for it (a reasoning effort or a thinking budget). */
function reasoningText(request: ModelRequest, random: Seeded): string | null {
  if (request.reasoning === null) return null;
  const echo = lastUserText(request).replace(/\s+/g, " ").trim().slice(0, 40);
  return `Sandbox reasoning about "${echo}". ${sentence(random, 5 + random.next(5))}`;
}

/** The text cut before the first stop sequence it holds, and that sequence. */
function cutAtStop(text: string, stop: readonly string[]): { text: string; sequence?: string } {
  let cut: { at: number; sequence: string } | null = null;
  for (const sequence of stop) {
    const at = text.indexOf(sequence);
    if (at !== -1 && (cut === null || at < cut.at)) cut = { at, sequence };
  }
  return cut === null ? { text } : { text: text.slice(0, cut.at), sequence: cut.sequence };
}

/**
 * The sandbox's deterministic answer to a request: a forced tool call with
 * arguments that fit the tool's schema, JSON for a JSON output format, else text
 * that echoes the last user message; reasoning first when the request asks for
 * it; the text cut before the first stop sequence it holds, or at the output
 * limit (finish reason "length"). Every count is a real tokenizer count. The
 * same request always gets the same answer (streamed or not).
 */
export function sandboxAnswer(request: ModelRequest, model: string, created: number): ModelResponse {
  const random = new Seeded(seedOf(request, model));
  const inputTokens = countRequestTokens(request);
  const id = `chatcmpl-sandbox-${random.hex(24)}`;
  const reasoning = reasoningText(request, random);
  const reasoningTokens = reasoning === null ? 0 : countTokens(reasoning);
  const tool = forcedTool(request);
  if (tool !== null) {
    const args = JSON.stringify(valueForSchema(tool.parameters ?? { type: "object" }, random));
    const call: ToolCall = { id: `call_${random.hex(24)}`, name: tool.name, arguments: args };
    const choice = { index: 0, text: null, reasoning, refusal: null, toolCalls: [call], finishReason: "tool_calls" as const };
    return { id, created, choices: [choice], usage: withReasoning(basicUsage(inputTokens, countTokens(tool.name) + countTokens(args)), reasoningTokens) };
  }
  const stopped = cutAtStop(textAnswer(request, model, random), request.stop);
  let text = stopped.text;
  let finishReason: FinishReason = "stop";
  const limit = request.maxOutputTokens === null ? null : Math.max(0, request.maxOutputTokens - reasoningTokens);
  if (limit !== null && countTokens(text) > limit) {
    text = truncateToTokens(text, limit);
    finishReason = "length";
  }
  const choice: Choice = { index: 0, text, reasoning, refusal: null, toolCalls: [], finishReason };
  if (finishReason === "stop" && stopped.sequence !== undefined) choice.stopSequence = stopped.sequence;
  return { id, created, choices: [choice], usage: withReasoning(basicUsage(inputTokens, countTokens(text)), reasoningTokens) };
}

/** Usage with the reasoning tokens counted in the output, as providers count them. */
function withReasoning(usage: Usage, reasoningTokens: number): Usage {
  return reasoningTokens === 0 ? usage : { ...usage, outputTokens: usage.outputTokens + reasoningTokens, reasoningTokens };
}
