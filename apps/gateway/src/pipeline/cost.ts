import { type CatalogModel, MICROS_PER_USD, tokenCostMicros, type Usage } from "@bentoo/core";

/**
 * What an answer costs at the catalog's prices, in integer micro-dollars: the one
 * place usage becomes money (the charge, the audit record and the answer's
 * `usage.cost` all come from here). Test keys never spend.
 *
 * Each token class is charged at its own price, each rounded up to the next
 * micro-dollar: uncached input (every input token less those read from or
 * written to the provider's prompt cache) at the input price, cache reads and
 * cache writes at the model's cache prices (the input price when the catalog
 * gives none), and output at the output price (reasoning tokens are output).
 */
export function costMicros(model: CatalogModel, usage: Usage, sandbox: boolean): number {
  if (sandbox) return 0;
  const input = model.inputMicrosPerMtok;
  const uncached = Math.max(0, usage.inputTokens - usage.cacheReadTokens - usage.cacheWriteTokens);
  return (
    tokenCostMicros(uncached, input) +
    tokenCostMicros(usage.cacheReadTokens, model.cacheReadMicrosPerMtok ?? input) +
    tokenCostMicros(usage.cacheWriteTokens, model.cacheWriteMicrosPerMtok ?? input) +
    tokenCostMicros(usage.outputTokens, model.outputMicrosPerMtok)
  );
}

/** The members Bentoo adds to an answer's usage object: the cost in USD and in micro-dollars (as OpenRouter reports `cost`). */
export function costMembers(cost: number): { cost: number; cost_micros: number } {
  return { cost: cost / MICROS_PER_USD, cost_micros: cost };
}
