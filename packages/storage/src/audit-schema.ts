/**
 * The `audit_log` table (migrations 002-audit-log and 005-audit-token-classes): one column per field of
 * AuditRecord in snake_case. Timestamps are epoch ms (BIGINT), money integer
 * micro-dollars, `usage_estimated` a nullable 0/1 SMALLINT and `metadata` JSON
 * text. No foreign keys: a failed authentication has no account, and records
 * outlive nothing they describe until retention purges them.
 */
export interface AuditLogTable {
  id: string;
  type: string;
  event: string;
  timestamp: number;
  request_id: string | null;
  endpoint: string | null;
  account_id: string | null;
  api_key_id: string | null;
  key_last4: string | null;
  key_name: string | null;
  model: string | null;
  provider: string | null;
  status: number | null;
  error_code: string | null;
  prompt_tokens: number | null;
  completion_tokens: number | null;
  total_tokens: number | null;
  cache_read_tokens: number | null;
  cache_write_tokens: number | null;
  reasoning_tokens: number | null;
  cost_micros: number | null;
  usage_estimated: number | null;
  source_ip: string | null;
  user_agent: string | null;
  latency_ms: number | null;
  actor: string | null;
  metadata: string | null;
}
