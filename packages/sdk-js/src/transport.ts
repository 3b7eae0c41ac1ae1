import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError, BentooError, errorFromBody } from "./errors.js";
import { isRetryableStatus, retryDelayMs, sleepUnlessAborted } from "./retry.js";
import { Stream } from "./streaming.js";
import { VERSION } from "./version.js";

/** Header values; `null` removes a header set by a lower layer (defaults, client headers). */
export type HeadersInput = Record<string, string | null | undefined>;

/** Options accepted as the last argument of every method. */
export interface RequestOptions {
  /** Milliseconds before one attempt is abandoned (and retried). */
  timeout?: number;
  maxRetries?: number;
  /** Aborting it rejects with `APIUserAbortError` (or ends a stream quietly). */
  signal?: AbortSignal;
  headers?: HeadersInput;
}

/** The subset of `fetch` the SDK calls; `globalThis.fetch` and undici's fit. */
export type Fetch = (url: string, init: RequestInit) => Promise<Response>;

export type QueryValue = string | number | boolean | null | undefined;

export interface RequestSpec {
  method: "GET" | "POST" | "DELETE";
  /** Path under the base URL, starting with `/`, already percent-encoded. */
  path: string;
  query?: Record<string, QueryValue>;
  body?: unknown;
  accept?: string;
}

export interface TransportConfig {
  apiKey: string;
  baseURL: string;
  timeout: number;
  maxRetries: number;
  defaultHeaders: HeadersInput;
  fetch: Fetch;
}

/** setTimeout fires at once for delays above 2^31 - 1 ms; longer timeouts are capped. */
const MAX_TIMER_MS = 2_147_483_647;

/**
 * Sends requests: URL, headers, timeout, retries, and turning non-2xx responses into
 * typed errors. The only holder of the API key besides the client.
 */
export class Transport {
  readonly #config: TransportConfig;

  constructor(config: TransportConfig) {
    this.#config = config;
  }

  /** A request whose successful response is JSON. The timeout covers reading the body. */
  async json<T>(spec: RequestSpec, options: RequestOptions = {}): Promise<T> {
    const { text } = await this.#execute(spec, options, "json");
    try {
      return JSON.parse(text ?? "") as T;
    } catch (cause) {
      throw new BentooError(`${spec.method} ${spec.path} answered with a body that is not JSON.`, { cause });
    }
  }

  /**
   * A server-sent events request. The timeout covers the wait for the response headers.
   * `isLast` recognises the last event of a stream that does not end with `[DONE]`.
   */
  async stream<T>(spec: RequestSpec, options: RequestOptions = {}, isLast: ((item: T) => boolean) | null = null): Promise<Stream<T>> {
    const { response, attempt } = await this.#execute({ accept: "text/event-stream", ...spec }, options, "stream");
    return new Stream<T>(response, attempt.controller, () => attempt.dispose(), isLast);
  }

  /** The raw response, body unread, after its status was checked. */
  async raw(spec: RequestSpec, options: RequestOptions = {}): Promise<Response> {
    const { response } = await this.#execute(spec, options, "raw");
    return response;
  }

  async #execute(
    spec: RequestSpec,
    options: RequestOptions,
    mode: "json" | "stream" | "raw",
  ): Promise<{ response: Response; attempt: Attempt; text?: string }> {
    const timeout = checkTimeout(options.timeout ?? this.#config.timeout, "timeout");
    const maxRetries = checkMaxRetries(options.maxRetries ?? this.#config.maxRetries, "maxRetries");
    const url = this.#url(spec);
    const headers = this.#headers(spec, options);
    const body = spec.body === undefined ? undefined : JSON.stringify(spec.body);
    for (let retryIndex = 0; ; retryIndex++) {
      if (options.signal?.aborted) throw new APIUserAbortError();
      const attempt = new Attempt(timeout, options.signal);
      let response: Response;
      try {
        response = await this.#config.fetch(url, { method: spec.method, headers, body, signal: attempt.controller.signal });
        if (response.ok) {
          if (mode !== "json") {
            attempt.clearTimer();
            return { response, attempt };
          }
          const text = await response.text();
          attempt.dispose();
          return { response, attempt, text };
        }
      } catch (cause) {
        attempt.dispose();
        const failure = attempt.classify(cause);
        if (failure instanceof APIUserAbortError || retryIndex >= maxRetries) throw failure;
        await sleepUnlessAborted(retryDelayMs(retryIndex), options.signal);
        continue;
      }
      if (retryIndex < maxRetries && isRetryableStatus(response.status)) {
        attempt.dispose();
        await response.body?.cancel().catch(() => undefined);
        await sleepUnlessAborted(retryDelayMs(retryIndex, response.headers), options.signal);
        continue;
      }
      const text = await response.text().catch(() => "");
      attempt.dispose();
      throw APIError.generate(response.status, errorFromBody(this.#redact(text)), undefined, response.headers);
    }
  }

  #url(spec: RequestSpec): string {
    const query = new URLSearchParams();
    for (const [name, value] of Object.entries(spec.query ?? {})) {
      if (value !== undefined && value !== null) query.append(name, String(value));
    }
    const search = query.toString();
    return `${this.#config.baseURL}${spec.path}${search === "" ? "" : `?${search}`}`;
  }

  #headers(spec: RequestSpec, options: RequestOptions): Headers {
    const headers = new Headers();
    headers.set("Accept", spec.accept ?? "application/json");
    if (spec.body !== undefined) headers.set("Content-Type", "application/json");
    headers.set("Authorization", `Bearer ${this.#config.apiKey}`);
    headers.set("X-Bentoo-SDK", `js/${VERSION}`);
    applyHeaders(headers, this.#config.defaultHeaders);
    if (options.headers !== undefined) applyHeaders(headers, options.headers);
    return headers;
  }

  /** A server should never echo a key back; if one does, it stops here. */
  #redact(text: string): string {
    return text.split(this.#config.apiKey).join("[redacted API key]");
  }
}

function applyHeaders(headers: Headers, input: HeadersInput): void {
  for (const [name, value] of Object.entries(input)) {
    if (value === null) headers.delete(name);
    else if (value !== undefined) headers.set(name, value);
  }
}

/**
 * One try of a request: its AbortController, fired by the timeout or by the caller's
 * signal, and which of the two fired (to pick the error class).
 */
class Attempt {
  readonly controller = new AbortController();
  readonly #userSignal: AbortSignal | undefined;
  readonly #onUserAbort = (): void => this.controller.abort();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #timedOut = false;

  constructor(timeoutMs: number, userSignal: AbortSignal | undefined) {
    this.#userSignal = userSignal;
    userSignal?.addEventListener("abort", this.#onUserAbort, { once: true });
    this.#timer = setTimeout(
      () => {
        this.#timedOut = true;
        this.controller.abort();
      },
      Math.min(timeoutMs, MAX_TIMER_MS),
    );
  }

  clearTimer(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** Stops the timer and unlinks the caller's signal. */
  dispose(): void {
    this.clearTimer();
    this.#userSignal?.removeEventListener("abort", this.#onUserAbort);
  }

  classify(cause: unknown): APIError {
    if (this.#timedOut) return new APIConnectionTimeoutError();
    if (this.#userSignal?.aborted === true) return new APIUserAbortError();
    return new APIConnectionError({ cause });
  }
}

export function checkTimeout(value: number, name: string): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
    throw new BentooError(`${name} must be a positive number of milliseconds; got ${String(value)}.`);
  }
  return value;
}

export function checkMaxRetries(value: number, name: string): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0) {
    throw new BentooError(`${name} must be a non-negative integer; got ${String(value)}.`);
  }
  return value;
}
