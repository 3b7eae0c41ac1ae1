import { describe, expect, it } from "vitest";
import { readOpenAiUsage } from "../src/openai/usage.js";

describe("reading an OpenAI-style usage report", () => {
  it("reads OpenAI's cache writes beside its cache reads", () => {
    // A GPT-6 answer: 1,200 of 10,000 prompt tokens read from the cache, 8,000 written to it.
    const usage = readOpenAiUsage({
      prompt_tokens: 10_000,
      completion_tokens: 40,
      prompt_tokens_details: { cached_tokens: 1_200, cache_write_tokens: 8_000 },
      completion_tokens_details: { reasoning_tokens: 30 },
    });
    expect(usage).toEqual({ inputTokens: 10_000, outputTokens: 40, cacheReadTokens: 1_200, cacheWriteTokens: 8_000, reasoningTokens: 30, estimated: false });
  });

  it("reads DeepSeek's cache hits, which it reports outside prompt_tokens_details", () => {
    const usage = readOpenAiUsage({ prompt_tokens: 900, completion_tokens: 12, prompt_cache_hit_tokens: 640, prompt_cache_miss_tokens: 260 });
    expect(usage).toMatchObject({ inputTokens: 900, cacheReadTokens: 640, cacheWriteTokens: 0 });
  });

  it("prefers cached_tokens when a server reports both ways, and never counts more cached tokens than the prompt holds", () => {
    expect(readOpenAiUsage({ prompt_tokens: 900, prompt_cache_hit_tokens: 640, prompt_tokens_details: { cached_tokens: 600 } })).toMatchObject({
      cacheReadTokens: 600,
    });
    expect(readOpenAiUsage({ prompt_tokens: 100, prompt_tokens_details: { cached_tokens: 70, cache_write_tokens: 50 } })).toMatchObject({
      cacheReadTokens: 70,
      cacheWriteTokens: 30,
    });
    expect(readOpenAiUsage({ prompt_tokens: 10, prompt_cache_hit_tokens: 25 })).toMatchObject({ cacheReadTokens: 10 });
  });

  it("counts no cache tokens from members that are not counts", () => {
    const usage = readOpenAiUsage({ prompt_tokens: 50, prompt_cache_hit_tokens: "40", prompt_tokens_details: { cache_write_tokens: -3 } });
    expect(usage).toMatchObject({ inputTokens: 50, cacheReadTokens: 0, cacheWriteTokens: 0 });
  });
});
