import { type CatalogModel, MICROS_PER_USD, tokenCostMicros, type Usage } from "@bentoo/core";

/**
 * What an answer costs at the catalog's prices, in integer micro-dollars: the one
 * place usage becomes money (the charge, the audit record and the answer's
 * `usage.cost` all come from here). Test keys never spend.
 */
export function costMicros(model: CatalogModel, usage: Usage, sandbox: boolean): number {
  if (sandbox) return 0;
  return tokenCostMicros(usage.inputTokens, model.inputMicrosPerMtok) + tokenCostMicros(usage.outputTokens, model.outputMicrosPerMtok);
}

/** The members Bentoo adds to an answer's usage object: the cost in USD and in micro-dollars (as OpenRouter reports `cost`). */
export function costMembers(cost: number): { cost: number; cost_micros: number } {
  return { cost: cost / MICROS_PER_USD, cost_micros: cost };
}
