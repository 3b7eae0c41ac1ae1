/**
 * The JSON shapes of the account API (`/api/…`) the dashboard reads. They mirror
 * the gateway's presenters (apps/gateway/src/http/presenters.ts and
 * routes/api/present.ts); timestamps are RFC 3339 strings, money is integer
 * micro-dollars.
 */

export type Plan = "free" | "pro" | "enterprise";
export type KeyMode = "live" | "test";
export type KeyStatus = "active" | "revoked" | "expired";
export type GraceChoice = "none" | "1h" | "24h" | "7d" | "until_revoked";

export interface AccountLimits {
  /** null = unlimited. */
  max_active_keys: number | null;
  requests_per_minute: number;
  tokens_per_minute: number;
  /** Whether the plan allows IP allowlists. */
  ip_allowlist: boolean;
}

export interface Account {
  id: string;
  email: string;
  plan: Plan;
  limits: AccountLimits;
  active_keys: number;
  balance_micros: number;
  ip_allowlist: string[] | null;
  created_at: string | null;
}

export interface SessionResponse {
  account: Account;
  csrf_token: string;
}

export interface ListPage<T> {
  object: "list";
  data: T[];
  has_more: boolean;
  next_cursor: string | null;
}

export interface ApiKey {
  id: string;
  object: "api_key";
  /** The last 4 characters of the key: all that is ever shown after creation. */
  key_id: string;
  name: string;
  mode: KeyMode;
  status: KeyStatus;
  created_at: string | null;
  last_used_at: string | null;
  expires_at: string | null;
  revoked_at: string | null;
  rolled_from: string | null;
  ip_allowlist: string[] | null;
  requests_last_hour?: number;
  requests_last_24h?: number;
}

/** The one response that carries the full secret. */
export interface IssuedKey extends ApiKey {
  key: string;
}

export interface RolledKey extends IssuedKey {
  previous_key: ApiKey;
}

export type AuditRecordType = "request" | "event";

export interface AuditRecord {
  id: string;
  object: "audit_log";
  type: AuditRecordType;
  event: string;
  timestamp: string;
  request_id: string | null;
  account_id: string | null;
  key_id: string | null;
  api_key_id: string | null;
  key_name: string | null;
  model: string | null;
  provider: string | null;
  status: number | null;
  error_code: string | null;
  prompt_tokens: number | null;
  completion_tokens: number | null;
  total_tokens: number | null;
  cost_micros: number | null;
  usage_estimated: boolean | null;
  source_ip: string | null;
  user_agent: string | null;
  latency_ms: number | null;
  actor: string | null;
  metadata: Record<string, unknown> | null;
}

export type Granularity = "hour" | "day";
export type UsageGroupBy = "none" | "key" | "model";

export interface UsageBucket {
  bucket_start: string;
  api_key_id: string | null;
  key_id: string | null;
  key_name: string | null;
  model: string | null;
  requests: number;
  prompt_tokens: number;
  completion_tokens: number;
  cost_micros: number;
  errors: number;
}

export interface UsageResponse {
  object: "list";
  granularity: Granularity;
  data: UsageBucket[];
}

export interface Model {
  id: string;
  owned_by: string;
  context_length: number | null;
  max_output_tokens: number | null;
  pricing: { currency: string; input_per_mtok: number; output_per_mtok: number };
  available: boolean;
}

export interface ModelList {
  object: "list";
  data: Model[];
}

/** Filters shared by the audit log list and its export. */
export interface AuditFilters {
  start?: string;
  end?: string;
  key_id?: string;
  model?: string;
  status?: string;
  event?: string;
}

/** The audit events the gateway writes (packages/core/src/audit/types.ts). */
export const AUDIT_EVENTS = [
  "api.request",
  "key.created",
  "key.rolled",
  "key.renamed",
  "key.revoked",
  "key.allowlist_changed",
  "account.created",
  "account.signed_in",
  "account.sign_in_failed",
  "account.signed_out",
  "account.plan_changed",
  "account.limits_changed",
  "account.allowlist_changed",
  "credits.granted",
] as const;
