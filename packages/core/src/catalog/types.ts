/**
 * The model catalog: which models exist, what they cost, and which upstream
 * providers serve them, in fallback order. Provider-neutral: `type` only names
 * the wire protocol an adapter speaks.
 */
export const PROVIDER_TYPES = ["openai", "anthropic", "gemini"] as const;
export type ProviderType = (typeof PROVIDER_TYPES)[number];

export interface ProviderConfig {
  id: string;
  type: ProviderType;
  /** Base URL of the API, e.g. `https://api.openai.com/v1`. */
  baseUrl: string;
  /** Environment variable holding the upstream credential; null when none is needed (a local server). */
  apiKeyEnv: string | null;
  /** Longest wait for response headers, and between two body chunks (ms). */
  timeoutMs: number;
  /** Times a route on this provider is asked again after a transient failure (429, 5xx, refused connection) before the next route. */
  maxRetries: number;
  /** Longest those retries may wait in all (ms): a longer Retry-After moves on to the next route at once. */
  maxRetryWaitMs: number;
  /**
   * Which Chat Completions member carries the output limit when Bentoo writes the
   * request itself (a client of another API): `max_tokens`, which every
   * compatible server knows, or `max_completion_tokens`, which OpenAI's
   * reasoning models require. Only `openai` providers use it.
   */
  outputLimitParam: OutputLimitParam;
}

/** What a model does: `chat` models answer the chat APIs, `embedding` models POST /v1/embeddings. */
export const MODEL_KINDS = ["chat", "embedding"] as const;
export type ModelKind = (typeof MODEL_KINDS)[number];

/** The provider types that can serve embedding models (`openai`: POST {base_url}/embeddings; `gemini`: batchEmbedContents). */
export const EMBEDDING_PROVIDER_TYPES: readonly ProviderType[] = ["openai", "gemini"];

/** The vector sizes of an embedding model. */
export interface EmbeddingDimensions {
  /** Length of the vectors the model returns when the request names no `dimensions`. */
  default: number;
  /** Least `dimensions` a request may ask for; null when the model's vectors cannot be shortened (a request naming `dimensions` is refused). */
  min: number | null;
}
export const OUTPUT_LIMIT_PARAMS = ["max_tokens", "max_completion_tokens"] as const;
export type OutputLimitParam = (typeof OUTPUT_LIMIT_PARAMS)[number];

export interface ModelRoute {
  providerId: string;
  upstreamModel: string;
}

export interface CatalogModel {
  id: string;
  kind: ModelKind;
  /** Upstream routes, tried in order on retryable failures. */
  routes: readonly ModelRoute[];
  inputMicrosPerMtok: number;
  /** 0 for an embedding model whose catalog entry gives no output price (embeddings bill input tokens only). */
  outputMicrosPerMtok: number;
  /** Price of input tokens read from the provider's prompt cache; null: the input price. */
  cacheReadMicrosPerMtok: number | null;
  /** Price of input tokens written to the provider's prompt cache; null: the input price. */
  cacheWriteMicrosPerMtok: number | null;
  contextLength: number;
  /** Largest completion the model produces; the default output reservation. */
  maxOutputTokens: number | null;
  /** An embedding model's vector sizes; null for chat models. */
  dimensions: EmbeddingDimensions | null;
  ownedBy: string;
  /** Unix seconds, for OpenAI's `created` field. */
  created: number;
}

export interface Catalog {
  readonly providers: ReadonlyMap<string, ProviderConfig>;
  readonly models: ReadonlyMap<string, CatalogModel>;
  /** Models in file order, for listing. */
  readonly modelList: readonly CatalogModel[];
}
