import { type BudgetSpec, budgetIdOf, type SpendLoader } from "../admission.js";

/**
 * The spend-cap counts of the memory implementation: what each key chain has
 * spent and holds in a window. A count is read from storage once, on its
 * window's first hold (concurrent first uses share one read), then tracked in
 * process like the balance. A chain keeps the count of one window: loading a
 * newer window forgets the older one, whose holds then settle into nothing.
 */
export class MemoryBudgets {
  readonly #load: SpendLoader;
  /** `<account>\0<budget id>` → micro-dollars spent and held. */
  readonly #used = new Map<string, number>();
  /** `<account>\0<chain>` → the entry of its current window. */
  readonly #current = new Map<string, string>();
  readonly #loading = new Map<string, Promise<void>>();

  constructor(load: SpendLoader) {
    this.#load = load;
  }

  /** What the window has spent and holds, or undefined until it has been loaded. */
  get(accountId: string, budgetId: string): number | undefined {
    return this.#used.get(entryOf(accountId, budgetId));
  }

  set(accountId: string, budgetId: string, usedMicros: number): void {
    this.#used.set(entryOf(accountId, budgetId), usedMicros);
  }

  /** Moves a loaded count; a count not loaded (or forgotten) starts from storage, which has it. */
  add(accountId: string, budgetId: string, deltaMicros: number): void {
    const entry = entryOf(accountId, budgetId);
    const current = this.#used.get(entry);
    if (current !== undefined) this.#used.set(entry, current + deltaMicros);
  }

  /** Loads the window's count unless it is loaded; a failed load is retried by the next call. */
  ensure(accountId: string, budget: BudgetSpec): Promise<void> {
    const entry = entryOf(accountId, budgetIdOf(budget));
    if (this.#used.has(entry)) return Promise.resolve();
    let pending = this.#loading.get(entry);
    if (pending === undefined) {
      pending = this.#load(accountId, budget).then(
        (spent) => {
          this.#loading.delete(entry);
          if (this.#used.has(entry)) return;
          const chain = `${accountId}\u0000${budget.lineageId}`;
          const previous = this.#current.get(chain);
          if (previous !== undefined) this.#used.delete(previous);
          this.#current.set(chain, entry);
          this.#used.set(entry, spent);
        },
        (error: unknown) => {
          this.#loading.delete(entry);
          throw error;
        },
      );
      this.#loading.set(entry, pending);
    }
    return pending;
  }

  clear(): void {
    this.#used.clear();
    this.#current.clear();
  }
}

function entryOf(accountId: string, budgetId: string): string {
  return `${accountId}\u0000${budgetId}`;
}
