import { BentooError, type ProviderConfig } from "@bentoo/core";
import { Pool } from "undici";
import type { Cancellation } from "./provider.js";
import { ClientAbortedError, UpstreamError } from "./upstream-error.js";
import { UpstreamExchange, type UpstreamResponse } from "./upstream-exchange.js";

export type { BodySink, StreamingResponse, UpstreamResponse, WholeResponse } from "./upstream-exchange.js";

/** Largest upstream error body read when mapping an error (bytes); the message is in its first bytes. */
const MAX_ERROR_BODY = 64 * 1024;
/**
 * Largest JSON answer read (bytes). A completion is text plus metadata: even a
 * 128k-token answer is well under this; past it, the provider is misbehaving.
 */
export const MAX_JSON_ANSWER_BYTES = 32 * 1024 * 1024;

const TIMEOUT_CODES = new Set(["UND_ERR_HEADERS_TIMEOUT", "UND_ERR_BODY_TIMEOUT", "UND_ERR_CONNECT_TIMEOUT"]);

export interface UpstreamClientOptions {
  /** Headers sent with every request: credentials and the provider's version headers. */
  headers: Record<string, string>;
  /** Most keep-alive connections to the provider (default 256). */
  connections?: number;
  /** Largest JSON answer read (default MAX_JSON_ANSWER_BYTES). */
  maxAnswerBytes?: number;
}

/**
 * HTTP to one provider: one undici keep-alive pool to its origin, its credential
 * headers, and its timeouts (`timeout_ms` for the headers and between two body
 * chunks). Transport failures become UpstreamErrors that name the provider; a
 * client that went away is a ClientAbortedError, nobody's failure.
 */
export class UpstreamClient {
  readonly #pool: Pool;
  readonly #basePath: string;
  readonly #jsonHeaders: Record<string, string>;
  readonly #streamHeaders: Record<string, string>;
  readonly #limits: { answer: number; error: number };

  constructor(
    readonly provider: ProviderConfig,
    options: UpstreamClientOptions,
  ) {
    const url = new URL(provider.baseUrl);
    this.#pool = new Pool(url.origin, {
      connections: options.connections ?? 256,
      keepAliveTimeout: 30_000,
      headersTimeout: provider.timeoutMs,
      bodyTimeout: provider.timeoutMs,
      connectTimeout: Math.min(provider.timeoutMs, 10_000),
    });
    this.#basePath = url.pathname.replace(/\/+$/, "");
    const headers = { "content-type": "application/json", "user-agent": "bentoo-gateway", ...options.headers };
    this.#jsonHeaders = { ...headers, accept: "application/json" };
    this.#streamHeaders = { ...headers, accept: "text/event-stream" };
    this.#limits = { answer: options.maxAnswerBytes ?? MAX_JSON_ANSWER_BYTES, error: MAX_ERROR_BODY };
  }

  /**
   * POSTs a JSON body to the provider's base URL + `path`. Resolves with the
   * whole response (a JSON answer, or any error's first bytes), or — for a 2xx
   * answer to a streamed request — once its headers arrive; rejects with the
   * mapped transport failure, or ClientAbortedError once the client went away.
   * `headers` are added to (or replace) the provider's own for this request;
   * `maxAnswerBytes` raises the JSON answer's limit for one request whose answer
   * is known to be large (embeddings: inputs × dimensions).
   */
  post(
    path: string,
    body: string | Buffer,
    options: { streamed: boolean; cancellation: Cancellation; headers?: Readonly<Record<string, string>> | undefined; maxAnswerBytes?: number },
  ): Promise<UpstreamResponse> {
    const base = options.streamed ? this.#streamHeaders : this.#jsonHeaders;
    // A passthrough's client headers (Anthropic's anthropic-version and anthropic-beta; never credentials) go with the provider's own.
    const headers = options.headers === undefined ? base : { ...base, ...options.headers };
    const limits = options.maxAnswerBytes === undefined ? this.#limits : { ...this.#limits, answer: options.maxAnswerBytes };
    return new Promise((resolve, reject) => {
      const exchange = new UpstreamExchange(options.streamed, limits, options.cancellation, resolve, (error) =>
        reject(this.transportError(error, options.cancellation)),
      );
      this.#pool.dispatch({ path: this.#basePath + path, method: "POST", headers, body }, exchange);
    });
  }

  /** The error for an answer past `maxAnswerBytes`: it is not forwarded. */
  tooLarge(limit = this.#limits.answer): BentooError {
    return new BentooError(
      "upstream_bad_response",
      `provider "${this.provider.id}" sent an answer larger than ${Math.round(limit / 1024)} KiB; it was not forwarded.`,
    );
  }

  /** Maps a transport failure (timeouts, refused or reset connections) to the error the client gets. */
  transportError(error: unknown, cancellation: Cancellation): Error {
    if (cancellation.cancelled || error instanceof ClientAbortedError) return new ClientAbortedError();
    const code = typeof error === "object" && error !== null && "code" in error ? String(error.code) : "";
    const name = `provider "${this.provider.id}"`;
    if (TIMEOUT_CODES.has(code))
      return new UpstreamError("upstream_timeout", `${name} did not answer in time; retry, or try another model.`, true, { cause: error });
    return new UpstreamError("upstream_unreachable", `${name} could not be reached (${code || "connection failed"}); retry shortly.`, true, {
      cause: error,
      transient: true,
    });
  }

  close(): Promise<void> {
    return this.#pool.close();
  }
}
