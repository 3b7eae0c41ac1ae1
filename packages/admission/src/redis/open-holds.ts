interface AccountHolds {
  /** The copy of the balance these holds are registered in. */
  epoch: string;
  /** Request id → micros held and the budget they are held from ('' for none). */
  holds: Map<string, [number, string]>;
}

/**
 * This instance's open holds in Redis, per account: from the admission that
 * took each to its settlement. They are what the instance registers again in a
 * copy of the balance that lacks them (reloaded after Redis lost it), and what
 * its lease keeps standing.
 */
export class OpenHolds {
  readonly #accounts = new Map<string, AccountHolds>();

  /** The epoch the account's open holds are registered in; '' when this instance has none there. */
  epochOf(accountId: string): string {
    return this.#accounts.get(accountId)?.epoch ?? "";
  }

  add(accountId: string, requestId: string, micros: number, epoch: string, budgetId: string): void {
    let account = this.#accounts.get(accountId);
    if (account === undefined) {
      account = { epoch, holds: new Map() };
      this.#accounts.set(accountId, account);
    }
    account.epoch = epoch;
    account.holds.set(requestId, [micros, budgetId]);
  }

  remove(accountId: string, requestId: string): void {
    const account = this.#accounts.get(accountId);
    if (account === undefined) return;
    account.holds.delete(requestId);
    if (account.holds.size === 0) this.#accounts.delete(accountId);
  }

  /** Records that the account's open holds are now registered in `epoch`. */
  registered(accountId: string, epoch: string): void {
    const account = this.#accounts.get(accountId);
    if (account !== undefined) account.epoch = epoch;
  }

  /** The account's open holds: request id, micros and budget id. */
  list(accountId: string): Array<[string, number, string]> {
    return [...(this.#accounts.get(accountId)?.holds ?? [])].map(([requestId, [micros, budgetId]]) => [requestId, micros, budgetId]);
  }

  /** Accounts where this instance has open holds. */
  accounts(): string[] {
    return [...this.#accounts.keys()];
  }
}
