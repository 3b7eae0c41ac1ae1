/** A catalog model (`GET /v1/models/{id}`, and each item of the lists). */
export interface ModelJson {
  /** `vendor/name`, such as `openai/gpt-6-luna`. */
  id: string;
  object: "model";
  /** Unix seconds, as OpenAI's `created`. */
  created: number;
  owned_by: string;
  /** `chat` models answer the chat APIs; `embedding` models answer `POST /v1/embeddings`. */
  kind: "chat" | "embedding";
  /** Tokens of context; for an embedding model, the most one input may hold. */
  context_length: number;
  max_output_tokens: number | null;
  /** USD per million tokens (display values; charges are computed in micro-dollars). */
  pricing: {
    currency: "USD";
    input_per_mtok: number;
    /** 0 for embedding models, which bill input tokens only. */
    output_per_mtok: number;
    /** Prompt-cache prices, when the catalog sets them (cached tokens otherwise cost the input price). */
    cache_read_per_mtok?: number;
    cache_write_per_mtok?: number;
  };
  /** An embedding model's vector length when the request names no `dimensions`; null for chat models. */
  dimensions: number | null;
  /** The least `dimensions` an embedding model takes (it shortens its vectors down to it); null when it cannot shorten them, and for chat models. */
  min_dimensions: number | null;
  /** Provider ids, in fallback order. */
  providers: string[];
  /** Whether a live key can use it on this server now (a provider has credentials). */
  available: boolean;
}

/** `GET /v1/models` and `GET /api/models`: the whole catalog, unpaginated. */
export interface ModelListJson {
  object: "list";
  data: ModelJson[];
}

/**
 * One model in `GET /docs/catalog.json`, the catalog the public docs show: what a
 * customer needs to choose a model and nothing about how the server reaches it (no
 * provider, base URL or credential).
 */
export interface PublicModelJson {
  id: string;
  kind: "chat" | "embedding";
  context_length: number;
  max_output_tokens: number | null;
  /** The same USD-per-million-token prices as `ModelJson.pricing`. */
  pricing: ModelJson["pricing"];
}

/** `GET /docs/catalog.json`: no key needed, cached for a minute. */
export interface PublicCatalogJson {
  object: "list";
  data: PublicModelJson[];
}
