import type { Stream } from "../../streaming.js";
import type { RequestOptions, Transport } from "../../transport.js";
import type {
  Response,
  ResponseCreateParams,
  ResponseCreateParamsBase,
  ResponseCreateParamsNonStreaming,
  ResponseCreateParamsStreaming,
  ResponseObject,
  ResponseStreamEvent,
} from "./types.js";

/** The events a Responses stream ends with (no `[DONE]` follows them). */
const LAST_EVENTS = new Set(["response.completed", "response.incomplete", "response.failed"]);

/** Adds `output_text`: every `output_text` part of the output's messages, joined (as OpenAI's SDK does). */
function withOutputText(response: ResponseObject): Response {
  const texts: string[] = [];
  for (const item of response.output) {
    if (item.type !== "message") continue;
    for (const part of item.content) if (part.type === "output_text") texts.push(part.text);
  }
  return { ...response, output_text: texts.join("") };
}

/** `POST /responses`, `GET /responses/{id}`, `DELETE /responses/{id}`: OpenAI's Responses API. */
export class Responses {
  readonly #transport: Transport;

  constructor(transport: Transport) {
    this.#transport = transport;
  }

  /**
   * Creates a response. With `stream: true` the promise resolves, once the response
   * headers arrive, to a `Stream` of semantic events (`response.created` …
   * `response.completed`) to read with `for await`.
   */
  create(params: ResponseCreateParamsNonStreaming, options?: RequestOptions): Promise<Response>;
  create(params: ResponseCreateParamsStreaming, options?: RequestOptions): Promise<Stream<ResponseStreamEvent>>;
  create(params: ResponseCreateParamsBase, options?: RequestOptions): Promise<Stream<ResponseStreamEvent> | Response>;
  async create(params: ResponseCreateParams, options?: RequestOptions): Promise<Stream<ResponseStreamEvent> | Response> {
    const spec = { method: "POST", path: "/responses", body: params } as const;
    if (params.stream === true) return this.#transport.stream<ResponseStreamEvent>(spec, options, (event) => LAST_EVENTS.has(event.type));
    return withOutputText(await this.#transport.json<ResponseObject>(spec, options));
  }

  /** A stored response of this account (`NotFoundError` for any other). */
  async retrieve(responseId: string, options?: RequestOptions): Promise<Response> {
    return withOutputText(await this.#transport.json<ResponseObject>({ method: "GET", path: `/responses/${encodeURIComponent(responseId)}` }, options));
  }

  /** Deletes a stored response of this account (`NotFoundError` for any other). */
  async delete(responseId: string, options?: RequestOptions): Promise<void> {
    await this.#transport.json<unknown>({ method: "DELETE", path: `/responses/${encodeURIComponent(responseId)}` }, options);
  }
}
