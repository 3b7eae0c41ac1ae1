/**
 * Where available credit lives while requests are in flight. A hold is taken
 * before a request is forwarded (its maximum cost) and settled afterwards; the
 * ledger records the outcome asynchronously. Implementations: in process
 * (embedded) and Redis (shared by every instance).
 */
export interface CreditHold {
  accountId: string;
  amountMicros: number;
  /** Identifies the generation of the bank's copy of the balance the hold was taken from. */
  epoch: string;
}

export type ReserveOutcome = { ok: true; hold: CreditHold; availableMicros: number } | { ok: false; availableMicros: number };

export interface CreditBank {
  /** Takes `amountMicros` from the available balance, or refuses without taking anything. */
  reserve(accountId: string, amountMicros: number): Promise<ReserveOutcome>;
  /**
   * `reserve`, decided synchronously when the bank can (its state is in this
   * process and the account's balance is loaded); undefined otherwise, and then
   * nothing was taken.
   */
  reserveNow?(accountId: string, amountMicros: number): ReserveOutcome | undefined;
  /** Ends a hold: `chargedMicros` (at most the hold) is spent, the rest is available again. */
  settle(hold: CreditHold, chargedMicros: number): Promise<void>;
  /** `settle`, done synchronously: only banks that keep the balance in this process offer it. */
  settleNow?(hold: CreditHold, chargedMicros: number): void;
  /** Makes credits that the ledger already holds available at once. */
  granted(accountId: string, amountMicros: number): Promise<void>;
  /** What the account could spend right now. */
  available(accountId: string): Promise<number>;
}

/** Reads an account's settled balance from storage (the bank's starting point). */
export type BalanceLoader = (accountId: string) => Promise<number>;
