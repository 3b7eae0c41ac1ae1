/**
 * The public catalog the Models page shows (`GET /docs/catalog.json`), checked
 * field by field: the page renders what it could read and says so when the
 * answer was not a catalog.
 */
export interface CatalogModel {
  id: string;
  kind: string;
  contextLength: number | null;
  maxOutputTokens: number | null;
  /** USD per million tokens; null when the catalog gives none. */
  input: number | null;
  output: number | null;
  cacheRead: number | null;
}

function record(value: unknown): Record<string, unknown> | null {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}

function count(value: unknown): number | null {
  return typeof value === "number" && Number.isFinite(value) && value >= 0 ? value : null;
}

/** The models of a catalog answer, or null when `body` is not one. */
export function parseCatalog(body: unknown): CatalogModel[] | null {
  const data = record(body)?.data;
  if (!Array.isArray(data)) return null;
  const models: CatalogModel[] = [];
  for (const item of data) {
    const model = record(item);
    if (model === null || typeof model.id !== "string") continue;
    const pricing = record(model.pricing);
    models.push({
      id: model.id,
      kind: typeof model.kind === "string" ? model.kind : "chat",
      contextLength: count(model.context_length),
      maxOutputTokens: count(model.max_output_tokens),
      input: count(pricing?.input_per_mtok),
      output: count(pricing?.output_per_mtok),
      cacheRead: count(pricing?.cache_read_per_mtok),
    });
  }
  return models;
}

/**
 * A price as dollars with at least two decimals and every decimal the catalog
 * has ($0.10, $0.075, $1.32), written from the number's shortest decimal form so
 * no binary rounding shows: the server divides integer micro-dollars, whose
 * quotient prints back as the catalog's decimal. Null (no price) is a dash.
 */
export function formatUsd(value: number | null): string {
  if (value === null) return "—";
  const shortest = String(value);
  const decimal = shortest.includes("e") ? value.toFixed(6).replace(/\.?0+$/, "") : shortest;
  const [whole = "0", fraction = ""] = decimal.split(".");
  return `$${whole}.${fraction.padEnd(2, "0")}`;
}

/** A token count, exact, with thousands separators (1,048,576). */
export function formatTokens(value: number | null): string {
  return value === null ? "—" : value.toLocaleString("en-US");
}
