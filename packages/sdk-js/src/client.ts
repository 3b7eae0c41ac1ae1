import { readEnv } from "./env.js";
import {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
  AuthenticationError,
  BadRequestError,
  BentooError,
  ConflictError,
  InsufficientCreditsError,
  InternalServerError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  UnprocessableEntityError,
} from "./errors.js";
import { checkKeyFormat } from "./key-format.js";
import { Audit } from "./resources/audit/audit.js";
import { Chat } from "./resources/chat/chat.js";
import { Embeddings } from "./resources/embeddings.js";
import { Key } from "./resources/key.js";
import { Models } from "./resources/models.js";
import { Responses } from "./resources/responses/responses.js";
import { checkMaxRetries, checkTimeout, type Fetch, type HeadersInput, Transport } from "./transport.js";
import { VERSION } from "./version.js";

export interface ClientOptions {
  /** Defaults to the `BENTOO_API_KEY` environment variable. */
  apiKey?: string;
  /** Defaults to `BENTOO_BASE_URL`, else `http://127.0.0.1:8080/v1`. */
  baseURL?: string;
  /** Milliseconds before an attempt is abandoned. Default 600000 (10 minutes). */
  timeout?: number;
  /** Retries of 408, 409, 429, 5xx and connection errors. Default 2. */
  maxRetries?: number;
  /** Sent with every request; `null` removes a default header. */
  defaultHeaders?: HeadersInput;
  /** A `fetch` implementation; defaults to the global one. */
  fetch?: Fetch;
}

export const DEFAULT_BASE_URL = "http://127.0.0.1:8080/v1";
const DEFAULT_TIMEOUT_MS = 600_000;
const DEFAULT_MAX_RETRIES = 2;

const inspectCustom: unique symbol = Symbol.for("nodejs.util.inspect.custom");

/**
 * The Bentoo API client.
 *
 * ```ts
 * const client = new Bentoo(); // reads BENTOO_API_KEY and BENTOO_BASE_URL
 * const completion = await client.chat.completions.create({ model: "openai/gpt-6-luna", messages });
 * ```
 *
 * The API key lives in a private field: it is not enumerable, not serialised by
 * `JSON.stringify`, not shown by `console.log`, and never part of an error message.
 */
export class Bentoo {
  static readonly VERSION = VERSION;
  static readonly DEFAULT_BASE_URL = DEFAULT_BASE_URL;
  static readonly BentooError = BentooError;
  static readonly APIError = APIError;
  static readonly APIConnectionError = APIConnectionError;
  static readonly APIConnectionTimeoutError = APIConnectionTimeoutError;
  static readonly APIUserAbortError = APIUserAbortError;
  static readonly BadRequestError = BadRequestError;
  static readonly AuthenticationError = AuthenticationError;
  static readonly InsufficientCreditsError = InsufficientCreditsError;
  static readonly PermissionDeniedError = PermissionDeniedError;
  static readonly NotFoundError = NotFoundError;
  static readonly ConflictError = ConflictError;
  static readonly UnprocessableEntityError = UnprocessableEntityError;
  static readonly RateLimitError = RateLimitError;
  static readonly InternalServerError = InternalServerError;

  /** The base URL, without trailing slashes. */
  readonly baseURL: string;
  readonly timeout: number;
  readonly maxRetries: number;

  readonly chat: Chat;
  /** OpenAI's Responses API: `client.responses.create / retrieve / delete`. */
  readonly responses: Responses;
  readonly embeddings: Embeddings;
  readonly models: Models;
  /** Introspection of the calling key: `client.key.retrieve()`. */
  readonly key: Key;
  readonly audit: Audit;

  readonly #apiKey: string;
  readonly #options: ClientOptions;

  constructor(options: ClientOptions = {}) {
    this.#apiKey = resolveApiKey(options.apiKey);
    this.baseURL = resolveBaseURL(options.baseURL);
    this.timeout = checkTimeout(options.timeout ?? DEFAULT_TIMEOUT_MS, "timeout");
    this.maxRetries = checkMaxRetries(options.maxRetries ?? DEFAULT_MAX_RETRIES, "maxRetries");
    this.#options = { ...options, apiKey: undefined };
    const transport = new Transport({
      apiKey: this.#apiKey,
      baseURL: this.baseURL,
      timeout: this.timeout,
      maxRetries: this.maxRetries,
      defaultHeaders: { ...options.defaultHeaders },
      fetch: options.fetch ?? globalFetch(),
    });
    this.chat = new Chat(transport);
    this.responses = new Responses(transport);
    this.embeddings = new Embeddings(transport);
    this.models = new Models(transport);
    this.key = new Key(transport);
    this.audit = new Audit(transport);
  }

  /** A new client with the same settings (and key) except the ones given. */
  withOptions(overrides: ClientOptions): Bentoo {
    return new Bentoo({ ...this.#options, apiKey: this.#apiKey, ...stripUndefined(overrides) });
  }

  /** What `JSON.stringify(client)` shows: the settings, never the key. */
  toJSON(): { baseURL: string; timeout: number; maxRetries: number } {
    return { baseURL: this.baseURL, timeout: this.timeout, maxRetries: this.maxRetries };
  }

  /** What `console.log(client)` shows in Node. */
  [inspectCustom](): string {
    return `Bentoo { baseURL: '${this.baseURL}', timeout: ${this.timeout}, maxRetries: ${this.maxRetries} }`;
  }
}

function resolveApiKey(option: string | undefined): string {
  const fromOption = option !== undefined && option !== "";
  const apiKey = fromOption ? option : readEnv("BENTOO_API_KEY");
  if (apiKey === undefined) {
    throw new BentooError(
      "The BENTOO_API_KEY environment variable is missing or empty; either provide it, " +
        "or instantiate the Bentoo client with an apiKey option, like new Bentoo({ apiKey: 'btoo_sk_live_...' }).",
    );
  }
  const source = fromOption ? "The apiKey option" : "The BENTOO_API_KEY environment variable";
  const check = checkKeyFormat(apiKey);
  if (!check.ok && check.reason === "malformed") {
    throw new BentooError(
      `${source} does not hold a Bentoo API key: a key is btoo_sk_live_ or btoo_sk_test_ followed by 32 letters and digits. ` +
        "Copy the whole key from the Bentoo dashboard (Settings → API Keys), without quotes or spaces.",
    );
  }
  if (!check.ok) {
    throw new BentooError(
      `${source} holds a Bentoo API key whose checksum does not match: it was probably truncated or mistyped. ` +
        "Copy the whole key again from the Bentoo dashboard (Settings → API Keys).",
    );
  }
  return apiKey;
}

function resolveBaseURL(option: string | undefined): string {
  const baseURL = (option !== undefined && option !== "" ? option : (readEnv("BENTOO_BASE_URL") ?? DEFAULT_BASE_URL)).replace(/\/+$/, "");
  let parsed: URL;
  try {
    parsed = new URL(baseURL);
  } catch {
    throw new BentooError(`baseURL must be an absolute http(s) URL such as ${DEFAULT_BASE_URL}; got ${JSON.stringify(baseURL)}.`);
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw new BentooError(`baseURL must use http or https; got ${JSON.stringify(baseURL)}.`);
  }
  return baseURL;
}

function globalFetch(): Fetch {
  if (typeof globalThis.fetch !== "function") {
    throw new BentooError("No global fetch was found: use Node.js 18 or later, or pass a fetch implementation as the fetch option.");
  }
  return (url, init) => globalThis.fetch(url, init);
}

function stripUndefined(options: ClientOptions): ClientOptions {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
}
