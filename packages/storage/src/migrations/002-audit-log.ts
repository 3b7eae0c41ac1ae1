import type { Kysely } from "kysely";

/**
 * The audit log. Column widths are mirrored in repositories/audit-rows.ts,
 * which cuts longer values so one odd record cannot fail a whole batch.
 * Every index leads with what the queries filter on and ends with the
 * (timestamp, id) order they page in — docs/audit.md shows the query plans.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("audit_log")
    .addColumn("id", "varchar(64)", (column) => column.primaryKey())
    .addColumn("type", "varchar(16)", (column) => column.notNull())
    .addColumn("event", "varchar(64)", (column) => column.notNull())
    .addColumn("timestamp", "bigint", (column) => column.notNull())
    .addColumn("request_id", "varchar(64)")
    .addColumn("account_id", "varchar(64)")
    .addColumn("api_key_id", "varchar(64)")
    .addColumn("key_last4", "varchar(8)")
    .addColumn("key_name", "varchar(200)")
    .addColumn("model", "varchar(200)")
    .addColumn("provider", "varchar(64)")
    .addColumn("status", "integer")
    .addColumn("error_code", "varchar(64)")
    .addColumn("prompt_tokens", "bigint")
    .addColumn("completion_tokens", "bigint")
    .addColumn("total_tokens", "bigint")
    .addColumn("cost_micros", "bigint")
    .addColumn("usage_estimated", "smallint")
    .addColumn("source_ip", "varchar(64)")
    .addColumn("user_agent", "varchar(512)")
    .addColumn("latency_ms", "double precision") // fractional: a fast request takes well under 1 ms
    .addColumn("actor", "varchar(128)")
    .addColumn("metadata", "text")
    .execute();

  // Pages of an account's log and the time-range filter: (account_id, timestamp, id).
  await db.schema.createIndex("audit_log_account_time").on("audit_log").columns(["account_id", "timestamp", "id"]).execute();
  // Key filter, per-key last-used and activity counts; the trailing id lets a
  // filtered page follow the index order with no sort.
  await db.schema.createIndex("audit_log_account_key_time").on("audit_log").columns(["account_id", "api_key_id", "timestamp", "id"]).execute();
  // Model filter and per-model usage.
  await db.schema.createIndex("audit_log_account_model_time").on("audit_log").columns(["account_id", "model", "timestamp", "id"]).execute();
  // Retention purge, across accounts.
  await db.schema.createIndex("audit_log_time").on("audit_log").column("timestamp").execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("audit_log").execute();
}
