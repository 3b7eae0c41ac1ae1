import type { Readable } from "node:stream";
import { Pool } from "undici";
import { BentooError, type ProviderConfig } from "@bentoo/core";
import { ClientAbortedError, UpstreamError } from "./upstream-error.js";

/** Largest upstream error body read when mapping an error (bytes); the message is in its first bytes. */
const MAX_ERROR_BODY = 64 * 1024;
/**
 * Largest JSON answer read (bytes). A completion is text plus metadata: even a
 * 128k-token answer is well under this; past it, the provider is misbehaving.
 */
export const MAX_JSON_ANSWER_BYTES = 32 * 1024 * 1024;

const TIMEOUT_CODES = new Set(["UND_ERR_HEADERS_TIMEOUT", "UND_ERR_BODY_TIMEOUT", "UND_ERR_CONNECT_TIMEOUT"]);

export interface UpstreamResponse {
  status: number;
  body: Readable;
}

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
 * chunks). Transport failures become UpstreamErrors that name the provider;
 * a client that went away is a ClientAbortedError, nobody's failure.
 */
export class UpstreamClient {
  readonly #pool: Pool;
  readonly #basePath: string;
  readonly #headers: Record<string, string>;
  readonly maxAnswerBytes: number;

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
    this.#headers = { "content-type": "application/json", "user-agent": "bentoo-gateway", ...options.headers };
    this.maxAnswerBytes = options.maxAnswerBytes ?? MAX_JSON_ANSWER_BYTES;
  }

  /** POSTs a JSON body to the provider's base URL + `path`; resolves once the response's headers arrive. */
  async post(path: string, body: string | Buffer, options: { accept: string; signal: AbortSignal }): Promise<UpstreamResponse> {
    try {
      const response = await this.#pool.request({ path: this.#basePath + path, method: "POST", headers: { ...this.#headers, accept: options.accept }, body, signal: options.signal });
      return { status: response.statusCode, body: response.body };
    } catch (error) {
      throw this.transportError(error, options.signal);
    }
  }

  /** A 2xx JSON answer's bytes, up to `maxAnswerBytes` (502 `upstream_bad_response` past it). */
  async readAnswer(response: UpstreamResponse, signal: AbortSignal): Promise<Buffer> {
    const chunks: Buffer[] = [];
    let length = 0;
    try {
      for await (const chunk of response.body as AsyncIterable<Buffer>) {
        length += chunk.length;
        if (length > this.maxAnswerBytes) {
          response.body.destroy();
          throw new BentooError("upstream_bad_response", `provider "${this.provider.id}" sent an answer larger than ${Math.round(this.maxAnswerBytes / 1024)} KiB; it was not forwarded.`);
        }
        chunks.push(chunk);
      }
    } catch (error) {
      throw error instanceof BentooError ? error : this.transportError(error, signal);
    }
    return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, length);
  }

  /** The first bytes of an error response's body, as text (the rest is drained and dropped). */
  async readError(response: UpstreamResponse): Promise<string> {
    const chunks: Buffer[] = [];
    let length = 0;
    try {
      for await (const chunk of response.body as AsyncIterable<Buffer>) {
        if (length < MAX_ERROR_BODY) chunks.push(chunk);
        length += chunk.length;
      }
    } catch {
      // What arrived is enough to name the error.
    }
    return Buffer.concat(chunks).toString("utf8").slice(0, MAX_ERROR_BODY);
  }

  /** Maps a transport failure (timeouts, refused or reset connections) to the error the client gets. */
  transportError(error: unknown, signal: AbortSignal): Error {
    if (signal.aborted) return new ClientAbortedError();
    const code = typeof error === "object" && error !== null && "code" in error ? String(error.code) : "";
    const name = `provider "${this.provider.id}"`;
    if (TIMEOUT_CODES.has(code)) return new UpstreamError("upstream_timeout", `${name} did not answer in time; retry, or try another model.`, true, { cause: error });
    return new UpstreamError("upstream_unreachable", `${name} could not be reached (${code || "connection failed"}); retry shortly.`, true, { cause: error });
  }

  close(): Promise<void> {
    return this.#pool.close();
  }
}
