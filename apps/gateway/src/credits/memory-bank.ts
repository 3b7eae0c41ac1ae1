import type { BalanceLoader, CreditBank, CreditHold, ReserveOutcome } from "@bentoo/core";

const EPOCH = "memory";

/**
 * The embedded bank: one process owns the balance, so plain arithmetic on a Map
 * is atomic (no await between check and take). Each account's balance is loaded
 * from storage once, then tracked here; the ledger writer persists the outcome.
 */
export class MemoryCreditBank implements CreditBank {
  private readonly balances = new Map<string, number>();
  private readonly loading = new Map<string, Promise<void>>();

  constructor(private readonly load: BalanceLoader) {}

  private async ensure(accountId: string): Promise<void> {
    if (this.balances.has(accountId)) return;
    let pending = this.loading.get(accountId);
    if (pending === undefined) {
      pending = this.load(accountId).then((balance) => {
        if (!this.balances.has(accountId)) this.balances.set(accountId, balance);
        this.loading.delete(accountId);
      });
      this.loading.set(accountId, pending);
    }
    await pending;
  }

  async reserve(accountId: string, amountMicros: number): Promise<ReserveOutcome> {
    if (!this.balances.has(accountId)) await this.ensure(accountId);
    return this.reserveNow(accountId, amountMicros)!;
  }

  /** Undefined until the account's balance has been loaded once (reserve() loads it). */
  reserveNow(accountId: string, amountMicros: number): ReserveOutcome | undefined {
    const available = this.balances.get(accountId);
    if (available === undefined) return undefined;
    if (available < amountMicros) return { ok: false, availableMicros: available };
    this.balances.set(accountId, available - amountMicros);
    return { ok: true, hold: { accountId, amountMicros, epoch: EPOCH }, availableMicros: available - amountMicros };
  }

  async settle(hold: CreditHold, chargedMicros: number): Promise<void> {
    this.settleNow(hold, chargedMicros);
  }

  settleNow(hold: CreditHold, chargedMicros: number): void {
    const current = this.balances.get(hold.accountId);
    if (current !== undefined) this.balances.set(hold.accountId, current + hold.amountMicros - Math.min(chargedMicros, hold.amountMicros));
  }

  async granted(accountId: string, amountMicros: number): Promise<void> {
    const current = this.balances.get(accountId);
    if (current !== undefined) this.balances.set(accountId, current + amountMicros);
  }

  async available(accountId: string): Promise<number> {
    await this.ensure(accountId);
    return this.balances.get(accountId)!;
  }
}
