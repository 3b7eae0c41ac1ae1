import type {
  AccountJson,
  ApiKeyJson,
  CreditGrantJson,
  CreditGrantRequestJson,
  IssuedKeyJson,
  KeyMode,
  KeyScope,
  ListJson,
  Plan,
  RolledKeyJson,
  SpendCapJson,
  SpendPeriod,
} from "@bentoo/api-types";
import {
  listParser,
  parseAccount,
  parseApiKey,
  parseCreditGrant,
  parseErrorEnvelope,
  parseIssuedKey,
  parseRolledKey,
  UnexpectedShapeError,
} from "./response-checks.js";

export type { KeyMode, KeyScope, Plan, SpendPeriod };

/** The server answered with an error (or with something that is not Bentoo's JSON). */
export class AdminApiError extends Error {
  override readonly name = "AdminApiError";
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly type: string | null = null,
    readonly param: string | null = null,
  ) {
    super(message);
  }
}

/** No HTTP answer at all: connection refused, DNS failure, timeout. */
export class AdminConnectionError extends Error {
  override readonly name = "AdminConnectionError";
  readonly code = "connection_error";
}

export interface AdminClientOptions {
  /** Where the gateway listens, e.g. http://127.0.0.1:8080 (no /admin suffix). */
  baseUrl: string;
  /** BENTOO_ADMIN_TOKEN. Kept in a private field so it never shows up when the client is logged. */
  token: string;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

export interface PageQuery {
  limit?: number;
  cursor?: string | null;
}

export interface CreateAccountInput {
  email: string;
  password?: string;
  plan?: Plan;
}

/** null resets a limit to the plan's default. */
export interface AccountPatchInput {
  plan?: Plan;
  rpm_limit?: number | null;
  tpm_limit?: number | null;
  ip_allowlist?: string[] | null;
}

/** A key's controls as the admin API takes them; null clears one (in a change). */
export interface KeyControlsInput {
  scopes?: KeyScope[];
  rpm_limit?: number | null;
  tpm_limit?: number | null;
  spend_cap?: SpendCapJson | null;
  models?: string[] | null;
}

export interface CreateKeyInput extends KeyControlsInput {
  name: string;
  mode: KeyMode;
  /** RFC 3339. */
  expires_at?: string;
}

/** `PATCH /admin/v1/keys/{id}`. */
export interface KeyPatchInput extends KeyControlsInput {
  name?: string;
  ip_allowlist?: string[] | null;
  /** RFC 3339, or null to remove the expiry. */
  expires_at?: string | null;
}

/** Seconds the old key keeps working after a roll: 0 ends it now, null leaves it until revoked. */
export type GraceSeconds = number | null;

type Method = "GET" | "POST" | "PATCH" | "DELETE";

/** A typed client for /admin/v1 (PRODUCT.md §7). Every method resolves to the parsed JSON body. */
export class AdminClient {
  readonly #token: string;
  readonly #fetch: typeof fetch;
  readonly baseUrl: string;
  readonly timeoutMs: number;

  constructor(options: AdminClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
    this.#token = options.token;
    this.#fetch = options.fetch ?? globalThis.fetch;
    this.timeoutMs = options.timeoutMs ?? 30_000;
  }

  readonly accounts = {
    create: (input: CreateAccountInput): Promise<AccountJson> => this.request("POST", "/accounts", parseAccount, input),
    list: (query: PageQuery = {}): Promise<ListJson<AccountJson>> => this.request("GET", `/accounts${pageQuery(query)}`, listParser(parseAccount)),
    get: (id: string): Promise<AccountJson> => this.request("GET", `/accounts/${segment(id)}`, parseAccount),
    update: (id: string, patch: AccountPatchInput): Promise<AccountJson> => this.request("PATCH", `/accounts/${segment(id)}`, parseAccount, patch),
  };

  readonly credits = {
    /** A negative amount debits; a debit larger than the balance needs `allowNegative` (else 409 debit_exceeds_balance). */
    grant: (accountId: string, amountMicros: number, options: { allowNegative?: boolean } = {}): Promise<CreditGrantJson> => {
      const body: CreditGrantRequestJson = { amount_micros: amountMicros, ...(options.allowNegative === true ? { allow_negative: true } : {}) };
      return this.request("POST", `/accounts/${segment(accountId)}/credits`, parseCreditGrant, body);
    },
  };

  readonly keys = {
    create: (accountId: string, input: CreateKeyInput): Promise<IssuedKeyJson> =>
      this.request("POST", `/accounts/${segment(accountId)}/keys`, parseIssuedKey, input),
    list: (accountId: string, query: PageQuery = {}): Promise<ListJson<ApiKeyJson>> =>
      this.request("GET", `/accounts/${segment(accountId)}/keys${pageQuery(query)}`, listParser(parseApiKey)),
    get: (id: string): Promise<ApiKeyJson> => this.request("GET", `/keys/${segment(id)}`, parseApiKey),
    update: (id: string, patch: KeyPatchInput): Promise<ApiKeyJson> => this.request("PATCH", `/keys/${segment(id)}`, parseApiKey, patch),
    roll: (id: string, graceSeconds: GraceSeconds): Promise<RolledKeyJson> =>
      this.request("POST", `/keys/${segment(id)}/roll`, parseRolledKey, { grace_seconds: graceSeconds }),
    revoke: (id: string): Promise<ApiKeyJson> => this.request("DELETE", `/keys/${segment(id)}`, parseApiKey),
  };

  private async request<T>(method: Method, path: string, parse: (value: unknown) => T, body?: object): Promise<T> {
    const url = `${this.baseUrl}/admin/v1${path}`;
    const headers: Record<string, string> = { authorization: `Bearer ${this.#token}`, accept: "application/json" };
    if (body !== undefined) headers["content-type"] = "application/json";
    let response: Response;
    try {
      response = await this.#fetch(url, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw new AdminConnectionError(`cannot reach the admin API at ${this.baseUrl}: ${describeFetchFailure(error)}`);
    }
    const text = await response.text();
    const json = parseJson(text);
    if (!response.ok) throw this.errorFrom(response.status, json);
    if (json === undefined)
      throw new AdminApiError(
        response.status,
        "unexpected_response",
        `the server at ${this.baseUrl} answered HTTP ${response.status} with a body that is not JSON`,
      );
    try {
      return parse(json);
    } catch (error) {
      if (!(error instanceof UnexpectedShapeError)) throw error;
      throw new AdminApiError(
        response.status,
        "unexpected_response",
        `the server's answer to ${method} /admin/v1${path} has an unexpected shape (${error.message}); are the CLI and the gateway the same version?`,
      );
    }
  }

  private errorFrom(status: number, json: unknown): AdminApiError {
    const envelope = parseErrorEnvelope(json);
    if (envelope === null)
      return new AdminApiError(status, "unexpected_response", `the server at ${this.baseUrl} answered HTTP ${status} without Bentoo's JSON error envelope`);
    const { message, code, type, param } = envelope.error;
    // A gateway started without BENTOO_ADMIN_TOKEN does not mount the admin API at all.
    const hint = status === 404 && code === "not_found" ? " Is BENTOO_ADMIN_TOKEN set on the server? Without it the admin API is disabled." : "";
    return new AdminApiError(status, code, message + hint, type, param);
  }
}

function segment(id: string): string {
  return encodeURIComponent(id);
}

function pageQuery(query: PageQuery): string {
  const params = new URLSearchParams();
  if (query.limit !== undefined) params.set("limit", String(query.limit));
  if (query.cursor !== undefined && query.cursor !== null) params.set("cursor", query.cursor);
  const text = params.toString();
  return text === "" ? "" : `?${text}`;
}

function parseJson(text: string): unknown {
  if (text.trim() === "") return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function describeFetchFailure(error: unknown): string {
  if (error instanceof Error && error.name === "TimeoutError") return "the request timed out";
  // undici puts the useful part (ECONNREFUSED, ENOTFOUND…) in `cause`.
  const cause = error instanceof Error ? error.cause : undefined;
  if (cause instanceof Error) return "code" in cause && typeof cause.code === "string" ? `${cause.code} (${cause.message})` : cause.message;
  return error instanceof Error ? error.message : String(error);
}

/**
 * Every item of a paginated list, page after page. `fetchPage` is called with the
 * cursor of the previous page (null for the first).
 */
export async function collectAll<T>(fetchPage: (cursor: string | null) => Promise<ListJson<T>>): Promise<ListJson<T>> {
  const data: T[] = [];
  let cursor: string | null = null;
  for (;;) {
    const page: ListJson<T> = await fetchPage(cursor);
    data.push(...page.data);
    if (!page.has_more || page.next_cursor === null) break;
    if (page.next_cursor === cursor)
      throw new AdminApiError(200, "unexpected_response", "the server returned the same page cursor twice; stopping to avoid an endless loop");
    cursor = page.next_cursor;
  }
  return { object: "list", data, has_more: false, next_cursor: null };
}
