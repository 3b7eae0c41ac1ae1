import type { RequestOptions, Transport } from "../transport.js";

/** `POST /embeddings`: the parameters, as OpenAI's Embeddings API takes them. */
export interface EmbeddingCreateParams {
  /** An embedding model from the catalog (`kind: "embedding"`), such as `openai/text-embedding-3-small`. */
  model: string;
  /** A string, a list of strings, a list of token ids, or a list of lists of token ids: at most 2,048 inputs, none empty. */
  input: string | string[] | number[] | number[][];
  /** `float` (lists of numbers) or `base64` (float32 bytes). Left out, the SDK asks for base64 and decodes it into numbers, as OpenAI's does. */
  encoding_format?: "float" | "base64";
  /** Shorter vectors, for models that can shorten theirs (`min_dimensions` in the catalog). */
  dimensions?: number;
  /** Your end-user's id, passed on to the provider. */
  user?: string;
  [field: string]: unknown;
}

/** One input's vector. With `encoding_format: "base64"` asked for explicitly, `embedding` is the base64 text as sent. */
export interface Embedding {
  object: "embedding";
  index: number;
  embedding: number[];
}

export interface EmbeddingUsage {
  prompt_tokens: number;
  total_tokens: number;
  /** What the request cost, in USD and in integer micro-dollars (0 on test keys). */
  cost?: number;
  cost_micros?: number;
  /** True when Bentoo counted the tokens because the provider reported none. */
  estimated?: boolean;
}

export interface CreateEmbeddingResponse {
  object: "list";
  data: Embedding[];
  model: string;
  usage: EmbeddingUsage;
}

/** `POST /embeddings`. */
export class Embeddings {
  readonly #transport: Transport;

  constructor(transport: Transport) {
    this.#transport = transport;
  }

  /**
   * Creates embedding vectors for the inputs, in order. Without an
   * `encoding_format`, the vectors travel as base64 (a quarter of the bytes of
   * JSON numbers) and come back decoded into numbers.
   */
  async create(params: EmbeddingCreateParams, options?: RequestOptions): Promise<CreateEmbeddingResponse> {
    const decode = params.encoding_format === undefined;
    const body = decode ? { ...params, encoding_format: "base64" } : params;
    const response = await this.#transport.json<CreateEmbeddingResponse>({ method: "POST", path: "/embeddings", body }, options);
    if (decode) {
      for (const entry of response.data) {
        const embedding: unknown = entry.embedding;
        if (typeof embedding === "string") entry.embedding = decodeFloat32(embedding);
      }
    }
    return response;
  }
}

/** Little-endian float32 values from base64 (atob: Node and browsers alike). */
export function decodeFloat32(base64: string): number[] {
  const binary = atob(base64);
  const view = new DataView(new ArrayBuffer(binary.length));
  for (let index = 0; index < binary.length; index += 1) view.setUint8(index, binary.charCodeAt(index));
  const values: number[] = new Array(Math.floor(binary.length / 4));
  for (let index = 0; index < values.length; index += 1) values[index] = view.getFloat32(index * 4, true);
  return values;
}
