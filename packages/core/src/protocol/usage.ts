/**
 * Token usage of one answer, in Bentoo's own terms: every provider's report is
 * read into this shape, and prices, audit records and rate limits read it.
 *
 * `inputTokens` counts every input token, cached or not (as OpenAI's
 * `prompt_tokens` does); `cacheReadTokens` and `cacheWriteTokens` are the parts
 * of it read from or written to the provider's prompt cache. `outputTokens`
 * counts every generated token; `reasoningTokens` is the part spent on
 * reasoning. A provider that counts them apart (Anthropic's `input_tokens`
 * excludes its cache tokens) is summed into this shape by its translator.
 */
export interface Usage {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  reasoningTokens: number;
  /** True when Bentoo counted the tokens itself because the provider reported none. */
  estimated: boolean;
}

export function totalTokens(usage: Usage): number {
  return usage.inputTokens + usage.outputTokens;
}

/** Usage with only the two main counts known. */
export function basicUsage(inputTokens: number, outputTokens: number, estimated = false): Usage {
  return { inputTokens, outputTokens, cacheReadTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0, estimated };
}
