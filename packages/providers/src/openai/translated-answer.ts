import type { Choice, FinishReason, ModelResponse, ToolCall } from "@bentoo/core";
import { readOpenAiUsage } from "./usage.js";

/**
 * A Chat Completions answer in Bentoo's terms, for a client whose own API is
 * another (https://platform.openai.com/docs/api-reference/chat/object):
 * each choice's `message.content`, `refusal` and function `tool_calls`, and the
 * reasoning text that compatible servers add beside the content
 * (`reasoning_content` on DeepSeek, `reasoning` on Groq and others). Usage is
 * null when the provider reported none that adds up; the caller counts it.
 * Null when the body is not a chat completion.
 */
export function readChatCompletion(body: unknown, created: number): { response: ModelResponse; reported: boolean } | null {
  if (!isObject(body) || !Array.isArray(body.choices)) return null;
  const choices: Choice[] = body.choices.map((entry: unknown, position): Choice => {
    const choice = isObject(entry) ? entry : {};
    const message = isObject(choice.message) ? choice.message : {};
    return {
      index: typeof choice.index === "number" ? choice.index : position,
      text: typeof message.content === "string" ? message.content : null,
      reasoning: reasoningText(message),
      refusal: typeof message.refusal === "string" ? message.refusal : null,
      toolCalls: toolCalls(message.tool_calls),
      finishReason: finishReason(choice.finish_reason),
    };
  });
  const usage = readOpenAiUsage(body.usage);
  return {
    response: {
      id: typeof body.id === "string" ? body.id : "chatcmpl-unknown",
      created: typeof body.created === "number" ? body.created : created,
      choices,
      usage: usage ?? { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0, estimated: true },
    },
    reported: usage !== null,
  };
}

/** The reasoning text of a message or a stream delta, under either name compatible servers use. */
export function reasoningText(message: Record<string, unknown>): string | null {
  if (typeof message.reasoning_content === "string") return message.reasoning_content;
  return typeof message.reasoning === "string" ? message.reasoning : null;
}

/** Chat Completions' finish reasons; `function_call` is the legacy name of `tool_calls`, anything unknown is a stop. */
export function finishReason(value: unknown): FinishReason {
  switch (value) {
    case "length":
      return "length";
    case "tool_calls":
    case "function_call":
      return "tool_calls";
    case "content_filter":
      return "content_filter";
    default:
      return "stop";
  }
}

function toolCalls(value: unknown): ToolCall[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((entry: unknown): ToolCall[] => {
    if (!isObject(entry) || !isObject(entry.function)) return [];
    const fn = entry.function;
    return [
      {
        id: typeof entry.id === "string" ? entry.id : "",
        name: typeof fn.name === "string" ? fn.name : "",
        arguments: typeof fn.arguments === "string" ? fn.arguments : "",
      },
    ];
  });
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
