import { randomBytes } from "node:crypto";
import type { Redis } from "ioredis";
import type {
  Admission,
  AdmissionDecision,
  AdmissionRequest,
  AdmissionTicket,
  BalanceLoader,
  LimitSpec,
  PendingCharge,
  Recovery,
  ReplayedCharge,
  Settlement,
  SettlementErrorHandler,
} from "../admission.js";
import { MAX_UNITS } from "../token-bucket.js";
import { assertAccountId, assertAdmissionRequest, assertGrant, assertRecovery, settlementProblem } from "../validate.js";
import { RECOVER, REGISTER } from "./holds-scripts.js";
import { OpenHolds } from "./open-holds.js";
import { parseAdmitReply } from "./parse-admit-reply.js";
import { ADMIT, BALANCE_MISSING, GRANT, HOLDS_UNREGISTERED, SETTLE } from "./scripts.js";
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

/** An idle account's copy of its balance leaves Redis after a day (reloaded from storage on next use). */
export const BALANCE_TTL_MS = 24 * 3600 * 1000;

/** How long an instance's holds stand after it last renewed its lease, unless told otherwise. */
export const DEFAULT_LEASE_MS = 60_000;

/**
 * How often an instance checks that Redis still has its data (a key of its own,
 * written with GET): a flush, or a restart the client did not notice, is met
 * within this, and the instance registers its holds again.
 */
export const WATCH_MS = 1_000;

/** Most replayed charges per recover script call. */
const RECOVER_CHUNK = 1_000;

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
 * Admission shared by every gateway instance. Keys, per account under its hash
 * tag (a multi-key script needs one Redis Cluster slot): `<prefix>rl:{<acct>}:req`
 * and `…:tok` (the token buckets, hashes {u, t}), `<prefix>credit:{<acct>}`
 * (the available balance and its epoch, {b, e}), and the holds, their
 * instances' leases and the settled marks (`holds:`, `leases:`, `settled:`;
 * see holds-lua.ts). `<prefix>instance:<id>:accounts` lists the accounts an
 * instance held credits on, so that its successor can end them.
 *
 * An account's admissions of one turn of the event loop go out as one script
 * call that decides them in order; its settlements of one turn as one call,
 * which leaves with the next admissions' write (or within SETTLEMENT_DEFER_MS).
 * Under load one round trip serves many requests.
 *
 * The instance remembers its open holds (OpenHolds). When the copy of a
 * balance it admits on is not the one they were registered in (Redis lost it
 * and it was reloaded), it registers them, and its charges still on their way
 * to storage, before admitting more; a load it makes includes them. It does so
 * for every account after a reconnect, and renews its lease every quarter of
 * `leaseMs`, which also registers them wherever they went missing.
 */
export class RedisAdmission implements Admission {
  readonly #redis: Redis;
  readonly #loadBalance: BalanceLoader;
  readonly #onError: SettlementErrorHandler;
  readonly #keyPrefix: string;
  readonly #now: (() => number) | undefined;
  readonly #instanceId: string;
  readonly #leaseMs: number;
  readonly #pendingCharges: () => Iterable<PendingCharge>;
  readonly #scripts: Record<"admit" | "settle" | "register" | "recover" | "grant", Script>;
  /** Accounts whose grant could not reach Redis: their copy is dropped before its next use. */
  readonly #stale = new Set<string>();
  readonly #open = new OpenHolds();
  /** Accounts already listed in this instance's set in Redis. */
  readonly #listed = new Set<string>();
  readonly #settled = new WeakSet<AdmissionTicket>();
  /** Hold endings whose script call failed: sent again with the next renewal (the settled mark makes a repeat harmless). */
  #unsent: PendingSettlement[] = [];
  #renewing: Promise<void> | null = null;
  readonly #renewal: NodeJS.Timeout;
  readonly #watch: NodeJS.Timeout;
  /** Whether this instance's alive key was written once: its absence since means that Redis lost its data. */
  #watched = false;
  readonly #onReady = (): void => void this.#renew();
  readonly #admissions = new TurnBatcher<AdmissionRequest, AdmissionDecision>((_key, batch) => this.#sendAdmissions(batch));
  readonly #settlements = new TurnBatcher<PendingSettlement, undefined>((_key, batch) => this.#sendSettlements(batch), { deferMs: SETTLEMENT_DEFER_MS });
  #closed = false;

  constructor(options: RedisAdmissionOptions) {
    this.#redis = options.redis;
    this.#loadBalance = options.loadBalance;
    this.#onError = options.onError;
    this.#keyPrefix = options.keyPrefix ?? "bentoo:";
    this.#now = options.now;
    this.#instanceId = options.instanceId ?? randomBytes(8).toString("hex");
    this.#leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
    if (!Number.isSafeInteger(this.#leaseMs) || this.#leaseMs < 4)
      throw new RangeError(`leaseMs must be an integer of at least 4 ms, got ${String(options.leaseMs)}`);
    this.#pendingCharges = options.pendingCharges ?? (() => []);
    assertRecovery({ instanceIds: [this.#instanceId], charges: [] });
    this.#scripts = {
      admit: defineScript(options.redis, "bentooAdmit", 6, ADMIT),
      settle: defineScript(options.redis, "bentooSettle", 4, SETTLE),
      register: defineScript(options.redis, "bentooRegisterHolds", 4, REGISTER),
      recover: defineScript(options.redis, "bentooRecoverHolds", 4, RECOVER),
      grant: defineScript(options.redis, "bentooGrant", 1, GRANT),
    };
    this.#renewal = setInterval(() => void this.#renew(), Math.floor(this.#leaseMs / 4));
    this.#renewal.unref();
    this.#watch = setInterval(() => this.#checkAlive(), WATCH_MS);
    this.#watch.unref();
    // After a reconnect (Redis may have restarted empty), the open holds are registered again at once.
    options.redis.on("ready", this.#onReady);
  }

  get instanceId(): string {
    return this.#instanceId;
  }

  /** An account's keys (for tests and operators). */
  keysFor(accountId: string): { requests: string; tokens: string; balance: string; holds: string; leases: string; marks: string } {
    const base = `${this.#keyPrefix}rl:{${accountId}}`;
    const tag = `{${accountId}}`;
    return {
      requests: `${base}:req`,
      tokens: `${base}:tok`,
      balance: `${this.#keyPrefix}credit:${tag}`,
      holds: `${this.#keyPrefix}holds:${tag}`,
      leases: `${this.#keyPrefix}leases:${tag}`,
      marks: `${this.#keyPrefix}settled:${tag}`,
    };
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
    if (this.#settled.has(ticket)) return;
    const problem = this.#closed ? new Error("RedisAdmission is closed") : settlementProblem(settlement);
    if (problem !== null) {
      this.#onError(problem, { accountId: ticket.accountId, settlements: 1, heldMicros: ticket.holdMicros, chargedMicros: settlement.chargedMicros });
      return;
    }
    this.#settled.add(ticket);
    if (ticket.holdMicros > 0) this.#open.remove(ticket.accountId, ticket.requestId);
    if (settlement.tokens === ticket.tokens && ticket.holdMicros === 0 && settlement.chargedMicros === 0) return;
    this.#settlements.push(ticket.accountId, { ticket, settlement });
  }

  async recover(recovery: Recovery): Promise<void> {
    this.#assertOpen();
    assertRecovery(recovery);
    const byAccount = new Map<string, ReplayedCharge[]>();
    for (const charge of recovery.charges) {
      const list = byAccount.get(charge.accountId);
      if (list === undefined) byAccount.set(charge.accountId, [charge]);
      else list.push(charge);
    }
    await Promise.all([...byAccount].map(([accountId, charges]) => this.#recoverAccount(accountId, charges, "")));
    // Then each dead instance's holds still open, on every account it listed.
    for (const instanceId of recovery.instanceIds) {
      const listedKey = this.#listedKey(instanceId);
      await Promise.all((await this.#redis.smembers(listedKey)).map((accountId) => this.#recoverAccount(accountId, [], instanceId)));
      await this.#redis.del(listedKey);
    }
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
    clearInterval(this.#renewal);
    clearInterval(this.#watch);
    this.#redis.off("ready", this.#onReady);
    await this.flush();
    await this.#renewing;
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
      keys.holds,
      keys.leases,
      keys.marks,
      this.#pinnedNow(),
      limits.requestsPerMinute,
      limits.tokensPerMinute,
      BALANCE_TTL_MS,
      "", // the epoch of this instance's open holds on the account, set per attempt
      this.#instanceId,
      this.#leaseMs,
    ];
    let holding = false;
    for (const request of batch) {
      args.push(request.tokens, request.holdMicros, request.requestId);
      if (request.holdMicros > 0) holding = true;
    }
    if (holding) await this.#dropIfStale(accountId);
    for (let attempt = 0; attempt < 3; attempt += 1) {
      args[10] = this.#open.epochOf(accountId);
      const reply = await this.#scripts.admit(...args);
      const code = Array.isArray(reply) && reply.length === 1 ? reply[0] : null;
      if (code === BALANCE_MISSING || code === HOLDS_UNREGISTERED) {
        await this.#register(accountId, code === BALANCE_MISSING, this.#pendingFor(accountId));
        continue;
      }
      const decisions = parseAdmitReply(reply, batch);
      for (const decision of decisions) if (decision.admitted && decision.ticket.holdMicros > 0) this.#opened(decision.ticket);
      return decisions;
    }
    throw new Error(`the credit balance of ${accountId} could not be loaded into Redis`);
  }

  /** One script call for an account's settlements of one turn: the token corrections summed, and each hold ended. */
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
        ended.push(ticket.requestId, settlement.chargedMicros);
        held += ticket.holdMicros;
        charged += settlement.chargedMicros;
      }
    }
    const limits: LimitSpec = batch[batch.length - 1]!.ticket.limits;
    const keys = this.keysFor(accountId);
    try {
      await this.#scripts.settle(
        keys.tokens,
        keys.balance,
        keys.holds,
        keys.marks,
        this.#pinnedNow(),
        limits.tokensPerMinute,
        refund,
        charge,
        BALANCE_TTL_MS,
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

  /**
   * Registers this instance's open holds on the account and its charges still
   * on their way to storage in Redis' copy of the balance (REGISTER), loading
   * the copy from storage first when `load`. The charges are read before
   * storage is: one that reaches storage in between is counted twice (the
   * stricter), never missed.
   */
  async #register(accountId: string, load: boolean, charges: readonly PendingCharge[]): Promise<void> {
    const balance = load ? String(await this.#loadBalance(accountId)) : "";
    const holds = this.#open.list(accountId);
    const keys = this.keysFor(accountId);
    const args: Array<string | number> = [
      keys.balance,
      keys.holds,
      keys.leases,
      keys.marks,
      this.#pinnedNow(),
      this.#instanceId,
      this.#leaseMs,
      BALANCE_TTL_MS,
      this.#open.epochOf(accountId),
      balance,
      randomBytes(8).toString("hex"),
      holds.length,
    ];
    for (const [requestId, micros] of holds) args.push(requestId, micros);
    for (const charge of charges) args.push(charge.requestId, charge.chargedMicros);
    const epoch = await this.#scripts.register(...args);
    this.#open.registered(accountId, String(epoch));
  }

  /**
   * Renews this instance's leases and registers its open holds wherever they
   * went missing (with its pending charges where the copy changed); sends the
   * hold endings that failed again. One renewal at a time; failures wait for
   * the next (while Redis cannot be reached, admissions fail anyway).
   */
  #renew(): Promise<void> {
    if (this.#closed || this.#renewing !== null) return this.#renewing ?? Promise.resolve();
    const unsent = this.#unsent;
    this.#unsent = [];
    for (const pending of unsent) this.#settlements.push(pending.ticket.accountId, pending);
    const accounts = this.#open.accounts();
    if (accounts.length === 0) return Promise.resolve();
    const pending = new Map<string, PendingCharge[]>();
    for (const charge of this.#pendingCharges()) {
      const list = pending.get(charge.accountId);
      if (list === undefined) pending.set(charge.accountId, [charge]);
      else list.push(charge);
    }
    const renewals = accounts.map((accountId) => this.#register(accountId, false, pending.get(accountId) ?? []).catch(() => undefined));
    renewals.push(
      this.#redis.pexpire(this.#listedKey(this.#instanceId), BALANCE_TTL_MS).then(
        () => undefined,
        () => undefined,
      ),
    );
    this.#renewing = Promise.all(renewals).then(() => {
      this.#renewing = null;
    });
    return this.#renewing;
  }

  /** Writes this instance's alive key; found missing (Redis lost its data), the open holds are registered again at once. */
  #checkAlive(): void {
    if (this.#closed) return;
    this.#redis.set(`${this.#keyPrefix}instance:${this.#instanceId}:alive`, "1", "PX", this.#leaseMs, "GET").then(
      (previous) => {
        if (previous === null && this.#watched) void this.#renew();
        this.#watched = true;
      },
      () => undefined, // unreachable: the reconnect registers them
    );
  }

  /** Remembers a hold just taken, and lists its account in this instance's set (once), so that a successor can end it. */
  #opened(ticket: AdmissionTicket): void {
    this.#open.add(ticket.accountId, ticket.requestId, ticket.holdMicros, ticket.epoch);
    if (this.#listed.has(ticket.accountId)) return;
    this.#listed.add(ticket.accountId);
    const key = this.#listedKey(this.#instanceId);
    // Not awaited: a hold this list misses still ends when the instance's lease runs out.
    Promise.all([this.#redis.sadd(key, ticket.accountId), this.#redis.pexpire(key, BALANCE_TTL_MS)]).catch(() => this.#listed.delete(ticket.accountId));
  }

  async #recoverAccount(accountId: string, charges: readonly ReplayedCharge[], instanceId: string): Promise<void> {
    const keys = this.keysFor(accountId);
    // The dead instance's remaining holds go back with the last chunk, after every charge ended its own.
    for (let start = 0; start === 0 || start < charges.length; start += RECOVER_CHUNK) {
      const chunk = charges.slice(start, start + RECOVER_CHUNK);
      const last = start + RECOVER_CHUNK >= charges.length;
      const args: Array<string | number> = [keys.balance, keys.holds, keys.leases, keys.marks, this.#pinnedNow(), BALANCE_TTL_MS, last ? instanceId : ""];
      for (const charge of chunk) args.push(charge.requestId, charge.chargedMicros, charge.written ? "1" : "0");
      await this.#scripts.recover(...args);
    }
  }

  #pendingFor(accountId: string): PendingCharge[] {
    const charges: PendingCharge[] = [];
    for (const charge of this.#pendingCharges()) if (charge.accountId === accountId) charges.push(charge);
    return charges;
  }

  #listedKey(instanceId: string): string {
    return `${this.#keyPrefix}instance:${instanceId}:accounts`;
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
