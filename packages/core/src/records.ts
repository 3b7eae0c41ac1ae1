import type { AuditRecord } from "./audit/types.js";
import type { LedgerEntry } from "./credits/ledger.js";

/** Audit records and ledger rows that commit together or not at all. */
export interface RecordBatch {
  readonly audit: readonly AuditRecord[];
  readonly ledger: readonly LedgerEntry[];
}

/** What one `RecordStore.write` inserted. */
export interface RecordWriteResult {
  /** The ids of the batch's ledger rows that were not stored before this write. */
  readonly ledgerInserted: readonly string[];
}

/**
 * The one way audit records and ledger rows reach the database. `write` runs
 * one transaction: it inserts the audit records and the ledger rows whose ids
 * are not stored yet, and moves each account's balance by the sum of the ledger
 * rows it inserted. So a batch sent again (its first commit's reply lost)
 * changes nothing, and a balance always equals the sum of its account's rows.
 * It resolves with the ledger rows it inserted (a replay after a crash tells
 * admission which charges storage lacked).
 */
export interface RecordStore {
  write(batch: RecordBatch): Promise<RecordWriteResult>;
}
