import type {
  ApiKey,
  ApiKeyJson,
  AuditFilters,
  AuditRecord,
  GraceChoice,
  Granularity,
  IssuedKey,
  KeyMode,
  ListPage,
  ModelList,
  RolledKey,
  SessionResponse,
  UsageGroupBy,
  UsageResponse,
  WebhookDelivery,
  WebhookEndpoint,
  WebhookEndpointWithSecret,
  WebhookEventType,
} from "./types";

/**
 * The one typed client every page uses. Same origin, cookie session: the
 * session cookie is HttpOnly (the page never sees it); every state-changing
 * call carries the session's CSRF token in `X-CSRF-Token`, taken from the
 * sign-in/sign-up response or `GET /api/account`.
 */

/** An error response, `{"error":{"message","type","param","code"}}`, or a network failure (status 0). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code: string | null = null,
    readonly param: string | null = null,
    readonly retryAfterSeconds: number | null = null,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

type Method = "GET" | "POST" | "PATCH" | "DELETE";
export type Query = Record<string, string | number | undefined | null>;

let csrfToken: string | null = null;
const expiredListeners = new Set<() => void>();

export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** Called whenever the server answers `invalid_session` (signed out elsewhere, or expired). */
export function onSessionExpired(listener: () => void): () => void {
  expiredListeners.add(listener);
  return () => expiredListeners.delete(listener);
}

export function withQuery(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== "") params.set(name, String(value));
  }
  const text = params.toString();
  return text === "" ? path : `${path}?${text}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function stringOrNull(value: unknown): string | null {
  return typeof value === "string" ? value : null;
}

function toApiError(status: number, body: unknown, retryAfter: string | null): ApiError {
  const envelope = isRecord(body) && isRecord(body.error) ? body.error : null;
  const message = stringOrNull(envelope?.message) ?? `The server answered ${status}; try again.`;
  const seconds = retryAfter === null ? null : Number(retryAfter);
  return new ApiError(status, message, stringOrNull(envelope?.code), stringOrNull(envelope?.param), Number.isFinite(seconds) ? seconds : null);
}

async function send(method: Method, path: string, body: unknown): Promise<Response> {
  const headers: Record<string, string> = { accept: "application/json" };
  if (body !== undefined) headers["content-type"] = "application/json";
  if (method !== "GET" && csrfToken !== null) headers["x-csrf-token"] = csrfToken;
  try {
    return await fetch(path, { method, headers, credentials: "same-origin", body: body === undefined ? null : JSON.stringify(body) });
  } catch {
    throw new ApiError(0, "Could not reach the Bentoo server. Check your connection and try again.");
  }
}

async function readBody(response: Response): Promise<unknown> {
  const text = await response.text();
  if (text === "") return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

async function request<T>(method: Method, path: string, body?: unknown, retried = false): Promise<T> {
  const response = await send(method, path, body);
  const parsed = await readBody(response);
  if (response.ok) {
    if (isRecord(parsed) && typeof parsed.csrf_token === "string") csrfToken = parsed.csrf_token;
    return parsed as T;
  }
  const error = toApiError(response.status, parsed, response.headers.get("retry-after"));
  if (error.code === "invalid_session") for (const listener of expiredListeners) listener();
  // A stale token (signed in again in another tab): fetch the current one and retry once.
  if (error.code === "invalid_csrf_token" && !retried && method !== "GET") {
    await request<SessionResponse>("GET", "/api/account");
    return request<T>(method, path, body, true);
  }
  throw error;
}

export const api = {
  signUp: (email: string, password: string) => request<SessionResponse>("POST", "/api/auth/signup", { email, password }),
  signIn: (email: string, password: string) => request<SessionResponse>("POST", "/api/auth/signin", { email, password }),
  async signOut(): Promise<void> {
    await request<undefined>("POST", "/api/auth/signout");
    csrfToken = null;
  },

  account: () => request<SessionResponse>("GET", "/api/account"),
  updateAccountAllowlist: (ipAllowlist: string[] | null) => request<SessionResponse>("PATCH", "/api/account", { ip_allowlist: ipAllowlist }),
  updateLowBalanceThreshold: (micros: number | null) => request<SessionResponse>("PATCH", "/api/account", { low_balance_threshold_micros: micros }),

  listWebhooks: () => request<ListPage<WebhookEndpoint>>("GET", "/api/webhooks"),
  createWebhook: (input: { url: string; description?: string; event_types: WebhookEventType[] }) =>
    request<WebhookEndpointWithSecret>("POST", "/api/webhooks", input),
  updateWebhook: (id: string, patch: { enabled?: boolean; url?: string; description?: string | null; event_types?: WebhookEventType[] }) =>
    request<WebhookEndpoint>("PATCH", `/api/webhooks/${encodeURIComponent(id)}`, patch),
  deleteWebhook: (id: string) => request<{ id: string; deleted: true }>("DELETE", `/api/webhooks/${encodeURIComponent(id)}`),
  rollWebhookSecret: (id: string, graceSeconds: number) =>
    request<WebhookEndpointWithSecret>("POST", `/api/webhooks/${encodeURIComponent(id)}/roll-secret`, { grace_seconds: graceSeconds }),
  webhookDeliveries: (id: string, cursor?: string | null) =>
    request<ListPage<WebhookDelivery>>("GET", withQuery(`/api/webhooks/${encodeURIComponent(id)}/deliveries`, { limit: 20, cursor })),
  redeliverWebhook: (id: string, deliveryId: string) =>
    request<WebhookDelivery>("POST", `/api/webhooks/${encodeURIComponent(id)}/deliveries/${encodeURIComponent(deliveryId)}/redeliver`),

  listKeys: (options: { limit?: number; cursor?: string | null } = {}) =>
    request<ListPage<ApiKey>>("GET", withQuery("/api/keys", { limit: options.limit ?? 100, cursor: options.cursor })),
  createKey: (input: { name: string; mode: KeyMode; expires_at?: string }) => request<IssuedKey>("POST", "/api/keys", input),
  getKey: (id: string) => request<ApiKey>("GET", `/api/keys/${encodeURIComponent(id)}`),
  updateKey: (id: string, patch: { name?: string; ip_allowlist?: string[] | null }) =>
    request<ApiKeyJson>("PATCH", `/api/keys/${encodeURIComponent(id)}`, patch),
  rollKey: (id: string, grace: GraceChoice) => request<RolledKey>("POST", `/api/keys/${encodeURIComponent(id)}/roll`, { grace }),
  revokeKey: (id: string) => request<ApiKeyJson>("DELETE", `/api/keys/${encodeURIComponent(id)}`),

  auditLogs: (filters: AuditFilters, page: { limit: number; cursor?: string | null }) =>
    request<ListPage<AuditRecord>>("GET", withQuery("/api/audit/logs", { ...filters, limit: page.limit, cursor: page.cursor })),
  /** A plain link (GET with the session cookie) so the browser downloads the file itself. */
  auditExportUrl: (format: "jsonl" | "csv", filters: AuditFilters) => withQuery("/api/audit/logs/export", { format, ...filters }),

  usage: (query: { start: string; end: string; granularity: Granularity; group_by: UsageGroupBy }) =>
    request<UsageResponse>("GET", withQuery("/api/usage", query)),
  models: () => request<ModelList>("GET", "/api/models"),
};

export type Api = typeof api;
