import type { KeyWithAccount } from "../accounts/types.js";

interface Entry {
  value: KeyWithAccount | null;
  expiresAt: number;
}

/**
 * In-process cache of authentication look-ups, keyed by key hash. Bounded
 * (oldest entries go first) and time-limited as a safety net; correctness comes
 * from explicit invalidation on revoke, roll, expiry change and plan change.
 * Unknown hashes are cached briefly too, so garbage keys with a valid checksum
 * cannot turn every request into a database query.
 *
 * `generation` counts invalidations: a look-up that started before one may have
 * read the row before the change, so its answer is not cached (see `set`).
 */
export class KeyCache {
  private readonly entries = new Map<string, Entry>();
  private readonly hashesByKeyId = new Map<string, string>();
  private readonly hashesByAccount = new Map<string, Set<string>>();
  private invalidations = 0;

  constructor(
    private readonly options: { maxEntries: number; ttlMs: number; negativeTtlMs: number },
    private readonly now: () => number = Date.now,
  ) {}

  /** The cached look-up; `undefined` when absent or stale. */
  get(hash: string): KeyWithAccount | null | undefined {
    const entry = this.entries.get(hash);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.remove(hash);
      return undefined;
    }
    return entry.value;
  }

  /** Bumped by every invalidation (`delete`, `deleteKeyId`, `deleteAccount`, `clear`), whether or not an entry was present. */
  get generation(): number {
    return this.invalidations;
  }

  /**
   * Caches a look-up. With `readAt` (the `generation` when the look-up started),
   * nothing is cached if an invalidation came in meanwhile: the answer may
   * predate the change that invalidation announced.
   */
  set(hash: string, value: KeyWithAccount | null, readAt?: number): void {
    if (readAt !== undefined && readAt !== this.invalidations) return;
    if (this.entries.size >= this.options.maxEntries) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.remove(oldest.value);
    }
    this.remove(hash);
    this.entries.set(hash, { value, expiresAt: this.now() + (value === null ? this.options.negativeTtlMs : this.options.ttlMs) });
    if (value !== null) {
      this.hashesByKeyId.set(value.key.id, hash);
      let hashes = this.hashesByAccount.get(value.account.id);
      if (hashes === undefined) {
        hashes = new Set();
        this.hashesByAccount.set(value.account.id, hashes);
      }
      hashes.add(hash);
    }
  }

  delete(hash: string): void {
    this.invalidations += 1;
    this.remove(hash);
  }

  deleteKeyId(keyId: string): void {
    this.invalidations += 1;
    const hash = this.hashesByKeyId.get(keyId);
    if (hash !== undefined) this.remove(hash);
  }

  deleteAccount(accountId: string): void {
    this.invalidations += 1;
    for (const hash of [...(this.hashesByAccount.get(accountId) ?? [])]) this.remove(hash);
  }

  clear(): void {
    this.invalidations += 1;
    this.entries.clear();
    this.hashesByKeyId.clear();
    this.hashesByAccount.clear();
  }

  get size(): number {
    return this.entries.size;
  }

  private remove(hash: string): void {
    const entry = this.entries.get(hash);
    if (entry === undefined) return;
    this.entries.delete(hash);
    if (entry.value !== null) {
      this.hashesByKeyId.delete(entry.value.key.id);
      const hashes = this.hashesByAccount.get(entry.value.account.id);
      hashes?.delete(hash);
      if (hashes?.size === 0) this.hashesByAccount.delete(entry.value.account.id);
    }
  }
}
