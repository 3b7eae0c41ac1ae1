import { usdToMicros } from "../money.js";
import {
  type Catalog,
  type CatalogModel,
  EMBEDDING_PROVIDER_TYPES,
  type EmbeddingDimensions,
  MODEL_KINDS,
  type ModelKind,
  type ModelRoute,
  OUTPUT_LIMIT_PARAMS,
  type OutputLimitParam,
  PROVIDER_TYPES,
  type ProviderConfig,
  type ProviderType,
} from "./types.js";

/** A catalog file that does not validate; the message names the bad field. */
export class CatalogError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CatalogError";
  }
}

type Json = Record<string, unknown>;

/** Upstream wait when a provider sets no `timeout_ms`: long completions take minutes. */
export const DEFAULT_UPSTREAM_TIMEOUT_MS = 300_000;
/** Retries of one route on a transient failure before the next route (or the error), and the longest they may wait in all. */
export const DEFAULT_MAX_RETRIES = 2;
export const DEFAULT_MAX_RETRY_WAIT_MS = 5_000;
const MAX_RETRIES_LIMIT = 10;

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function requireString(object: Json, field: string, where: string): string {
  const value = object[field];
  if (typeof value !== "string" || value.trim() === "") throw new CatalogError(`${where}.${field} must be a non-empty string`);
  return value;
}

function optionalString(object: Json, field: string, where: string): string | null {
  const value = object[field];
  if (value === undefined || value === null) return null;
  if (typeof value !== "string" || value.trim() === "") throw new CatalogError(`${where}.${field} must be a non-empty string when present`);
  return value;
}

function requireNonNegativeNumber(object: Json, field: string, where: string): number {
  const value = object[field];
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) throw new CatalogError(`${where}.${field} must be a non-negative number`);
  return value;
}

function optionalPrice(object: Json, field: string, where: string): number | null {
  return object[field] === undefined || object[field] === null ? null : usdToMicros(requireNonNegativeNumber(object, field, where));
}

function optionalPositiveInteger(object: Json, field: string, where: string): number | null {
  const value = object[field];
  if (value === undefined || value === null) return null;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value <= 0) throw new CatalogError(`${where}.${field} must be a positive integer`);
  return value;
}

function optionalInteger(object: Json, field: string, where: string, min: number, max: number): number | null {
  const value = object[field];
  if (value === undefined || value === null) return null;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < min || value > max)
    throw new CatalogError(`${where}.${field} must be an integer from ${min} to ${max}`);
  return value;
}

function parseProvider(raw: unknown, where: string): ProviderConfig {
  if (!isObject(raw)) throw new CatalogError(`${where} must be an object`);
  const id = requireString(raw, "id", where);
  const type = requireString(raw, "type", where);
  if (!(PROVIDER_TYPES as readonly string[]).includes(type)) {
    throw new CatalogError(
      `${where}.type "${type}" is not supported; use one of: ${PROVIDER_TYPES.join(", ")} ` +
        `(Mistral, Groq, DeepSeek, xAI, vLLM, Ollama and LM Studio serve the "openai" wire format)`,
    );
  }
  const baseUrl = requireString(raw, "base_url", where);
  let parsed: URL;
  try {
    parsed = new URL(baseUrl);
  } catch {
    throw new CatalogError(`${where}.base_url "${baseUrl}" is not a valid URL`);
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") throw new CatalogError(`${where}.base_url must use http or https`);
  const apiKeyEnv = optionalString(raw, "api_key_env", where);
  if (apiKeyEnv !== null && !/^[A-Z_][A-Z0-9_]*$/.test(apiKeyEnv))
    throw new CatalogError(`${where}.api_key_env must be an environment variable name like OPENAI_API_KEY`);
  const timeoutMs = optionalPositiveInteger(raw, "timeout_ms", where) ?? DEFAULT_UPSTREAM_TIMEOUT_MS;
  const maxRetries = optionalInteger(raw, "max_retries", where, 0, MAX_RETRIES_LIMIT) ?? DEFAULT_MAX_RETRIES;
  const maxRetryWaitMs = optionalInteger(raw, "max_retry_wait_ms", where, 0, 600_000) ?? DEFAULT_MAX_RETRY_WAIT_MS;
  const outputLimitParam = optionalString(raw, "output_limit_param", where) ?? "max_tokens";
  if (!(OUTPUT_LIMIT_PARAMS as readonly string[]).includes(outputLimitParam))
    throw new CatalogError(`${where}.output_limit_param must be one of: ${OUTPUT_LIMIT_PARAMS.join(", ")}`);
  return {
    id,
    type: type as ProviderType,
    baseUrl: baseUrl.replace(/\/+$/, ""),
    apiKeyEnv,
    timeoutMs,
    maxRetries,
    maxRetryWaitMs,
    outputLimitParam: outputLimitParam as OutputLimitParam,
  };
}

function parseRoutes(raw: Json, where: string, providers: ReadonlyMap<string, ProviderConfig>): ModelRoute[] {
  const routes: ModelRoute[] = [];
  if (raw.providers !== undefined) {
    if (!Array.isArray(raw.providers) || raw.providers.length === 0) throw new CatalogError(`${where}.providers must be a non-empty array`);
    raw.providers.forEach((entry: unknown, index) => {
      const entryWhere = `${where}.providers[${index}]`;
      if (!isObject(entry)) throw new CatalogError(`${entryWhere} must be an object with "provider" and "upstream_model"`);
      routes.push({
        providerId: requireString(entry, "provider", entryWhere),
        upstreamModel: optionalString(entry, "upstream_model", entryWhere) ?? requireString(raw, "id", where),
      });
    });
  } else {
    routes.push({
      providerId: requireString(raw, "provider", where),
      upstreamModel: optionalString(raw, "upstream_model", where) ?? requireString(raw, "id", where),
    });
  }
  for (const [index, route] of routes.entries()) {
    if (!providers.has(route.providerId)) {
      const field = raw.providers === undefined ? `${where}.provider` : `${where}.providers[${index}].provider`;
      throw new CatalogError(`${field} "${route.providerId}" is not one of the catalog's providers`);
    }
  }
  return routes;
}

function parseKind(raw: Json, where: string): ModelKind {
  const kind = optionalString(raw, "kind", where) ?? "chat";
  if (!(MODEL_KINDS as readonly string[]).includes(kind))
    throw new CatalogError(`${where}.kind "${kind}" is not a model kind; use one of: ${MODEL_KINDS.join(", ")}`);
  return kind as ModelKind;
}

/** Members that only one kind of model has: named on the other kind, they are a mistake worth stopping for. */
const CHAT_ONLY = ["max_output_tokens", "cache_read_price_per_mtok", "cache_write_price_per_mtok"] as const;
const EMBEDDING_ONLY = ["dimensions", "min_dimensions"] as const;

/**
 * An embedding model's vector sizes: `dimensions` (required, the default length)
 * and `min_dimensions` (optional: the model shortens its vectors to any length
 * from it up to `dimensions`, as OpenAI's text-embedding-3 and Gemini's
 * gemini-embedding-001 do).
 */
function parseDimensions(raw: Json, where: string): EmbeddingDimensions {
  const length = optionalPositiveInteger(raw, "dimensions", where);
  if (length === null) throw new CatalogError(`${where}.dimensions must be a positive integer for an embedding model: the length of its vectors, e.g. 1536`);
  const min = optionalPositiveInteger(raw, "min_dimensions", where);
  if (min !== null && min > length) throw new CatalogError(`${where}.min_dimensions must not exceed ${where}.dimensions (${length})`);
  return { default: length, min };
}

/** An embedding model routes only to provider types that can embed. */
function checkEmbeddingRoutes(routes: readonly ModelRoute[], raw: Json, where: string, providers: ReadonlyMap<string, ProviderConfig>): void {
  for (const [index, route] of routes.entries()) {
    const type = providers.get(route.providerId)!.type;
    if (EMBEDDING_PROVIDER_TYPES.includes(type)) continue;
    const field = raw.providers === undefined ? `${where}.provider` : `${where}.providers[${index}].provider`;
    throw new CatalogError(
      `${field} "${route.providerId}" is of type "${type}", which cannot serve embedding models; route them to a provider of type ${EMBEDDING_PROVIDER_TYPES.join(" or ")}`,
    );
  }
}

function parseModel(raw: unknown, where: string, providers: ReadonlyMap<string, ProviderConfig>): CatalogModel {
  if (!isObject(raw)) throw new CatalogError(`${where} must be an object`);
  const id = requireString(raw, "id", where);
  const kind = parseKind(raw, where);
  const routes = parseRoutes(raw, where, providers);
  const contextLength = optionalPositiveInteger(raw, "context_length", where);
  if (contextLength === null) throw new CatalogError(`${where}.context_length must be a positive integer`);
  const embedding = kind === "embedding";
  for (const field of embedding ? CHAT_ONLY : EMBEDDING_ONLY) {
    if (raw[field] !== undefined && raw[field] !== null) throw new CatalogError(`${where}.${field} applies only to ${embedding ? "chat" : "embedding"} models`);
  }
  if (embedding) checkEmbeddingRoutes(routes, raw, where, providers);
  const outputPrice = embedding
    ? optionalPrice(raw, "output_price_per_mtok", where)
    : usdToMicros(requireNonNegativeNumber(raw, "output_price_per_mtok", where));
  return {
    id,
    kind,
    routes,
    inputMicrosPerMtok: usdToMicros(requireNonNegativeNumber(raw, "input_price_per_mtok", where)),
    outputMicrosPerMtok: outputPrice ?? 0,
    cacheReadMicrosPerMtok: optionalPrice(raw, "cache_read_price_per_mtok", where),
    cacheWriteMicrosPerMtok: optionalPrice(raw, "cache_write_price_per_mtok", where),
    contextLength,
    maxOutputTokens: optionalPositiveInteger(raw, "max_output_tokens", where),
    dimensions: embedding ? parseDimensions(raw, where) : null,
    ownedBy: optionalString(raw, "owned_by", where) ?? routes[0]!.providerId,
    created: optionalPositiveInteger(raw, "created", where) ?? 1_700_000_000,
  };
}

/** Validates a catalog document (PRODUCT.md §7). Throws CatalogError naming the first bad field. */
export function parseCatalog(document: unknown): Catalog {
  if (!isObject(document)) throw new CatalogError('the catalog must be a JSON object with "providers" and "models"');
  if (!Array.isArray(document.providers)) throw new CatalogError("providers must be an array");
  if (!Array.isArray(document.models)) throw new CatalogError("models must be an array");
  const providers = new Map<string, ProviderConfig>();
  document.providers.forEach((raw: unknown, index) => {
    const provider = parseProvider(raw, `providers[${index}]`);
    if (providers.has(provider.id)) throw new CatalogError(`providers[${index}].id "${provider.id}" appears twice`);
    providers.set(provider.id, provider);
  });
  const models = new Map<string, CatalogModel>();
  document.models.forEach((raw: unknown, index) => {
    const model = parseModel(raw, `models[${index}]`, providers);
    if (models.has(model.id)) throw new CatalogError(`models[${index}].id "${model.id}" appears twice`);
    models.set(model.id, model);
  });
  return { providers, models, modelList: [...models.values()] };
}
