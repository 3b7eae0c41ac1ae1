import type { Admission, ReplayedCharge } from "@bentoo/admission";
import type { RecordStore } from "@bentoo/core";
import { type RecordJournal, type ReplayedLedgerEntry, replayJournal } from "@bentoo/storage";
import type { Logger } from "pino";

/** The charges among replayed ledger rows, as admission takes them. */
function chargesOf(rows: readonly ReplayedLedgerEntry[]): ReplayedCharge[] {
  const charges: ReplayedCharge[] = [];
  for (const { entry, written } of rows) {
    if (entry.kind !== "charge" || entry.requestId === null) continue;
    charges.push({ accountId: entry.accountId, requestId: entry.requestId, chargedMicros: Math.max(0, -entry.amountMicros), written });
  }
  return charges;
}

/**
 * At start, before serving: what a process that died (killed, crashed) left in
 * the journal goes to storage, its charges to admission (taken from the
 * balances once, whatever it had settled), then its holds still open are
 * ended, and the journal it left is deleted. A failure stops the start; the
 * journal stays for the next one.
 */
export async function recoverFromJournal(journal: RecordJournal, records: Pick<RecordStore, "write">, admission: Admission, logger: Logger): Promise<void> {
  if (journal.leftovers.length === 0 && journal.previousOwners.length === 0) return;
  const replay = await replayJournal(journal.leftovers, records, {
    onLedger: (rows) => admission.recover({ instanceIds: [], charges: chargesOf(rows) }),
  });
  await admission.recover({ instanceIds: journal.previousOwners, charges: [] });
  journal.discardLeftovers();
  if (journal.leftovers.length > 0) {
    logger.warn(
      { journal: journal.directory, segments: journal.leftovers.length, ...replay },
      "replayed the record journal of a process that stopped without flushing it",
    );
  }
  if (replay.unreadable > 0) logger.warn({ unreadable: replay.unreadable }, "skipped journal lines that did not read back (a torn last line)");
}
