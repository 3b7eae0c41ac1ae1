import type { LedgerEntry } from "@bentoo/core";
import type { CreditLedgerTable } from "../ledger-schema.js";
import { type ColumnValues, storedText } from "./audit-rows.js";

/** Every column of credit_ledger, in INSERT order. */
export const LEDGER_COLUMNS = [
  "id",
  "account_id",
  "kind",
  "amount_micros",
  "request_id",
  "estimated",
  "created_at",
  "metadata",
  "api_key_id",
  "admitted_at",
] as const satisfies ReadonlyArray<keyof CreditLedgerTable>;

/** A credit_ledger row's values in LEDGER_COLUMNS order: an INSERT's parameters. */
export type LedgerRowValues = ColumnValues<CreditLedgerTable, typeof LEDGER_COLUMNS>;

/**
 * The entry as it is stored. The request id is cleaned as audit text is (cut to
 * its column width, NUL removed, half of a surrogate pair made U+FFFD): a row the
 * database refused would fail its batch again at every retry.
 */
export function ledgerRowValues(entry: LedgerEntry): LedgerRowValues {
  return [
    entry.id,
    entry.accountId,
    entry.kind,
    entry.amountMicros,
    storedText(entry.requestId, 64),
    entry.estimated ? 1 : 0,
    entry.createdAt,
    entry.metadata === null ? null : JSON.stringify(entry.metadata),
    // Journal lines written before charges named their key have neither.
    entry.apiKeyId ?? null,
    entry.admittedAt ?? null,
  ];
}

// Compile-time check that LEDGER_COLUMNS names every column of the table.
type MissingColumn = Exclude<keyof CreditLedgerTable, (typeof LEDGER_COLUMNS)[number]>;
const everyColumnListed: [MissingColumn] extends [never] ? true : MissingColumn = true;
void everyColumnListed;
