import type { ListJson } from "./common.js";

export type AuditRecordType = "request" | "event";

/** `api.request` for gateway requests; the others name a management action (docs/audit.md). */
export type AuditEventName =
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

/**
 * One audit record: an item of `GET …/audit/logs` and one line of its JSONL
 * export (the CSV has the same columns but `object`). These members and no
 * others, so nothing unexpected, let alone key material, reaches an export.
 */
export interface AuditRecordJson {
  id: string;
  object: "audit_log";
  type: AuditRecordType;
  event: AuditEventName;
  timestamp: string;
  request_id: string | null;
  /** The route a gateway request was served by, e.g. `/v1/chat/completions`; null for events. */
  endpoint: string | null;
  /** null only for a failed authentication with an unknown key. */
  account_id: string | null;
  /** The key ID users see (last 4 characters); never the key. */
  key_id: string | null;
  /** The key's internal id (`key_…`). */
  api_key_id: string | null;
  key_name: string | null;
  model: string | null;
  provider: string | null;
  /** The HTTP status answered. */
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
  /** true when Bentoo counted the tokens because the upstream reported none. */
  usage_estimated: boolean | null;
  source_ip: string | null;
  user_agent: string | null;
  latency_ms: number | null;
  /** Who did a management action: `operator`, `session:acct_…`, `key:key_…`. */
  actor: string | null;
  /** Small JSON about a management action, such as `{grace_seconds, new_key_id}`. */
  metadata: Record<string, unknown> | null;
}

/** `GET /v1/audit/logs` and `GET /api/audit/logs`. */
export type AuditPageJson = ListJson<AuditRecordJson>;
