import { randomBytes } from "node:crypto";
import type { Redis } from "ioredis";
import type {
  Admission,
  AdmissionDecision,
  AdmissionRequest,
  AdmissionTicket,
  BalanceLoader,
  LimitSpec,
  Settlement,
  SettlementErrorHandler,
} from "../admission.js";
import { MAX_UNITS } from "../token-bucket.js";
import { assertAccountId, assertAdmissionRequest, assertGrant, settlementProblem } from "../validate.js";
import { parseAdmitReply } from "./parse-admit-reply.js";
import { ADMIT, GRANT, LOAD, SETTLE } from "./scripts.js";
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
  /** Hears of settlements that could not be made (Redis unreachable, invalid amounts). */
  onError: SettlementErrorHandler;
  /** Prepended to every key (default "bentoo:"). */
  keyPrefix?: string;
  /** Tests only: a clock passed to the scripts. Otherwise they read Redis TIME, so every instance shares one clock. */
  now?: () => number;
}

/** An idle account's copy of its balance leaves Redis after a day (reloaded from storage on next use). */
export const BALANCE_TTL_MS = 24 * 3600 * 1000;

/**
 * Longest wait of a settlement before it is sent on its own; until then it
 * rides along with the next admissions' write. The limits and the balance are
 * the stricter meanwhile, never the looser.
 */
export const SETTLEMENT_DEFER_MS = 5;

/** A registered script: its keys first, then its arguments. */
type Script = (...keysAndArguments: Array<string | number>) => Promise<unknown>;

/** Registers a script once; ioredis then calls it by EVALSHA, falling back to EVAL after a Redis restart. */
function defineScript(redis: Redis, name: string, numberOfKeys: number, lua: string): Script {
  redis.defineCommand(name, { numberOfKeys, lua });
  const command = (redis as unknown as Record<string, Script>)[name]!;
  return command.bind(redis);
}

interface PendingSettlement {
  ticket: AdmissionTicket;
  settlement: Settlement;
}

/**
 * Admission shared by every gateway instance. Keys: `<prefix>rl:{<acct>}:req`
 * and `…:tok` (the token buckets, hashes {u, t}), `<prefix>credit:{<acct>}`
 * (the available balance and its epoch, {b, e}); the `{acct}` hash tag puts an
 * account's keys in one Redis Cluster slot, as a multi-key script requires.
 *
 * An account's admissions of one turn of the event loop go out as one script
 * call that decides them in order; its settlements of one turn as one call per
 * balance epoch, which leaves with the next admissions' write (or within
 * SETTLEMENT_DEFER_MS). Under load one round trip serves many requests.
 */
export class RedisAdmission implements Admission {
  readonly #redis: Redis;
  readonly #loadBalance: BalanceLoader;
  readonly #onError: SettlementErrorHandler;
  readonly #keyPrefix: string;
  readonly #now: (() => number) | undefined;
  readonly #scripts: Record<"admit" | "settle" | "load" | "grant", Script>;
  /** Accounts whose grant could not reach Redis: their copy is dropped before its next use. */
  readonly #stale = new Set<string>();
  readonly #admissions = new TurnBatcher<AdmissionRequest, AdmissionDecision>((_key, batch) => this.#sendAdmissions(batch));
  readonly #settlements = new TurnBatcher<PendingSettlement, undefined>((_key, batch) => this.#sendSettlements(batch), { deferMs: SETTLEMENT_DEFER_MS });
  #closed = false;

  constructor(options: RedisAdmissionOptions) {
    this.#redis = options.redis;
    this.#loadBalance = options.loadBalance;
    this.#onError = options.onError;
    this.#keyPrefix = options.keyPrefix ?? "bentoo:";
    this.#now = options.now;
    this.#scripts = {
      admit: defineScript(options.redis, "bentooAdmit", 3, ADMIT),
      settle: defineScript(options.redis, "bentooSettle", 2, SETTLE),
      load: defineScript(options.redis, "bentooLoadBalance", 1, LOAD),
      grant: defineScript(options.redis, "bentooGrant", 1, GRANT),
    };
  }

  /** An account's keys (for tests and operators). */
  keysFor(accountId: string): { requests: string; tokens: string; balance: string } {
    const base = `${this.#keyPrefix}rl:{${accountId}}`;
    return { requests: `${base}:req`, tokens: `${base}:tok`, balance: `${this.#keyPrefix}credit:{${accountId}}` };
  }

  admit(request: AdmissionRequest): Promise<AdmissionDecision> {
    try {
      this.#assertOpen();
      assertAdmissionRequest(request);
    } catch (error) {
      return Promise.reject(error);
    }
    const { accountId, limits } = request;
    return this.#admissions.add(`${accountId}\u0000${limits.requestsPerMinute}\u0000${limits.tokensPerMinute}`, request);
  }

  settle(ticket: AdmissionTicket, settlement: Settlement): void {
    const problem = this.#closed ? new Error("RedisAdmission is closed") : settlementProblem(settlement);
    if (problem !== null) {
      this.#onError(problem, { accountId: ticket.accountId, settlements: 1, heldMicros: ticket.holdMicros, chargedMicros: settlement.chargedMicros });
      return;
    }
    if (settlement.tokens === ticket.tokens && ticket.holdMicros === 0 && settlement.chargedMicros === 0) return;
    this.#settlements.push(`${ticket.accountId}\u0000${ticket.epoch}`, { ticket, settlement });
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
    await this.flush();
    this.#closed = true;
  }

  /** One script call for a batch of one account's admissions with the same limits, decided in order. */
  async #sendAdmissions(batch: AdmissionRequest[]): Promise<AdmissionDecision[]> {
    const { accountId, limits } = batch[0]!;
    const keys = this.keysFor(accountId);
    const args: Array<string | number> = [
      keys.requests,
      keys.tokens,
      keys.balance,
      this.#pinnedNow(),
      limits.requestsPerMinute,
      limits.tokensPerMinute,
      BALANCE_TTL_MS,
    ];
    let holding = false;
    for (const request of batch) {
      args.push(request.tokens, request.holdMicros);
      if (request.holdMicros > 0) holding = true;
    }
    if (holding) await this.#dropIfStale(accountId);
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const reply = await this.#scripts.admit(...args);
      if (!Array.isArray(reply) || reply[0] !== -1) return parseAdmitReply(reply, batch);
      await this.#copyBalance(accountId);
    }
    throw new Error(`the credit balance of ${accountId} could not be loaded into Redis`);
  }

  /** One script call for an account's settlements of one epoch: the token corrections and the holds, summed. */
  async #sendSettlements(batch: PendingSettlement[]): Promise<undefined[]> {
    const { accountId, epoch } = batch[0]!.ticket;
    // Sums past what one call may carry are cut: a refund that large empties any bucket's
    // debt anyway, and a charge that large leaves the bucket waiting for the maximum.
    let refund = 0;
    let charge = 0;
    let held = 0;
    let charged = 0;
    for (const { ticket, settlement } of batch) {
      const delta = settlement.tokens - ticket.tokens;
      if (delta < 0) refund = Math.max(-MAX_UNITS, refund + delta);
      else charge = Math.min(MAX_UNITS, charge + delta);
      held += ticket.holdMicros;
      charged += settlement.chargedMicros;
    }
    const limits: LimitSpec = batch[batch.length - 1]!.ticket.limits;
    const keys = this.keysFor(accountId);
    try {
      await this.#scripts.settle(keys.tokens, keys.balance, this.#pinnedNow(), limits.tokensPerMinute, refund, charge, held, charged, epoch);
    } catch (error) {
      this.#onError(error, { accountId, settlements: batch.length, heldMicros: held, chargedMicros: charged });
    }
    return batch.map(() => undefined);
  }

  /** Copies the account's balance from storage into Redis, unless another instance did first (a new epoch). */
  async #copyBalance(accountId: string): Promise<void> {
    const balance = await this.#loadBalance(accountId);
    await this.#scripts.load(this.keysFor(accountId).balance, balance, randomBytes(8).toString("hex"), BALANCE_TTL_MS);
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
