import type { BalanceLoader } from "../admission.js";

/**
 * The available balances of the memory implementation: each account's is read
 * from storage once (concurrent first uses share one read), then tracked here
 * in process, where check-and-take is plain arithmetic with no await between.
 */
export class MemoryBalances {
  readonly #load: BalanceLoader;
  readonly #balances = new Map<string, number>();
  readonly #loading = new Map<string, Promise<void>>();

  constructor(load: BalanceLoader) {
    this.#load = load;
  }

  /** The account's available balance, or undefined until it has been loaded. */
  get(accountId: string): number | undefined {
    return this.#balances.get(accountId);
  }

  set(accountId: string, availableMicros: number): void {
    this.#balances.set(accountId, availableMicros);
  }

  /** Adds `deltaMicros` to a loaded balance; an unloaded one starts from storage, which has it already. */
  add(accountId: string, deltaMicros: number): void {
    const current = this.#balances.get(accountId);
    if (current !== undefined) this.#balances.set(accountId, current + deltaMicros);
  }

  /** Loads the balance unless it is loaded; a failed load is retried by the next call. */
  ensure(accountId: string): Promise<void> {
    if (this.#balances.has(accountId)) return Promise.resolve();
    let pending = this.#loading.get(accountId);
    if (pending === undefined) {
      pending = this.#load(accountId).then(
        (balance) => {
          this.#loading.delete(accountId);
          if (!this.#balances.has(accountId)) this.#balances.set(accountId, balance);
        },
        (error: unknown) => {
          this.#loading.delete(accountId);
          throw error;
        },
      );
      this.#loading.set(accountId, pending);
    }
    return pending;
  }

  clear(): void {
    this.#balances.clear();
  }
}
