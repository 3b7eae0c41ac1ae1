import type { ColumnType } from "kysely";
import type { AuditLogTable } from "./audit-schema.js";
import type { CreditLedgerTable } from "./ledger-schema.js";
import type { ResponsesTable } from "./responses-schema.js";
import type { SessionsTable } from "./sessions-schema.js";
import type { UsageBackfillTable, UsageRollupTable } from "./usage-schema.js";
import type { WebhookDeliveriesTable, WebhookEndpointsTable, WebhookEventsTable } from "./webhooks-schema.js";

/**
 * Table shapes. Timestamps are epoch milliseconds (BIGINT); money is integer
 * micro-dollars (BIGINT); lists are JSON text. The same shapes on both dialects.
 */
export interface AccountsTable {
  id: string;
  email: string;
  password_hash: string | null;
  plan: string;
  rpm_limit: number | null;
  tpm_limit: number | null;
  balance_micros: ColumnType<number, number | undefined, number>;
  ip_allowlist: string | null;
  low_balance_threshold_micros: ColumnType<number | null, number | null | undefined, number | null>;
  low_balance_alerted: ColumnType<number, number | undefined, number>;
  created_at: number;
  updated_at: number;
}

export interface ApiKeysTable {
  id: string;
  account_id: string;
  name: string;
  mode: string;
  key_hash: string;
  last4: string;
  created_at: number;
  last_used_at: number | null;
  expires_at: number | null;
  revoked_at: number | null;
  rolled_from_id: string | null;
  ip_allowlist: string | null;
  /** JSON list of scopes. */
  scopes: string;
  rpm_limit: number | null;
  tpm_limit: number | null;
  /** The spend cap: both set, or both null. */
  spend_cap_micros: number | null;
  spend_cap_period: string | null;
  /** JSON list of model patterns; null = every model. */
  models: string | null;
  /** The first key of the roll chain; null = the key itself. */
  lineage_id: string | null;
}

export interface Database {
  accounts: AccountsTable;
  api_keys: ApiKeysTable;
  sessions: SessionsTable;
  audit_log: AuditLogTable;
  credit_ledger: CreditLedgerTable;
  usage_hourly: UsageRollupTable;
  usage_daily: UsageRollupTable;
  usage_backfill: UsageBackfillTable;
  responses: ResponsesTable;
  webhook_endpoints: WebhookEndpointsTable;
  webhook_events: WebhookEventsTable;
  webhook_deliveries: WebhookDeliveriesTable;
}
