import { type Kysely, SqliteAdapter, sql } from "kysely";
import { planUsageBackfill } from "../rollups/backfill-usage.js";
import { USAGE_TABLES } from "../usage-schema.js";

/**
 * Usage rollups: per (account, hour or day, key, model) sums of request
 * records, kept by writeRecordBatch from now on. The primary key leads with
 * the account and the bucket, the range every usage query reads; on SQLite the
 * table is stored in that order (WITHOUT ROWID), so a query reads one
 * contiguous run of rows. The audit log already stored is counted by a
 * resumable backfill (rollups/backfill-usage.ts) that this migration plans and
 * openStorage runs.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const sqlite = db.getExecutor().adapter instanceof SqliteAdapter;
  for (const table of USAGE_TABLES) {
    await db.schema
      .createTable(table)
      .addColumn("account_id", "varchar(64)", (column) => column.notNull())
      .addColumn("api_key_id", "varchar(64)", (column) => column.notNull())
      .addColumn("model", "varchar(200)", (column) => column.notNull())
      .addColumn("bucket_start", "bigint", (column) => column.notNull())
      .addColumn("requests", "bigint", (column) => column.notNull().defaultTo(0))
      .addColumn("errors", "bigint", (column) => column.notNull().defaultTo(0))
      .addColumn("prompt_tokens", "bigint", (column) => column.notNull().defaultTo(0))
      .addColumn("completion_tokens", "bigint", (column) => column.notNull().defaultTo(0))
      .addColumn("cache_read_tokens", "bigint", (column) => column.notNull().defaultTo(0))
      .addColumn("cache_write_tokens", "bigint", (column) => column.notNull().defaultTo(0))
      .addColumn("reasoning_tokens", "bigint", (column) => column.notNull().defaultTo(0))
      .addColumn("cost_micros", "bigint", (column) => column.notNull().defaultTo(0))
      .addPrimaryKeyConstraint(`${table}_pkey`, ["account_id", "bucket_start", "api_key_id", "model"])
      .$call((builder) => (sqlite ? builder.modifyEnd(sql`without rowid`) : builder))
      .execute();
    // Retention purges by time across accounts.
    await db.schema.createIndex(`${table}_bucket`).on(table).column("bucket_start").execute();
  }
  await db.schema
    .createTable("usage_backfill")
    .addColumn("id", "integer", (column) => column.primaryKey())
    .addColumn("next_day", "bigint", (column) => column.notNull())
    .addColumn("end_day", "bigint", (column) => column.notNull())
    .execute();
  await planUsageBackfill(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("usage_backfill").execute();
  for (const table of USAGE_TABLES) await db.schema.dropTable(table).execute();
}
