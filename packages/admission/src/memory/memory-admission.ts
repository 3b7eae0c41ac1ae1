import type {
  Admission,
  AdmissionDecision,
  AdmissionRequest,
  AdmissionTicket,
  BalanceLoader,
  Recovery,
  Settlement,
  SettlementErrorHandler,
} from "../admission.js";
import { addUsed, checkBuckets, rateLimitState, SCALE } from "../token-bucket.js";
import { assertAccountId, assertAdmissionRequest, assertGrant, assertRecovery, settlementProblem } from "../validate.js";
import { BucketStore } from "./bucket-store.js";
import { MemoryBalances } from "./memory-balances.js";

export interface MemoryAdmissionOptions {
  /** Reads an account's balance from storage, once, on its first hold or `available`. */
  loadBalance: BalanceLoader;
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
  readonly #balances: MemoryBalances;
  /** Tickets already settled: a second settlement of one does nothing. */
  readonly #settled = new WeakSet<AdmissionTicket>();
  #closed = false;

  constructor(options: MemoryAdmissionOptions) {
    this.#now = options.now ?? Date.now;
    this.#onError = options.onError;
    this.#buckets = new BucketStore(options.maxSubjects ?? 100_000);
    this.#balances = new MemoryBalances(options.loadBalance);
  }

  /** How many accounts have buckets below full (for tests). */
  get size(): number {
    return this.#buckets.size;
  }

  admit(request: AdmissionRequest): Promise<AdmissionDecision> {
    try {
      this.#assertOpen();
      assertAdmissionRequest(request);
      if (request.holdMicros > 0 && this.#balances.get(request.accountId) === undefined) {
        return this.#balances.ensure(request.accountId).then(() => this.#decideLater(request));
      }
      // The account's earlier requests wait for its balance: this one waits with them, to be decided in order.
      const loading = this.#balances.loading(request.accountId);
      if (loading !== undefined)
        return loading.then(
          () => this.#decideLater(request),
          () => this.#decideLater(request),
        );
      return Promise.resolve(this.#decide(request));
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
    if (delta !== 0) this.#buckets.adjustTokens(ticket.accountId, ticket.limits, delta, Math.floor(this.#now()));
    if (ticket.holdMicros !== 0 || settlement.chargedMicros !== 0) this.#balances.add(ticket.accountId, ticket.holdMicros - settlement.chargedMicros);
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
    this.#balances.clear();
  }

  #decideLater(request: AdmissionRequest): AdmissionDecision {
    this.#assertOpen();
    return this.#decide(request);
  }

  /** The rate limits first, then the balance; a refusal takes nothing. */
  #decide(request: AdmissionRequest): AdmissionDecision {
    const { requestId, accountId, limits, tokens: wanted, holdMicros } = request;
    const { requests, tokens } = this.#buckets.read(accountId, limits, Math.floor(this.#now()));
    const check = checkBuckets(requests, tokens, limits, wanted);
    if (check.refusedBy !== null) {
      this.#buckets.touch(accountId);
      return { admitted: false, refusedBy: check.refusedBy, rateLimits: rateLimitState(requests.used, tokens.used, limits), retryAfterMs: check.retryAfterMs };
    }
    if (holdMicros > 0) {
      const availableMicros = this.#balances.get(accountId)!;
      if (availableMicros < holdMicros) {
        this.#buckets.touch(accountId);
        return { admitted: false, refusedBy: "credits", rateLimits: rateLimitState(requests.used, tokens.used, limits), availableMicros };
      }
      this.#balances.set(accountId, availableMicros - holdMicros);
    }
    const requestsUsed = requests.used + SCALE;
    const tokensUsed = addUsed(tokens.used, wanted * SCALE);
    this.#buckets.write(accountId, limits, { used: requestsUsed, at: requests.at }, { used: tokensUsed, at: tokens.at });
    return {
      admitted: true,
      ticket: { requestId, accountId, limits, tokens: wanted, holdMicros, epoch: holdMicros > 0 ? EPOCH : "" },
      rateLimits: rateLimitState(requestsUsed, tokensUsed, limits),
    };
  }

  #assertOpen(): void {
    if (this.#closed) throw new Error("MemoryAdmission is closed");
  }
}
