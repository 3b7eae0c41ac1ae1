/**
 * The credit ledger: append-only rows in integer micro-dollars. An account's
 * balance is always the sum of its rows: rows are written only through
 * `RecordStore.write`, which moves the balance in the same transaction.
 *
 * - `grant`   +amount: credits added by the operator.
 * - `charge`  −cost: what a request cost, written when it settles. The hold that
 *   preceded it lives only in admission (memory or Redis); a request that
 *   cost nothing writes no row.
 * So a request that reserved 500 and used 120 writes one row, charge −120.
 */
export const LEDGER_KINDS = ["grant", "charge"] as const;
export type LedgerKind = (typeof LEDGER_KINDS)[number];

export interface LedgerEntry {
  id: string;
  accountId: string;
  kind: LedgerKind;
  amountMicros: number;
  requestId: string | null;
  /** Usage behind a charge was estimated by Bentoo (the upstream reported none). */
  estimated: boolean;
  /** A charge's key (null for grants): a key's spend cap counts its charges. */
  apiKeyId: string | null;
  /** When a charge's request was admitted (its hold taken): the spend-cap period the charge counts in. Null for grants. */
  admittedAt: number | null;
  createdAt: number;
  metadata: Record<string, unknown> | null;
}

/** The ledger's read side (rows are written through `RecordStore.write`). */
export interface LedgerStore {
  /** Sum of an account's rows (for the invariant check). */
  sum(accountId: string): Promise<number>;
  list(accountId: string, options: { limit: number }): Promise<LedgerEntry[]>;
}
