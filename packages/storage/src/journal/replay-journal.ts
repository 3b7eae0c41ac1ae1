import type { AuditRecord, LedgerEntry, RecordStore } from "@bentoo/core";
import { readSegment } from "./journal-segment.js";

/** A ledger row the replay handed to storage: `written` when storage did not have it yet. */
export interface ReplayedLedgerEntry {
  entry: LedgerEntry;
  written: boolean;
}

export interface JournalReplayOptions {
  /** Most audit records and most ledger rows per `write` (default 500 each). */
  batchSize?: number;
  /** Told the ledger rows of each batch once storage has them (admission takes the charges from its balances). */
  onLedger?: (rows: ReplayedLedgerEntry[]) => Promise<void>;
}

export interface JournalReplay {
  /** Audit records read back (each was written, or storage had it already). */
  audit: number;
  /** Ledger rows read back. */
  ledger: number;
  /** Of those, the rows storage did not have. */
  ledgerWritten: number;
  /** Lines that did not read back as an entry: a torn last line, or a tail a machine crash left. */
  unreadable: number;
}

/**
 * Writes the entries of `segments` (a dead process's journal, oldest first)
 * to storage, one segment at a time. Idempotent: storage skips the ids it has
 * (ON CONFLICT DO NOTHING) and moves balances only by the ledger rows it
 * inserts, so a replay of entries the dead process had committed, or a second
 * replay after a failed start, changes nothing twice. Does not delete the
 * segments: the caller does once the replay's consequences are settled too
 * (RecordJournal.discardLeftovers).
 */
export async function replayJournal(
  segments: readonly string[],
  store: Pick<RecordStore, "write">,
  options: JournalReplayOptions = {},
): Promise<JournalReplay> {
  const batchSize = options.batchSize ?? 500;
  const replay: JournalReplay = { audit: 0, ledger: 0, ledgerWritten: 0, unreadable: 0 };
  for (const path of segments) {
    const { audit, ledger, unreadable } = readSegment(path);
    replay.unreadable += unreadable;
    for (let start = 0; start < Math.max(audit.length, ledger.length); start += batchSize) {
      const batch: { audit: AuditRecord[]; ledger: LedgerEntry[] } = {
        audit: audit.slice(start, start + batchSize),
        ledger: ledger.slice(start, start + batchSize),
      };
      const inserted = new Set((await store.write(batch)).ledgerInserted);
      const rows = batch.ledger.map((entry) => ({ entry, written: inserted.has(entry.id) }));
      replay.audit += batch.audit.length;
      replay.ledger += rows.length;
      replay.ledgerWritten += inserted.size;
      if (rows.length > 0) await options.onLedger?.(rows);
    }
  }
  return replay;
}
