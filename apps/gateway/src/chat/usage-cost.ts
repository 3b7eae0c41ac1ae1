import { MICROS_PER_USD, tokenCostMicros, type CatalogModel } from "@bentoo/core";
import type { Usage } from "@bentoo/providers";

/** What a completion costs at the catalog's prices; test keys never spend. */
export function costMicros(model: CatalogModel, usage: Usage, sandbox: boolean): number {
  if (sandbox) return 0;
  return tokenCostMicros(usage.promptTokens, model.inputMicrosPerMtok) + tokenCostMicros(usage.completionTokens, model.outputMicrosPerMtok);
}

/** The response's `usage`, with the cost added (OpenRouter reports `cost` in USD the same way). */
export function usageBody(usage: Usage, cost: number): UsageBody {
  const body: UsageBody = {
    prompt_tokens: usage.promptTokens,
    completion_tokens: usage.completionTokens,
    total_tokens: usage.totalTokens,
    cost: cost / MICROS_PER_USD,
    cost_micros: cost,
  };
  // Only when estimated: the member is absent otherwise (no spread of an empty object per request).
  if (usage.estimated) body.estimated = true;
  return body;
}

export type UsageBody = {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  cost: number;
  cost_micros: number;
  estimated?: true;
};
