import { BentooError, formatMicros, managementEvent, newId, type ActionContext, type CreditBank, type CreditHold, type LedgerEntry, type RecordStore, type ReserveOutcome } from "@bentoo/core";
import type { RecordWriter } from "@bentoo/storage";

/**
 * Credits for live keys: hold the maximum cost before forwarding, settle with
 * the actual cost afterwards (the unused part is released), and record both in
 * the ledger. A grant is written at once, with its `credits.granted` event; a
 * charge is queued on the batched record writer.
 */
export class CreditService {
  constructor(
    readonly bank: CreditBank,
    private readonly records: Pick<RecordStore, "write">,
    private readonly writer: Pick<RecordWriter, "ledger">,
    private readonly now: () => number = Date.now,
  ) {}

  async grant(accountId: string, amountMicros: number, context: ActionContext = { actor: "operator" }): Promise<void> {
    const at = this.now();
    const event = managementEvent("credits.granted", context, { accountId, metadata: { amount_micros: amountMicros } }, at);
    const entry: LedgerEntry = { id: newId("ledgerEntry"), accountId, kind: "grant", amountMicros, requestId: context.requestId ?? null, estimated: false, createdAt: at, metadata: { actor: context.actor } };
    await this.records.write({ audit: [event], ledger: [entry] });
    await this.bank.granted(accountId, amountMicros).catch(() => undefined);
  }

  /** Holds `amountMicros`, or throws 402 naming the balance and the amount needed. */
  async reserve(accountId: string, amountMicros: number): Promise<CreditHold> {
    let outcome;
    try {
      outcome = await this.bank.reserve(accountId, amountMicros);
    } catch (error) {
      // Fail closed: without the shared balance no request may spend.
      throw balanceUnavailable(error);
    }
    return holdOrRefusal(outcome, amountMicros);
  }

  /** `reserve`, synchronously when the bank can decide at once; undefined when it cannot (nothing was held). */
  reserveNow(accountId: string, amountMicros: number): CreditHold | undefined {
    const outcome = this.bank.reserveNow?.(accountId, amountMicros);
    return outcome === undefined ? undefined : holdOrRefusal(outcome, amountMicros);
  }

  /**
   * Ends a hold with the actual cost (the unused part goes back to the balance)
   * and queues one `charge` row for it; never throws (a settlement problem is
   * logged by the caller's catch).
   */
  async settle(hold: CreditHold, costMicros: number, requestId: string, estimated: boolean): Promise<void> {
    await this.bank.settle(hold, this.charge(hold, costMicros, requestId, estimated));
  }

  /**
   * `settle`, done synchronously when the bank keeps the balance in this process
   * (embedded mode): true when it was, false when the caller must use `settle`
   * (nothing was done then).
   */
  settleNow(hold: CreditHold, costMicros: number, requestId: string, estimated: boolean): boolean {
    if (this.bank.settleNow === undefined) return false;
    this.bank.settleNow(hold, this.charge(hold, costMicros, requestId, estimated));
    return true;
  }

  /**
   * Queues the request's `charge` row (when it cost something) and returns what
   * the hold is charged, for whoever ends the hold in the bank (`settle`, or the
   * Redis admissions, which settle holds and token reservations together).
   */
  charge(hold: CreditHold, costMicros: number, requestId: string, estimated: boolean): number {
    const charged = Math.min(costMicros, hold.amountMicros);
    const metadata = costMicros > hold.amountMicros ? { uncharged_micros: costMicros - hold.amountMicros } : null;
    if (charged > 0 || metadata !== null) {
      const at = this.now();
      this.writer.ledger({ id: newId("ledgerEntry", at), accountId: hold.accountId, kind: "charge", amountMicros: -charged, requestId, estimated, createdAt: at, metadata });
    }
    return charged;
  }
}

/** A hold the bank took, or the 402 that names the balance and the amount needed. */
export function holdOrRefusal(outcome: ReserveOutcome, amountMicros: number): CreditHold {
  if (outcome.ok) return outcome.hold;
  throw new BentooError(
    "insufficient_credits",
    `Insufficient credits: this request may cost up to ${formatMicros(amountMicros)} and the available balance is ${formatMicros(outcome.availableMicros)}. Add credits, or lower max_tokens to reduce the reservation.`,
  );
}

/** Why a request may not spend while the shared balance cannot be reached: credits fail closed. */
export function balanceUnavailable(cause: unknown): BentooError {
  return new BentooError("service_unavailable", "The credit balance cannot be checked right now; retry shortly.", { cause });
}
