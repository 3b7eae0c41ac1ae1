import type { Choice, FinishReason, ModelResponse, ToolCall, Usage } from "@bentoo/core";

/**
 * Anthropic's Message object (the answer of `POST /v1/messages`) in Bentoo's
 * terms, following the Messages API reference
 * (https://docs.anthropic.com/en/api/messages, "Response"):
 * - `text` blocks are the answer's text; `tool_use` blocks are tool calls whose
 *   arguments are their `input` as JSON text; `thinking` blocks are reasoning
 *   (https://docs.anthropic.com/en/docs/build-with-claude/extended-thinking);
 *   other blocks (redacted thinking, server tools' results) have no place in a
 *   chat answer and are left out;
 * - `stop_reason` is mapped by finishReason
 *   (https://docs.anthropic.com/en/api/handling-stop-reasons);
 * - usage by readAnthropicUsage.
 */

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function count(value: unknown): number | null {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0 ? value : null;
}

/** The raw counts of an Anthropic usage object; a member absent or null is null. */
export interface AnthropicCounts {
  input: number | null;
  cacheRead: number | null;
  cacheWrite: number | null;
  output: number | null;
  thinking: number | null;
}

export function anthropicCounts(value: unknown): AnthropicCounts | null {
  if (!isObject(value)) return null;
  const details = value.output_tokens_details;
  return {
    input: count(value.input_tokens),
    cacheRead: count(value.cache_read_input_tokens),
    cacheWrite: count(value.cache_creation_input_tokens),
    output: count(value.output_tokens),
    thinking: isObject(details) ? count(details.thinking_tokens) : null,
  };
}

/**
 * The counts after a `message_delta`: its counts are cumulative, so each one it
 * reports replaces the count so far (from `message_start`), and the others stay.
 */
export function mergeCounts(previous: AnthropicCounts | null, next: AnthropicCounts): AnthropicCounts {
  return {
    input: next.input ?? previous?.input ?? null,
    cacheRead: next.cacheRead ?? previous?.cacheRead ?? null,
    cacheWrite: next.cacheWrite ?? previous?.cacheWrite ?? null,
    output: next.output ?? previous?.output ?? null,
    thinking: next.thinking ?? previous?.thinking ?? null,
  };
}

/**
 * Anthropic's counts as Bentoo's Usage. Anthropic's `input_tokens` leaves out the
 * prompt-cache tokens (https://docs.anthropic.com/en/docs/build-with-claude/prompt-caching,
 * "Tracking cache performance"): every input token is `input_tokens +
 * cache_read_input_tokens + cache_creation_input_tokens`. Reasoning tokens are
 * `output_tokens_details.thinking_tokens` when reported (they are part of
 * `output_tokens`). Null without input and output counts.
 */
export function usageOf(counts: AnthropicCounts): Usage | null {
  if (counts.input === null || counts.output === null) return null;
  const cacheRead = counts.cacheRead ?? 0;
  const cacheWrite = counts.cacheWrite ?? 0;
  return {
    inputTokens: counts.input + cacheRead + cacheWrite,
    outputTokens: counts.output,
    cacheReadTokens: cacheRead,
    cacheWriteTokens: cacheWrite,
    reasoningTokens: Math.min(counts.thinking ?? 0, counts.output),
    estimated: false,
  };
}

export function readAnthropicUsage(value: unknown): Usage | null {
  const counts = anthropicCounts(value);
  return counts === null ? null : usageOf(counts);
}

/**
 * end_turn, stop_sequence and pause_turn end normally; max_tokens and
 * model_context_window_exceeded cut the answer; tool_use asks for tool results;
 * refusal is the content filter.
 */
export function finishReason(stopReason: unknown): FinishReason {
  switch (stopReason) {
    case "max_tokens":
    case "model_context_window_exceeded":
      return "length";
    case "tool_use":
      return "tool_calls";
    case "refusal":
      return "content_filter";
    default:
      return "stop";
  }
}

/** The answer in Bentoo's terms, and whether it reported usage; null when the body is not a Message. */
export function readAnthropicMessage(value: unknown, created: number): { response: ModelResponse; reported: boolean } | null {
  if (!isObject(value) || !Array.isArray(value.content)) return null;
  let text: string | null = null;
  let reasoning: string | null = null;
  const toolCalls: ToolCall[] = [];
  for (const block of value.content) {
    if (!isObject(block)) continue;
    if (block.type === "text" && typeof block.text === "string") text = (text ?? "") + block.text;
    else if (block.type === "thinking" && typeof block.thinking === "string") reasoning = (reasoning ?? "") + block.thinking;
    else if (block.type === "tool_use" && typeof block.id === "string" && typeof block.name === "string")
      toolCalls.push({ id: block.id, name: block.name, arguments: JSON.stringify(block.input ?? {}) });
  }
  const choice: Choice = { index: 0, text, reasoning, refusal: null, toolCalls, finishReason: finishReason(value.stop_reason) };
  if (value.stop_reason === "stop_sequence" && typeof value.stop_sequence === "string") choice.stopSequence = value.stop_sequence;
  const usage = readAnthropicUsage(value.usage);
  const id = typeof value.id === "string" ? value.id : "msg_unknown";
  return {
    response: {
      id,
      created,
      choices: [choice],
      usage: usage ?? { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0, estimated: true },
    },
    reported: usage !== null,
  };
}
