import type { ModelRequest, ReasoningEffort } from "@bentoo/core";

/**
 * The effort a request asks for, for providers that take an effort rather than
 * a token budget: its own effort, else its thinking budget (Anthropic's form) as
 * the effort that spends about as much — up to 2,048 tokens `low`, up to 16,384
 * `medium`, above that `high`. Null when it asks for no reasoning.
 */
export function reasoningEffort(request: ModelRequest): ReasoningEffort | null {
  const reasoning = request.reasoning;
  if (reasoning === null) return null;
  if (reasoning.effort !== undefined) return reasoning.effort;
  const budget = reasoning.budgetTokens;
  if (budget === undefined) return null;
  if (budget <= 2048) return "low";
  return budget <= 16_384 ? "medium" : "high";
}
