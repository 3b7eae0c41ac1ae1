import type { AuditRecord, LedgerEntry } from "@bentoo/core";
import type { Kysely } from "kysely";
import type { Database } from "../schema.js";

/**
 * How one dialect inserts audit records and ledger rows: the part of
 * `writeRecordBatch` that differs between SQLite (sqlite/record-inserts.ts) and
 * PostgreSQL (postgres/record-inserts.ts). Each method runs inside the batch's
 * transaction `trx`, skips the ids already stored (ON CONFLICT (id) DO NOTHING)
 * and returns the items it did insert, so that the steps after it count each
 * row once however often its batch is sent.
 */
export interface RecordInserts {
  audit(trx: Kysely<Database>, records: readonly AuditRecord[]): Promise<readonly AuditRecord[]>;
  ledger(trx: Kysely<Database>, entries: readonly LedgerEntry[]): Promise<readonly LedgerEntry[]>;
}
