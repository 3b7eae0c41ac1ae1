import type { Choice, ContentPart, FinishReason, ModelRequest, ModelResponse, ToolCall } from "@bentoo/core";
import { basicUsage } from "@bentoo/core";
import { countRequestTokens, countTokens } from "../tokenizer.js";
import { pieceLogprobs, Seeded, sentence, textPieces, valueForSchema } from "./generate.js";

/** The fields that decide the answer: the request without its streaming flag and its number of choices (each choice has a seed of its own), and the model. */
function seedOf(request: ModelRequest, model: string): string {
  const { stream: _stream, choices: _choices, ...rest } = request;
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
 * The sandbox's deterministic answer to a request: `n` choices (OpenAI's `n`),
 * each a forced tool call with arguments that fit the tool's schema, JSON for a
 * JSON output format, else text that echoes the last user message; reasoning
 * first when the request asks for it; the text cut before the first stop
 * sequence it holds, or at the output limit (finish reason "length"); with the
 * text's log probabilities when asked (`logprobs`, `top_logprobs`). Every count
 * is a real tokenizer count, reasoning counted as output. The same request
 * always gets the same answer (streamed or not); the first choice is the answer
 * the request gets with `n` of 1.
 */
export function sandboxAnswer(request: ModelRequest, model: string, created: number): ModelResponse {
  const seed = seedOf(request, model);
  const random = new Seeded(seed);
  const inputTokens = countRequestTokens(request);
  const id = `chatcmpl-sandbox-${random.hex(24)}`;
  const choices: Choice[] = [];
  let outputTokens = 0;
  let reasoningTokens = 0;
  for (let index = 0; index < request.choices; index += 1) {
    const answered = sandboxChoice(request, model, index === 0 ? random : new Seeded(`${seed}#${index}`), index);
    choices.push(answered.choice);
    outputTokens += answered.tokens + answered.reasoningTokens;
    reasoningTokens += answered.reasoningTokens;
  }
  return { id, created, choices, usage: { ...basicUsage(inputTokens, outputTokens), reasoningTokens } };
}

function sandboxChoice(request: ModelRequest, model: string, random: Seeded, index: number): { choice: Choice; tokens: number; reasoningTokens: number } {
  const reasoning = reasoningText(request, random);
  const reasoningTokens = reasoning === null ? 0 : countTokens(reasoning);
  const tool = forcedTool(request);
  if (tool !== null) {
    const args = JSON.stringify(valueForSchema(tool.parameters ?? { type: "object" }, random));
    const call: ToolCall = { id: `call_${random.hex(24)}`, name: tool.name, arguments: args };
    const choice: Choice = { index, text: null, reasoning, refusal: null, toolCalls: [call], finishReason: "tool_calls" };
    return { choice, tokens: countTokens(tool.name) + countTokens(args), reasoningTokens };
  }
  const stopped = cutAtStop(textAnswer(request, model, random), request.stop);
  let text = stopped.text;
  let finishReason: FinishReason = "stop";
  // Reasoning counts toward the output limit, as it does at the providers.
  const limit = request.maxOutputTokens === null ? null : Math.max(0, request.maxOutputTokens - reasoningTokens);
  if (limit !== null && countTokens(text) > limit) {
    text = truncateToTokens(text, limit);
    finishReason = "length";
  }
  const choice: Choice = { index, text, reasoning, refusal: null, toolCalls: [], finishReason };
  if (finishReason === "stop" && stopped.sequence !== undefined) choice.stopSequence = stopped.sequence;
  if (request.logprobs !== undefined) choice.logprobs = pieceLogprobs(textPieces(text), request.logprobs.top, random);
  return { choice, tokens: countTokens(text), reasoningTokens };
}
