import type { Choice, FinishReason, ModelRequest, ModelResponse, ToolCall } from "@bentoo/core";
import { countedUsage } from "../tokenizer.js";
import { newToolCallId } from "./tool-call-id.js";
import { geminiUsage } from "./usage.js";
import type { AnswerCandidate, GeminiAnswer } from "./wire.js";

/**
 * A Gemini GenerateContentResponse in Bentoo's terms (https://ai.google.dev/api/generate-content#generatecontentresponse):
 * each candidate is a choice (by its `index`); its text parts are the text, its
 * `thought` parts the reasoning, its function calls tool calls (an id made by
 * Bentoo, carrying the call's thought signature; the arguments as JSON text).
 *
 * Finish reasons (https://ai.google.dev/api/generate-content#FinishReason): STOP →
 * stop, or tool_calls when the candidate calls functions; MAX_TOKENS → length; the
 * reasons that withhold content (SAFETY, RECITATION, LANGUAGE, BLOCKLIST,
 * PROHIBITED_CONTENT, SPII and their image counterparts) → content_filter, with
 * the reason in the choice's refusal; a malformed, unexpected or excessive
 * function call → error; OTHER and anything unknown → stop.
 *
 * A prompt Gemini blocks (`promptFeedback.blockReason`, no candidates) is answered
 * like OpenAI answers a filtered completion: HTTP 200, every requested choice
 * finished with content_filter and no text, the block reason in the refusal, and
 * the prompt's tokens billed as Gemini reports them.
 */

const FILTERED = new Set([
  "SAFETY",
  "RECITATION",
  "LANGUAGE",
  "BLOCKLIST",
  "PROHIBITED_CONTENT",
  "SPII",
  "IMAGE_SAFETY",
  "IMAGE_PROHIBITED_CONTENT",
  "IMAGE_RECITATION",
]);
const FAILED = new Set(["MALFORMED_FUNCTION_CALL", "UNEXPECTED_TOOL_CALL", "TOO_MANY_TOOL_CALLS"]);

export function finishReason(reason: string, calledFunctions: boolean): FinishReason {
  if (reason === "MAX_TOKENS") return "length";
  if (FILTERED.has(reason)) return "content_filter";
  if (FAILED.has(reason)) return "error";
  return calledFunctions ? "tool_calls" : "stop";
}

/** The refusal a filtered candidate carries: why Gemini withheld it. */
export function filterRefusal(reason: string, message: string | null): string {
  return `The provider's content filter stopped the answer (finish reason ${reason}${message === null ? "" : `: ${message}`}).`;
}

export function blockedRefusal(blockReason: string): string {
  return `The provider's content filter blocked the prompt (block reason ${blockReason}); no answer was generated.`;
}

function choice(candidate: AnswerCandidate): Choice {
  let text: string | null = null;
  let reasoning: string | null = null;
  const toolCalls: ToolCall[] = [];
  for (const part of candidate.parts) {
    if (part.kind === "function-call") toolCalls.push({ id: newToolCallId(part.signature), name: part.name, arguments: JSON.stringify(part.args) });
    else if (part.thought) reasoning = (reasoning ?? "") + part.text;
    else if (part.text !== "") text = (text ?? "") + part.text;
  }
  const reason = candidate.finishReason ?? "STOP";
  const finish = finishReason(reason, toolCalls.length > 0);
  const refusal = finish === "content_filter" ? filterRefusal(reason, candidate.finishMessage) : null;
  return { index: candidate.index, text, reasoning, refusal, toolCalls, finishReason: finish };
}

export function geminiResponse(answer: GeminiAnswer, request: ModelRequest, id: string, created: number): ModelResponse {
  const blocked = answer.blockReason;
  const choices =
    blocked === null
      ? answer.candidates.map(choice).sort((a, b) => a.index - b.index)
      : Array.from(
          { length: request.choices },
          (_, index): Choice => ({
            index,
            text: null,
            reasoning: null,
            refusal: blockedRefusal(blocked),
            toolCalls: [],
            finishReason: "content_filter",
          }),
        );
  const usage = answer.usage === null ? estimatedUsage(request, choices) : geminiUsage(answer.usage);
  return { id: answer.responseId ?? id, created, choices, usage };
}

/** Usage counted by Bentoo when Gemini reported none: the prompt, and the text, reasoning and calls answered. */
function estimatedUsage(request: ModelRequest, choices: readonly Choice[]) {
  let text = "";
  for (const choice of choices) {
    text += (choice.text ?? "") + (choice.reasoning ?? "");
    for (const call of choice.toolCalls) text += call.name + call.arguments;
  }
  return countedUsage(request, text);
}
