import type { Kysely } from "kysely";
import { planUsageBackfill } from "../rollups/backfill-usage.js";

/**
 * Usage rollups: per (account, hour, key, model) sums of request records,
 * kept by writeRecordBatch from now on. The primary key leads with the
 * account and the hour, the range every usage query reads. The audit log
 * already stored is counted by a resumable backfill (rollups/backfill-usage.ts)
 * that this migration plans and openStorage runs.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("usage_rollup")
    .addColumn("account_id", "varchar(64)", (column) => column.notNull())
    .addColumn("api_key_id", "varchar(64)", (column) => column.notNull())
    .addColumn("model", "varchar(200)", (column) => column.notNull())
    .addColumn("hour_start", "bigint", (column) => column.notNull())
    .addColumn("requests", "bigint", (column) => column.notNull().defaultTo(0))
    .addColumn("errors", "bigint", (column) => column.notNull().defaultTo(0))
    .addColumn("prompt_tokens", "bigint", (column) => column.notNull().defaultTo(0))
    .addColumn("completion_tokens", "bigint", (column) => column.notNull().defaultTo(0))
    .addColumn("cache_read_tokens", "bigint", (column) => column.notNull().defaultTo(0))
    .addColumn("cache_write_tokens", "bigint", (column) => column.notNull().defaultTo(0))
    .addColumn("reasoning_tokens", "bigint", (column) => column.notNull().defaultTo(0))
    .addColumn("cost_micros", "bigint", (column) => column.notNull().defaultTo(0))
    .addPrimaryKeyConstraint("usage_rollup_pkey", ["account_id", "hour_start", "api_key_id", "model"])
    .execute();
  // Retention purges by hour across accounts.
  await db.schema.createIndex("usage_rollup_hour").on("usage_rollup").column("hour_start").execute();
  await db.schema
    .createTable("usage_backfill")
    .addColumn("id", "integer", (column) => column.primaryKey())
    .addColumn("next_hour", "bigint", (column) => column.notNull())
    .addColumn("end_hour", "bigint", (column) => column.notNull())
    .execute();
  await planUsageBackfill(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("usage_backfill").execute();
  await db.schema.dropTable("usage_rollup").execute();
}
