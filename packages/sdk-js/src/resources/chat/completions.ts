import type { Stream } from "../../streaming.js";
import type { RequestOptions, Transport } from "../../transport.js";
import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionCreateParams,
  ChatCompletionCreateParamsBase,
  ChatCompletionCreateParamsNonStreaming,
  ChatCompletionCreateParamsStreaming,
} from "./types.js";

/** `POST /chat/completions`. */
export class Completions {
  readonly #transport: Transport;

  constructor(transport: Transport) {
    this.#transport = transport;
  }

  /**
   * Creates a chat completion. With `stream: true` the promise resolves, once the
   * response headers arrive, to a `Stream` of chunks to read with `for await`.
   */
  create(params: ChatCompletionCreateParamsNonStreaming, options?: RequestOptions): Promise<ChatCompletion>;
  create(params: ChatCompletionCreateParamsStreaming, options?: RequestOptions): Promise<Stream<ChatCompletionChunk>>;
  create(params: ChatCompletionCreateParamsBase, options?: RequestOptions): Promise<Stream<ChatCompletionChunk> | ChatCompletion>;
  create(params: ChatCompletionCreateParams, options?: RequestOptions): Promise<Stream<ChatCompletionChunk> | ChatCompletion> {
    const spec = { method: "POST", path: "/chat/completions", body: params } as const;
    if (params.stream === true) return this.#transport.stream<ChatCompletionChunk>(spec, options);
    return this.#transport.json<ChatCompletion>(spec, options);
  }
}
