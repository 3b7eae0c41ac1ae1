import { BentooError } from "../errors.js";
import type { RequestOptions, Transport } from "../transport.js";

/** A catalog entry. Prices are USD per million tokens. */
export interface Model {
  /** `provider/name`, such as `openai/gpt-6.2-sol`. */
  id: string;
  object: "model";
  created: number;
  owned_by: string;
  /** `chat`, or `embedding` for models served by `embeddings.create`. */
  kind: "chat" | "embedding";
  context_length: number;
  max_output_tokens: number | null;
  pricing: {
    currency: "USD";
    input_per_mtok: number;
    output_per_mtok: number;
    /** Prompt-cache prices, when the catalog sets them (cached tokens otherwise cost the input price). */
    cache_read_per_mtok?: number;
    cache_write_per_mtok?: number;
  };
  /** An embedding model's vector length, and the least `dimensions` it takes (null: it cannot shorten its vectors); null for chat models. */
  dimensions: number | null;
  min_dimensions: number | null;
  /** The providers that serve it, in fallback order. */
  providers: string[];
  /** Whether live keys can use it on this server now. */
  available: boolean;
  [field: string]: unknown;
}

export interface ModelList {
  object: "list";
  data: Model[];
}

/** `GET /models` and `GET /models/{id}`: the catalog. */
export class Models {
  readonly #transport: Transport;

  constructor(transport: Transport) {
    this.#transport = transport;
  }

  list(options?: RequestOptions): Promise<ModelList> {
    return this.#transport.json<ModelList>({ method: "GET", path: "/models" }, options);
  }

  /** @param id a model id; its slashes stay path separators (`openai/gpt-6.2-sol`). */
  async retrieve(id: string, options?: RequestOptions): Promise<Model> {
    return this.#transport.json<Model>({ method: "GET", path: `/models/${encodeModelId(id)}` }, options);
  }
}

/**
 * Percent-encodes each segment of a model id and keeps the slashes. Empty, `.` and
 * `..` segments are refused: URL parsing would resolve them and send the request
 * (with the key) to another endpoint.
 */
export function encodeModelId(id: string): string {
  const segments = id.split("/");
  if (segments.some((segment) => segment === "" || segment === "." || segment === "..")) {
    throw new BentooError(`Invalid model id ${JSON.stringify(id)}: expected a catalog id such as "openai/gpt-6.2-sol".`);
  }
  return segments.map(encodeURIComponent).join("/");
}
