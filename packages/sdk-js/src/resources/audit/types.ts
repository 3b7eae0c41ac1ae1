/** What an audit record is about: `api.request` for a gateway request, else the management action. */
export type AuditEvent =
  | "api.request"
  | "key.created"
  | "key.rolled"
  | "key.renamed"
  | "key.revoked"
  | "key.allowlist_changed"
  | "account.created"
  | "account.signed_in"
  | "account.sign_in_failed"
  | "account.signed_out"
  | "account.plan_changed"
  | "account.limits_changed"
  | "account.allowlist_changed"
  | "account.low_balance_threshold_changed"
  | "credits.granted"
  | "webhook.created"
  | "webhook.updated"
  | "webhook.deleted"
  | "webhook.secret_rolled";

/** One audit record: a gateway request (`type: "request"`) or a management event. */
export interface AuditRecord {
  id: string;
  object: "audit_log";
  type: "request" | "event";
  event: AuditEvent;
  /** RFC 3339. */
  timestamp: string;
  request_id: string | null;
  /** The route the request was served by, e.g. `/v1/chat/completions`; null for events. */
  endpoint: string | null;
  account_id: string | null;
  /** The key ID: the key's last 4 characters (never the key). */
  key_id: string | null;
  /** The key's internal id. */
  api_key_id: string | null;
  key_name: string | null;
  model: string | null;
  provider: string | null;
  status: number | null;
  error_code: string | null;
  prompt_tokens: number | null;
  completion_tokens: number | null;
  total_tokens: number | null;
  /** The parts of `prompt_tokens` read from and written to the provider's prompt cache. */
  cache_read_tokens: number | null;
  cache_write_tokens: number | null;
  /** The part of `completion_tokens` spent on reasoning. */
  reasoning_tokens: number | null;
  cost_micros: number | null;
  /** `true` when Bentoo counted the tokens because the provider reported none. */
  usage_estimated: boolean | null;
  source_ip: string | null;
  user_agent: string | null;
  latency_ms: number | null;
  /** Who did a management action: `operator`, `session:acct_…`, `key:key_…`. */
  actor: string | null;
  metadata: Record<string, unknown> | null;
  [field: string]: unknown;
}

/** A point in time: a `Date`, or an RFC 3339 string sent as given. */
export type Timestamp = Date | string;

/** Filters shared by `list()` and `export()`; `undefined` filters are not sent. */
export interface AuditLogFilters {
  /** Inclusive start of the time range. */
  start?: Timestamp;
  /** End of the time range. */
  end?: Timestamp;
  /** A key ID (last 4 characters). */
  key_id?: string;
  model?: string;
  /** A route path such as `/v1/chat/completions`. */
  endpoint?: string;
  status?: number | string;
  event?: AuditEvent;
}

export interface AuditLogListParams extends AuditLogFilters {
  /** Records per page. */
  limit?: number;
  /** Where to resume; `for await` and `getNextPage()` set it for you. */
  cursor?: string;
}

export interface AuditLogExportParams extends AuditLogFilters {
  format: "jsonl" | "csv";
}
