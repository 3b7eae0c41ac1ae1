import {
  type Admission,
  type AdmissionDecision,
  type AdmissionRequest,
  type AdmissionTicket,
  type BalanceLoader,
  budgetIdOf,
  type KeyRateLimitState,
  type Recovery,
  type Settlement,
  type SettlementErrorHandler,
  type SpendLoader,
} from "../admission.js";
import { hasKeyBuckets, keyBucketLimits, keyRateLimitState } from "../key-limits.js";
import { addUsed, type BucketCheck, checkBuckets, rateLimitState, SCALE } from "../token-bucket.js";
import { assertAccountId, assertAdmissionRequest, assertGrant, assertRecovery, settlementProblem } from "../validate.js";
import { BucketStore, type CurrentBuckets } from "./bucket-store.js";
import { MemoryBalances } from "./memory-balances.js";
import { MemoryBudgets } from "./memory-budgets.js";

export interface MemoryAdmissionOptions {
  /** Reads an account's balance from storage, once, on its first hold or `available`. */
  loadBalance: BalanceLoader;
  /** Reads what a key chain spent in a spend cap's window, once per window, on its first hold. Needed only when requests carry a spend cap. */
  loadSpent?: SpendLoader;
  /** Hears of settlements that could not be made (invalid amounts, or after close). */
  onError: SettlementErrorHandler;
  /** Clock in ms; tests pass a controllable one. */
  now?: () => number;
  /**
   * Most accounts whose buckets are kept at once (default 100,000). Accounts
   * whose buckets are full again are dropped as calls go by; past the bound the
   * least recently used is evicted even if not full, which forgets its usage
   * (lenient, never stricter than the limit).
   */
  maxSubjects?: number;
}

const ignore = (): void => undefined;

/** Without a spend loader, a request that carries a spend cap is a caller's bug. */
const missingSpendLoader: SpendLoader = () => Promise.reject(new RangeError("a request carries a spend cap, but this admission was built without loadSpent"));

/** The memory implementation's epoch: its balances are never reloaded, so every hold is of the same copy. */
const EPOCH = "memory";

/**
 * Admission for a single gateway process (the embedded default). Buckets and
 * balances live in this process and every decision is made synchronously
 * inside the call, so concurrent calls cannot interleave; `admit` answers with
 * an already-resolved promise once the account's balance is loaded (its first
 * hold waits for one storage read).
 */
export class MemoryAdmission implements Admission {
  readonly #now: () => number;
  readonly #onError: SettlementErrorHandler;
  readonly #buckets: BucketStore;
  /** Keys' own buckets, by key id. */
  readonly #keyBuckets: BucketStore;
  readonly #balances: MemoryBalances;
  readonly #budgets: MemoryBudgets;
  /** Per account, the last of its requests that waits for a load (its decision, settled either way). */
  readonly #waiting = new Map<string, Promise<void>>();
  /** Tickets already settled: a second settlement of one does nothing. */
  readonly #settled = new WeakSet<AdmissionTicket>();
  #closed = false;

  constructor(options: MemoryAdmissionOptions) {
    this.#now = options.now ?? Date.now;
    this.#onError = options.onError;
    this.#buckets = new BucketStore(options.maxSubjects ?? 100_000);
    this.#keyBuckets = new BucketStore(options.maxSubjects ?? 100_000);
    this.#balances = new MemoryBalances(options.loadBalance);
    this.#budgets = new MemoryBudgets(options.loadSpent ?? missingSpendLoader);
  }

  /** How many accounts have buckets below full (for tests). */
  get size(): number {
    return this.#buckets.size;
  }

  admit(request: AdmissionRequest): Promise<AdmissionDecision> {
    try {
      this.#assertOpen();
      assertAdmissionRequest(request);
      const { accountId } = request;
      const loads: Array<Promise<void>> = [];
      if (request.holdMicros > 0) {
        if (this.#balances.get(accountId) === undefined) loads.push(this.#balances.ensure(accountId));
        const budget = request.key?.budget ?? null;
        if (budget !== null && this.#budgets.get(accountId, budgetIdOf(budget)) === undefined) loads.push(this.#budgets.ensure(accountId, budget));
      }
      const earlier = this.#waiting.get(accountId);
      if (loads.length === 0 && earlier === undefined) return Promise.resolve(this.#decide(request));
      // Decided after the account's earlier requests that wait for a load, and after its own loads: in arrival order.
      if (earlier !== undefined) loads.push(earlier);
      // The last one to wait clears the queue as it is decided: requests after it are decided at once again.
      const cleared = () => {
        if (this.#waiting.get(accountId) === done) this.#waiting.delete(accountId);
      };
      const decided = Promise.all(loads).then(
        () => {
          cleared();
          return this.#decideLater(request);
        },
        (error: unknown) => {
          cleared();
          throw error;
        },
      );
      const done = decided.then(ignore, ignore);
      this.#waiting.set(accountId, done);
      return decided;
    } catch (error) {
      return Promise.reject(error);
    }
  }

  settle(ticket: AdmissionTicket, settlement: Settlement): void {
    if (this.#settled.has(ticket)) return;
    const problem = this.#closed ? new Error("MemoryAdmission is closed") : settlementProblem(settlement);
    if (problem !== null) {
      this.#onError(problem, { accountId: ticket.accountId, settlements: 1, heldMicros: ticket.holdMicros, chargedMicros: settlement.chargedMicros });
      return;
    }
    this.#settled.add(ticket);
    const delta = settlement.tokens - ticket.tokens;
    if (delta !== 0) {
      const now = Math.floor(this.#now());
      this.#buckets.adjustTokens(ticket.accountId, ticket.limits, delta, now);
      if (hasKeyBuckets(ticket.key)) this.#keyBuckets.adjustTokens(ticket.key.keyId, keyBucketLimits(ticket.key), delta, now);
    }
    if (ticket.holdMicros !== 0 || settlement.chargedMicros !== 0) {
      this.#balances.add(ticket.accountId, ticket.holdMicros - settlement.chargedMicros);
      if (ticket.budgetId !== "") this.#budgets.add(ticket.accountId, ticket.budgetId, settlement.chargedMicros - ticket.holdMicros);
    }
  }

  /**
   * Holds die with the process that took them, so only the charges matter: a
   * charge the replay wrote is taken from a balance already loaded (one loaded
   * later reads storage, which has it); one storage had already is in it.
   */
  async recover(recovery: Recovery): Promise<void> {
    this.#assertOpen();
    assertRecovery(recovery);
    for (const charge of recovery.charges) if (charge.written) this.#balances.add(charge.accountId, -charge.chargedMicros);
  }

  async granted(accountId: string, amountMicros: number): Promise<void> {
    this.#assertOpen();
    assertGrant(accountId, amountMicros);
    this.#balances.add(accountId, amountMicros);
  }

  async available(accountId: string): Promise<number> {
    this.#assertOpen();
    assertAccountId(accountId);
    await this.#balances.ensure(accountId);
    return this.#balances.get(accountId)!;
  }

  /** Nothing is ever waiting: every call is done when it returns. */
  async flush(): Promise<void> {}

  async close(): Promise<void> {
    this.#closed = true;
    this.#buckets.clear();
    this.#keyBuckets.clear();
    this.#balances.clear();
    this.#budgets.clear();
  }

  #decideLater(request: AdmissionRequest): AdmissionDecision {
    this.#assertOpen();
    return this.#decide(request);
  }

  /** The account's rate limits, then the key's, then its spend cap, then the balance; a refusal takes nothing. */
  #decide(request: AdmissionRequest): AdmissionDecision {
    const { requestId, accountId, limits, tokens: wanted, holdMicros } = request;
    const key = request.key ?? null;
    const now = Math.floor(this.#now());
    const { requests, tokens } = this.#buckets.read(accountId, limits, now);
    let check: BucketCheck = checkBuckets(requests, tokens, limits, wanted);
    let refusedBy: "requests" | "tokens" | "key_requests" | "key_tokens" | null = check.refusedBy;
    let keyBuckets: CurrentBuckets | null = null;
    if (hasKeyBuckets(key)) {
      keyBuckets = this.#keyBuckets.read(key.keyId, keyBucketLimits(key), now);
      if (refusedBy === null) {
        check = checkBuckets(keyBuckets.requests, keyBuckets.tokens, keyBucketLimits(key), wanted);
        if (check.refusedBy !== null) refusedBy = check.refusedBy === "requests" ? "key_requests" : "key_tokens";
      }
    }
    const keyState = (): KeyRateLimitState | null =>
      keyBuckets === null || key === null ? null : keyRateLimitState(keyBuckets.requests.used, keyBuckets.tokens.used, key);
    if (refusedBy !== null) {
      this.#touch(accountId, key?.keyId);
      return {
        admitted: false,
        refusedBy,
        rateLimits: rateLimitState(requests.used, tokens.used, limits),
        keyRateLimits: keyState(),
        retryAfterMs: check.retryAfterMs,
      };
    }
    const budget = holdMicros > 0 ? (key?.budget ?? null) : null;
    const budgetId = budget === null ? "" : budgetIdOf(budget);
    if (budget !== null) {
      const usedMicros = this.#budgets.get(accountId, budgetId)!;
      if (usedMicros + holdMicros > budget.capMicros) {
        this.#touch(accountId, key?.keyId);
        return {
          admitted: false,
          refusedBy: "key_budget",
          rateLimits: rateLimitState(requests.used, tokens.used, limits),
          keyRateLimits: keyState(),
          availableMicros: Math.max(0, budget.capMicros - usedMicros),
        };
      }
    }
    if (holdMicros > 0) {
      const availableMicros = this.#balances.get(accountId)!;
      if (availableMicros < holdMicros) {
        this.#touch(accountId, key?.keyId);
        return {
          admitted: false,
          refusedBy: "credits",
          rateLimits: rateLimitState(requests.used, tokens.used, limits),
          keyRateLimits: keyState(),
          availableMicros,
        };
      }
      this.#balances.set(accountId, availableMicros - holdMicros);
      if (budget !== null) this.#budgets.set(accountId, budgetId, this.#budgets.get(accountId, budgetId)! + holdMicros);
    }
    const requestsUsed = requests.used + SCALE;
    const tokensUsed = addUsed(tokens.used, wanted * SCALE);
    this.#buckets.write(accountId, limits, { used: requestsUsed, at: requests.at }, { used: tokensUsed, at: tokens.at });
    if (keyBuckets !== null && key !== null) {
      const keyLimits = keyBucketLimits(key);
      keyBuckets = {
        requests: { used: keyBuckets.requests.used + SCALE, at: keyBuckets.requests.at },
        tokens: { used: addUsed(keyBuckets.tokens.used, wanted * SCALE), at: keyBuckets.tokens.at },
      };
      this.#keyBuckets.write(key.keyId, keyLimits, keyBuckets.requests, keyBuckets.tokens);
    }
    return {
      admitted: true,
      ticket: { requestId, accountId, limits, tokens: wanted, holdMicros, epoch: holdMicros > 0 ? EPOCH : "", key, budgetId },
      rateLimits: rateLimitState(requestsUsed, tokensUsed, limits),
      keyRateLimits: keyState(),
    };
  }

  /** A refused account (and key) must not be evicted: it moves to the most recently used end. */
  #touch(accountId: string, keyId: string | undefined): void {
    this.#buckets.touch(accountId);
    if (keyId !== undefined) this.#keyBuckets.touch(keyId);
  }

  #assertOpen(): void {
    if (this.#closed) throw new Error("MemoryAdmission is closed");
  }
}
