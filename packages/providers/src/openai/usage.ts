import type { Usage } from "@bentoo/core";

/**
 * The one reader of OpenAI-style usage objects, for JSON answers and streams
 * alike: `prompt_tokens` (required), `completion_tokens` (absent in embeddings:
 * 0), `prompt_tokens_details.cached_tokens` (cache reads),
 * `prompt_tokens_details.cache_write_tokens` (cache writes, which OpenAI bills
 * above the input price since GPT-5.6),
 * `completion_tokens_details.reasoning_tokens`. DeepSeek reports its cache
 * reads as `prompt_cache_hit_tokens` instead; that member is read when
 * `cached_tokens` is absent. Null when the object is not a usage report that
 * adds up (a count missing, negative or fractional).
 * https://platform.openai.com/docs/api-reference/chat/object#chat/object-usage
 * https://api-docs.deepseek.com/guides/kv_cache
 */
export function readOpenAiUsage(value: unknown): Usage | null {
  if (!isObject(value)) return null;
  const input = count(value.prompt_tokens);
  const output = value.completion_tokens === undefined ? 0 : count(value.completion_tokens);
  if (input === null || output === null) return null;
  const promptDetails = isObject(value.prompt_tokens_details) ? value.prompt_tokens_details : {};
  const cacheRead = Math.min(count(promptDetails.cached_tokens) ?? count(value.prompt_cache_hit_tokens) ?? 0, input);
  const cacheWrite = Math.min(count(promptDetails.cache_write_tokens) ?? 0, input - cacheRead);
  const reasoning = isObject(value.completion_tokens_details) ? count(value.completion_tokens_details.reasoning_tokens) : null;
  return {
    inputTokens: input,
    outputTokens: output,
    cacheReadTokens: cacheRead,
    cacheWriteTokens: cacheWrite,
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
