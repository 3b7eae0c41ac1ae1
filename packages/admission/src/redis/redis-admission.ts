import { randomBytes } from "node:crypto";
import type { Redis } from "ioredis";
import {
  type Admission,
  type AdmissionDecision,
  type AdmissionRequest,
  type AdmissionTicket,
  type BalanceLoader,
  type BudgetSpec,
  budgetIdOf,
  type KeyLimitSpec,
  type LimitSpec,
  type PendingCharge,
  type Recovery,
  type Settlement,
  type SettlementErrorHandler,
  type SpendLoader,
} from "../admission.js";
import { hasKeyBuckets, keyBucketLimits } from "../key-limits.js";
import { MAX_UNITS } from "../token-bucket.js";
import { assertAccountId, assertAdmissionRequest, assertGrant, assertRecovery, settlementProblem } from "../validate.js";
import { type AccountKeys, accountKeys, defineScript, keyBucketKeys, type Script } from "./account-keys.js";
import { BALANCE_TTL_MS, DEFAULT_LEASE_MS, HoldKeeper } from "./hold-keeper.js";
import { parseAdmitReply } from "./parse-admit-reply.js";
import { ADMIT, BALANCE_MISSING, BUDGET_MISSING, GRANT, HOLDS_UNREGISTERED, LOAD_BUDGET, SETTLE } from "./scripts.js";
import { TurnBatcher } from "./turn-batcher.js";

export interface RedisAdmissionOptions {
  /**
   * Owned by the caller: never connected or closed here. Create it with
   * `enableOfflineQueue: false` and a small `maxRetriesPerRequest` (e.g. 1), so
   * that a dead Redis rejects calls at once instead of queueing them, and
   * connect it at start-up (`lazyConnect: true` + `await redis.connect()`).
   */
  redis: Redis;
  /** Reads an account's balance from storage when Redis has no copy of it. */
  loadBalance: BalanceLoader;
  /** Reads what a key chain spent in a spend cap's window, when Redis has no count of it. Needed only when requests carry a spend cap. */
  loadSpent?: SpendLoader;
  /** Hears of settlements that could not be made (Redis unreachable, invalid amounts). */
  onError: SettlementErrorHandler;
  /** Prepended to every key (default "bentoo:"). */
  keyPrefix?: string;
  /** Tests only: a clock passed to the scripts. Otherwise they read Redis TIME, so every instance shares one clock. */
  now?: () => number;
  /**
   * This instance's id: its holds are kept under it. A process restarted after
   * a crash passes the id its predecessor ran under to `recover`, which ends
   * that instance's holds. Default: random.
   */
  instanceId?: string;
  /** An instance's holds stand this long after it last renewed its lease; it renews every quarter of it (default 60 s). */
  leaseMs?: number;
  /**
   * Charges settled whose ledger rows are still on their way to storage (the
   * gateway's record writer knows them): a copy of the balance loaded from
   * storage meanwhile lacks them, so they are registered in it.
   */
  pendingCharges?: () => Iterable<PendingCharge>;
}

/**
 * Longest wait of a settlement before it is sent on its own; until then it
 * rides along with the next admissions' write. The limits and the balance are
 * the stricter meanwhile, never the looser.
 */
export const SETTLEMENT_DEFER_MS = 5;

interface PendingSettlement {
  ticket: AdmissionTicket;
  settlement: Settlement;
}

/**
 * Admission shared by every gateway instance. Keys per account, under its hash
 * tag (account-keys.ts): the token buckets, the copy of the balance, and the
 * holds with their instances' leases and the settled marks (holds-lua.ts).
 *
 * An account's admissions of one turn of the event loop go out as one script
 * call that decides them in order; its settlements of one turn as one call,
 * which leaves with the next admissions' write (or within SETTLEMENT_DEFER_MS).
 * Under load one round trip serves many requests.
 *
 * The HoldKeeper keeps this instance's open holds standing and registered: the
 * admit script refuses to decide (BALANCE_MISSING, HOLDS_UNREGISTERED) until a
 * copy of the balance has them, and the keeper loads or registers them.
 */
export class RedisAdmission implements Admission {
  readonly #redis: Redis;
  readonly #loadBalance: BalanceLoader;
  readonly #loadSpent: SpendLoader | undefined;
  readonly #onError: SettlementErrorHandler;
  readonly #keyPrefix: string;
  readonly #now: (() => number) | undefined;
  readonly #instanceId: string;
  readonly #leaseMs: number;
  readonly #scripts: Record<"admit" | "settle" | "grant" | "loadBudget", Script>;
  /** Accounts whose grant could not reach Redis: their copy is dropped before its next use. */
  readonly #stale = new Set<string>();
  readonly #holds: HoldKeeper;
  readonly #settled = new WeakSet<AdmissionTicket>();
  /** Hold endings whose script call failed: sent again with the next renewal (the settled mark makes a repeat harmless). */
  #unsent: PendingSettlement[] = [];
  readonly #admissions = new TurnBatcher<AdmissionRequest, AdmissionDecision>((_key, batch) => this.#sendAdmissions(batch));
  readonly #settlements = new TurnBatcher<PendingSettlement, undefined>((_key, batch) => this.#sendSettlements(batch), { deferMs: SETTLEMENT_DEFER_MS });
  #closed = false;

  constructor(options: RedisAdmissionOptions) {
    this.#redis = options.redis;
    this.#loadBalance = options.loadBalance;
    this.#loadSpent = options.loadSpent;
    this.#onError = options.onError;
    this.#keyPrefix = options.keyPrefix ?? "bentoo:";
    this.#now = options.now;
    this.#instanceId = options.instanceId ?? randomBytes(8).toString("hex");
    this.#leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
    if (!Number.isSafeInteger(this.#leaseMs) || this.#leaseMs < 4)
      throw new RangeError(`leaseMs must be an integer of at least 4 ms, got ${String(options.leaseMs)}`);
    assertRecovery({ instanceIds: [this.#instanceId], charges: [] });
    this.#scripts = {
      admit: defineScript(options.redis, "bentooAdmit", 9, ADMIT),
      settle: defineScript(options.redis, "bentooSettle", 6, SETTLE),
      grant: defineScript(options.redis, "bentooGrant", 1, GRANT),
      loadBudget: defineScript(options.redis, "bentooLoadBudget", 2, LOAD_BUDGET),
    };
    this.#holds = new HoldKeeper({
      redis: options.redis,
      keyPrefix: this.#keyPrefix,
      instanceId: this.#instanceId,
      leaseMs: this.#leaseMs,
      loadBalance: options.loadBalance,
      pendingCharges: options.pendingCharges ?? (() => []),
      keysFor: (accountId) => this.keysFor(accountId),
      pinnedNow: () => this.#pinnedNow(),
      beforeRenewal: () => {
        const unsent = this.#unsent;
        this.#unsent = [];
        for (const pending of unsent) this.#settlements.push(pending.ticket.accountId, pending);
      },
    });
  }

  get instanceId(): string {
    return this.#instanceId;
  }

  /** An account's keys (for tests and operators). */
  keysFor(accountId: string): AccountKeys {
    return accountKeys(this.#keyPrefix, accountId);
  }

  admit(request: AdmissionRequest): Promise<AdmissionDecision> {
    try {
      this.#assertOpen();
      assertAdmissionRequest(request);
    } catch (error) {
      return Promise.reject(error);
    }
    const { accountId, limits, key } = request;
    const group = `${accountId}\u0000${limits.requestsPerMinute}\u0000${limits.tokensPerMinute}`;
    // One call decides one key's controls: requests with controls group by them too.
    return this.#admissions.add(key === undefined || key === null ? group : `${group}\u0000${keyGroup(key)}`, request);
  }

  settle(ticket: AdmissionTicket, settlement: Settlement): void {
    if (this.#settled.has(ticket)) return;
    const problem = this.#closed ? new Error("RedisAdmission is closed") : settlementProblem(settlement);
    if (problem !== null) {
      this.#onError(problem, { accountId: ticket.accountId, settlements: 1, heldMicros: ticket.holdMicros, chargedMicros: settlement.chargedMicros });
      return;
    }
    this.#settled.add(ticket);
    if (ticket.holdMicros > 0) this.#holds.ended(ticket);
    if (settlement.tokens === ticket.tokens && ticket.holdMicros === 0 && settlement.chargedMicros === 0) return;
    // One call corrects one key's bucket: a key with buckets of its own settles in a group of its own.
    this.#settlements.push(hasKeyBuckets(ticket.key) ? `${ticket.accountId}\u0000${ticket.key.keyId}` : ticket.accountId, { ticket, settlement });
  }

  async recover(recovery: Recovery): Promise<void> {
    this.#assertOpen();
    assertRecovery(recovery);
    await this.#holds.recover(recovery);
  }

  async granted(accountId: string, amountMicros: number): Promise<void> {
    this.#assertOpen();
    assertGrant(accountId, amountMicros);
    try {
      await this.#scripts.grant(this.keysFor(accountId).balance, amountMicros);
    } catch (error) {
      // Redis' copy now lacks the grant: it is dropped before its next use and reloaded from storage.
      this.#stale.add(accountId);
      throw error;
    }
  }

  async available(accountId: string): Promise<number> {
    this.#assertOpen();
    assertAccountId(accountId);
    await this.#dropIfStale(accountId);
    const value = await this.#redis.hget(this.keysFor(accountId).balance, "b");
    return value === null ? this.#loadBalance(accountId) : Number(value);
  }

  async flush(): Promise<void> {
    await Promise.all([this.#admissions.flush(), this.#settlements.flush()]);
  }

  /** Sends what is waiting, then refuses further calls; the Redis client belongs to the caller. */
  async close(): Promise<void> {
    await this.#holds.close();
    await this.flush();
    this.#closed = true;
  }

  /** One script call for a batch of one account's admissions with the same limits (and key controls), decided in order. */
  async #sendAdmissions(batch: AdmissionRequest[]): Promise<AdmissionDecision[]> {
    const { accountId, limits } = batch[0]!;
    const key = batch[0]!.key ?? null;
    const keys = this.keysFor(accountId);
    const keyed = hasKeyBuckets(key);
    const keyBuckets = keyBucketKeys(this.#keyPrefix, accountId, keyed ? key.keyId : "");
    const keyLimits = keyed ? keyBucketLimits(key) : null;
    const budget = key?.budget ?? null;
    const budgetId = budget === null ? "" : budgetIdOf(budget);
    const args: Array<string | number> = [
      keys.requests,
      keys.tokens,
      keys.balance,
      keys.holds,
      keys.leases,
      keys.marks,
      keyBuckets.requests,
      keyBuckets.tokens,
      keys.spend,
      this.#pinnedNow(),
      limits.requestsPerMinute,
      limits.tokensPerMinute,
      BALANCE_TTL_MS,
      "", // the epoch of this instance's open holds on the account, set per attempt
      this.#instanceId,
      this.#leaseMs,
      keyLimits?.requestsPerMinute ?? 0,
      keyLimits?.tokensPerMinute ?? 0,
      budgetId,
      budget?.capMicros ?? 0,
    ];
    let holding = false;
    for (const request of batch) {
      args.push(request.tokens, request.holdMicros, request.requestId);
      if (request.holdMicros > 0) holding = true;
    }
    if (holding) await this.#dropIfStale(accountId);
    for (let attempt = 0; attempt < 4; attempt += 1) {
      args[13] = this.#holds.epochOf(accountId);
      const reply = await this.#scripts.admit(...args);
      const code = Array.isArray(reply) && reply.length === 1 ? reply[0] : null;
      if (code === BALANCE_MISSING || code === HOLDS_UNREGISTERED) {
        await this.#holds.register(accountId, code === BALANCE_MISSING);
        continue;
      }
      if (code === BUDGET_MISSING && budget !== null) {
        await this.#loadBudget(accountId, budget);
        continue;
      }
      const decisions = parseAdmitReply(reply, batch);
      for (const decision of decisions) if (decision.admitted && decision.ticket.holdMicros > 0) this.#holds.opened(decision.ticket);
      return decisions;
    }
    throw new Error(`the credit balance of ${accountId} could not be loaded into Redis`);
  }

  /** Loads a spend-cap count from storage (unless another instance has meanwhile): storage's spend plus the holds open on it. */
  async #loadBudget(accountId: string, budget: BudgetSpec): Promise<void> {
    if (this.#loadSpent === undefined) throw new RangeError("a request carries a spend cap, but this admission was built without loadSpent");
    const spent = await this.#loadSpent(accountId, budget);
    const keys = this.keysFor(accountId);
    await this.#scripts.loadBudget(keys.spend, keys.holds, budgetIdOf(budget), spent, BALANCE_TTL_MS, `${budget.lineageId}:`);
  }

  /** One script call for an account's (or one of its keys') settlements of one turn: the token corrections summed, and each hold ended. */
  async #sendSettlements(batch: PendingSettlement[]): Promise<undefined[]> {
    const { accountId } = batch[0]!.ticket;
    // Sums past what one call may carry are cut: a refund that large empties any bucket's
    // debt anyway, and a charge that large leaves the bucket waiting for the maximum.
    let refund = 0;
    let charge = 0;
    let held = 0;
    let charged = 0;
    const ended: Array<string | number> = [];
    for (const { ticket, settlement } of batch) {
      const delta = settlement.tokens - ticket.tokens;
      if (delta < 0) refund = Math.max(-MAX_UNITS, refund + delta);
      else charge = Math.min(MAX_UNITS, charge + delta);
      if (ticket.holdMicros > 0 || settlement.chargedMicros > 0) {
        ended.push(ticket.requestId, settlement.chargedMicros, ticket.budgetId);
        held += ticket.holdMicros;
        charged += settlement.chargedMicros;
      }
    }
    const last = batch[batch.length - 1]!.ticket;
    const limits: LimitSpec = last.limits;
    const keyed = hasKeyBuckets(last.key);
    const keys = this.keysFor(accountId);
    const keyBuckets = keyBucketKeys(this.#keyPrefix, accountId, keyed ? last.key.keyId : "");
    try {
      await this.#scripts.settle(
        keys.tokens,
        keys.balance,
        keys.holds,
        keys.marks,
        keyBuckets.tokens,
        keys.spend,
        this.#pinnedNow(),
        limits.tokensPerMinute,
        refund,
        charge,
        BALANCE_TTL_MS,
        keyed ? keyBucketLimits(last.key).tokensPerMinute : 0,
        ...ended,
      );
    } catch (error) {
      this.#onError(error, { accountId, settlements: batch.length, heldMicros: held, chargedMicros: charged });
      // The holds stay taken until the next renewal sends their endings again; the token corrections are dropped (stricter).
      for (const { ticket, settlement } of batch) {
        if (ticket.holdMicros > 0 || settlement.chargedMicros > 0)
          this.#unsent.push({ ticket: { ...ticket, tokens: 0 }, settlement: { tokens: 0, chargedMicros: settlement.chargedMicros } });
      }
    }
    return batch.map(() => undefined);
  }

  async #dropIfStale(accountId: string): Promise<void> {
    if (this.#stale.delete(accountId)) await this.#redis.del(this.keysFor(accountId).balance);
  }

  #pinnedNow(): string {
    return this.#now === undefined ? "" : String(Math.floor(this.#now()));
  }

  #assertOpen(): void {
    if (this.#closed) throw new Error("RedisAdmission is closed");
  }
}

/** What makes two requests' key controls the same for one script call. */
function keyGroup(key: KeyLimitSpec): string {
  const budget = key.budget;
  return `${key.keyId}\u0000${key.requestsPerMinute ?? ""}\u0000${key.tokensPerMinute ?? ""}\u0000${budget === null ? "" : `${budgetIdOf(budget)}\u0000${budget.capMicros}`}`;
}
