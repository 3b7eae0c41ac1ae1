import type { Usage } from "@bentoo/core";
import type { GeminiUsageMetadata } from "./wire.js";

/**
 * Gemini's usageMetadata in Bentoo's terms (https://ai.google.dev/api/generate-content#UsageMetadata):
 * - input: `promptTokenCount`, which includes the cached tokens
 *   (`cachedContentTokenCount`, implicit or explicit caching), plus
 *   `toolUsePromptTokenCount` (results of server-side tools fed back as input);
 * - cache read: `cachedContentTokenCount` (Gemini reports no cache writes);
 * - output: `candidatesTokenCount` (every candidate) plus `thoughtsTokenCount`:
 *   thinking is billed as output (https://ai.google.dev/gemini-api/docs/thinking#pricing);
 * - reasoning: `thoughtsTokenCount`.
 * `totalTokenCount` is the sum of these and is not read.
 */
export function geminiUsage(metadata: GeminiUsageMetadata): Usage {
  const input = metadata.promptTokenCount + metadata.toolUsePromptTokenCount;
  return {
    inputTokens: input,
    outputTokens: metadata.candidatesTokenCount + metadata.thoughtsTokenCount,
    cacheReadTokens: Math.min(metadata.cachedContentTokenCount, input),
    cacheWriteTokens: 0,
    reasoningTokens: metadata.thoughtsTokenCount,
    estimated: false,
  };
}
