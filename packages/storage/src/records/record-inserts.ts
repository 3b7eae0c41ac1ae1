import type { AuditRecord, LedgerEntry } from "@bentoo/core";
import type { Kysely } from "kysely";
import type { Database } from "../schema.js";
import type { UsageTable } from "../usage-schema.js";
import type { UsageRowValues } from "./usage-rows.js";

/**
 * How one dialect inserts audit records and ledger rows: the part of
 * `writeRecordBatch` that differs between SQLite (sqlite/record-inserts.ts) and
 * PostgreSQL (postgres/record-inserts.ts). Each method runs inside the batch's
 * transaction `trx`, skips the ids already stored (ON CONFLICT (id) DO NOTHING)
 * and returns the items it did insert, so that the steps after it count each
 * row once however often its batch is sent. `usage` adds each row's counters
 * to the stored row of its key in a rollup table, inserting it when missing.
 */
export interface RecordInserts {
  audit(trx: Kysely<Database>, records: readonly AuditRecord[]): Promise<readonly AuditRecord[]>;
  ledger(trx: Kysely<Database>, entries: readonly LedgerEntry[]): Promise<readonly LedgerEntry[]>;
  usage(trx: Kysely<Database>, table: UsageTable, rows: readonly UsageRowValues[]): Promise<void>;
}

/** The conflict target and the additions of a rollup upsert, the same text on both dialects. */
export function usageUpsertClause(table: UsageTable, counters: readonly string[]): string {
  const additions = counters.map((column) => `"${column}" = "${table}"."${column}" + excluded."${column}"`).join(", ");
  return `on conflict ("account_id", "bucket_start", "api_key_id", "model") do update set ${additions}`;
}
