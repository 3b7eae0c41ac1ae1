import type { Usage } from "@bentoo/core";

/**
 * The one reader of OpenAI-style usage objects, for JSON answers and streams
 * alike: `prompt_tokens` (required), `completion_tokens` (absent in embeddings:
 * 0), `prompt_tokens_details.cached_tokens`,
 * `completion_tokens_details.reasoning_tokens`. Null when the object is not a
 * usage report that adds up (a count missing, negative or fractional).
 * https://platform.openai.com/docs/api-reference/chat/object#chat/object-usage
 */
export function readOpenAiUsage(value: unknown): Usage | null {
  if (!isObject(value)) return null;
  const input = count(value.prompt_tokens);
  const output = value.completion_tokens === undefined ? 0 : count(value.completion_tokens);
  if (input === null || output === null) return null;
  const cached = isObject(value.prompt_tokens_details) ? count(value.prompt_tokens_details.cached_tokens) : null;
  const reasoning = isObject(value.completion_tokens_details) ? count(value.completion_tokens_details.reasoning_tokens) : null;
  return {
    inputTokens: input,
    outputTokens: output,
    cacheReadTokens: Math.min(cached ?? 0, input),
    cacheWriteTokens: 0,
    reasoningTokens: Math.min(reasoning ?? 0, output),
    estimated: false,
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function count(value: unknown): number | null {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0 ? value : null;
}
