import type { AnswerContext, Choice, FinishReason, ModelResponse, ToolCall, Usage } from "@bentoo/core";

/**
 * Answers in Bentoo's own terms written as Anthropic's Message object (the
 * sandbox's and translated providers' answers; an `anthropic` provider's answer
 * passes through instead). https://docs.anthropic.com/en/api/messages ("Response")
 *
 * The usage object is Anthropic's: `input_tokens` leaves out the prompt-cache
 * tokens, which are `cache_read_input_tokens` and `cache_creation_input_tokens`
 * (https://docs.anthropic.com/en/docs/build-with-claude/prompt-caching). It
 * carries no cost member: the cost of a request is in its audit record
 * (docs/decisions.md, "Messages API").
 */

/** Anthropic's stop reason for a finish reason (https://docs.anthropic.com/en/api/handling-stop-reasons). */
export function stopReason(reason: FinishReason, stopSequence: string | undefined): string {
  switch (reason) {
    case "length":
      return "max_tokens";
    case "tool_calls":
      return "tool_use";
    case "content_filter":
      return "refusal";
    default:
      return stopSequence === undefined ? "end_turn" : "stop_sequence";
  }
}

/** Usage in Anthropic's terms; reasoning tokens, when known, as `output_tokens_details.thinking_tokens` (part of `output_tokens`). */
export function anthropicUsage(usage: Usage): Record<string, unknown> {
  const body: Record<string, unknown> = {
    input_tokens: Math.max(0, usage.inputTokens - usage.cacheReadTokens - usage.cacheWriteTokens),
    cache_creation_input_tokens: usage.cacheWriteTokens,
    cache_read_input_tokens: usage.cacheReadTokens,
    output_tokens: usage.outputTokens,
  };
  if (usage.reasoningTokens > 0) body.output_tokens_details = { thinking_tokens: usage.reasoningTokens };
  return body;
}

/** Anthropic's ids start with `msg_`; an id from elsewhere gets the prefix (in place of Chat Completions' `chatcmpl-`). */
export function messageId(id: string): string {
  if (id.startsWith("msg_")) return id;
  return `msg_${id.startsWith("chatcmpl-") ? id.slice("chatcmpl-".length) : id}`;
}

/** A tool call's arguments as the object `tool_use.input` is; arguments that are not a JSON object are kept under `arguments`. */
export function toolInput(call: ToolCall): Record<string, unknown> {
  if (call.arguments.trim() === "") return {};
  try {
    const value: unknown = JSON.parse(call.arguments);
    if (typeof value === "object" && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // Kept as text below.
  }
  return { arguments: call.arguments };
}

function contentBlocks(choice: Choice): Array<Record<string, unknown>> {
  const blocks: Array<Record<string, unknown>> = [];
  // A translated provider's reasoning carries no Anthropic signature: an empty one says so.
  if (choice.reasoning !== null && choice.reasoning !== "") blocks.push({ type: "thinking", thinking: choice.reasoning, signature: "" });
  const text = (choice.text ?? "") + (choice.refusal ?? "");
  if (text !== "") blocks.push({ type: "text", text });
  for (const call of choice.toolCalls) blocks.push({ type: "tool_use", id: call.id, name: call.name, input: toolInput(call) });
  return blocks;
}

export function writeMessage(response: ModelResponse, context: AnswerContext): string {
  const choice = response.choices[0];
  return JSON.stringify({
    id: messageId(response.id),
    type: "message",
    role: "assistant",
    model: context.model,
    content: choice === undefined ? [] : contentBlocks(choice),
    stop_reason: choice === undefined ? "end_turn" : stopReason(choice.finishReason, choice.stopSequence),
    stop_sequence: choice?.stopSequence ?? null,
    usage: anthropicUsage(response.usage),
  });
}
