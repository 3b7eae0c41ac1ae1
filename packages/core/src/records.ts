import type { AuditRecord } from "./audit/types.js";
import type { LedgerEntry } from "./credits/ledger.js";

/** Audit records and ledger rows that commit together or not at all. */
export interface RecordBatch {
  readonly audit: readonly AuditRecord[];
  readonly ledger: readonly LedgerEntry[];
}

/**
 * The one way audit records and ledger rows reach the database. `write` runs
 * one transaction: it inserts the audit records and the ledger rows whose ids
 * are not stored yet, and moves each account's balance by the sum of the ledger
 * rows it inserted. So a batch sent again (its first commit's reply lost)
 * changes nothing, and a balance always equals the sum of its account's rows.
 */
export interface RecordStore {
  write(batch: RecordBatch): Promise<void>;
}
