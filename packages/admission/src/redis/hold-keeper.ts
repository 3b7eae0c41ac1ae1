import { randomBytes } from "node:crypto";
import type { Redis } from "ioredis";
import type { AdmissionTicket, BalanceLoader, PendingCharge, Recovery, ReplayedCharge } from "../admission.js";
import { type AccountKeys, defineScript, type Script } from "./account-keys.js";
import { RECOVER, REGISTER } from "./holds-scripts.js";
import { OpenHolds } from "./open-holds.js";

/** An idle account's copy of its balance leaves Redis after a day (reloaded from storage on next use); its holds' keys with it. */
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

export interface HoldKeeperOptions {
  redis: Redis;
  keyPrefix: string;
  instanceId: string;
  leaseMs: number;
  loadBalance: BalanceLoader;
  pendingCharges: () => Iterable<PendingCharge>;
  keysFor: (accountId: string) => AccountKeys;
  /** The scripts' clock argument ('' = Redis TIME). */
  pinnedNow: () => string;
  /** Called at the start of every renewal (the admission sends its failed hold endings again). */
  beforeRenewal: () => void;
}

/**
 * This instance's side of the holds in Redis (holds-lua.ts): it remembers its
 * open holds (OpenHolds), renews its lease on every account where it has some,
 * and registers them again, with the charges its record writer has not written
 * yet, in a copy of the balance that lacks them: when the admit script says the
 * copy is missing or of another epoch (`register`), after every reconnect, and
 * within WATCH_MS of finding its marker key gone. It also ends what a dead
 * instance left (`recover`).
 */
export class HoldKeeper {
  readonly #options: HoldKeeperOptions;
  readonly #open = new OpenHolds();
  readonly #scripts: Record<"register" | "recover", Script>;
  /** Accounts already listed in this instance's set in Redis. */
  readonly #listed = new Set<string>();
  readonly #renewal: NodeJS.Timeout;
  readonly #watch: NodeJS.Timeout;
  /** Whether the alive key was written once: its absence since means that Redis lost its data. */
  #watched = false;
  #renewing: Promise<void> | null = null;
  #closed = false;
  readonly #onReady = (): void => void this.renew();

  constructor(options: HoldKeeperOptions) {
    this.#options = options;
    this.#scripts = {
      register: defineScript(options.redis, "bentooRegisterHolds", 5, REGISTER),
      recover: defineScript(options.redis, "bentooRecoverHolds", 5, RECOVER),
    };
    this.#renewal = setInterval(() => void this.renew(), Math.floor(options.leaseMs / 4));
    this.#renewal.unref();
    this.#watch = setInterval(() => this.#checkAlive(), WATCH_MS);
    this.#watch.unref();
    // After a reconnect (Redis may have restarted empty), the open holds are registered again at once.
    options.redis.on("ready", this.#onReady);
  }

  /** The epoch the account's open holds are registered in; '' when this instance has none there. */
  epochOf(accountId: string): string {
    return this.#open.epochOf(accountId);
  }

  /** Remembers a hold just taken, and lists its account in this instance's set (once), so that a successor can end it. */
  opened(ticket: AdmissionTicket): void {
    this.#open.add(ticket.accountId, ticket.requestId, ticket.holdMicros, ticket.epoch, ticket.budgetId);
    if (this.#listed.has(ticket.accountId)) return;
    this.#listed.add(ticket.accountId);
    const { redis } = this.#options;
    const key = this.#listedKey(this.#options.instanceId);
    // Not awaited: a hold this list misses still ends when the instance's lease runs out.
    Promise.all([redis.sadd(key, ticket.accountId), redis.pexpire(key, BALANCE_TTL_MS)]).catch(() => this.#listed.delete(ticket.accountId));
  }

  /** Forgets a hold being settled: it is no longer renewed or registered again. */
  ended(ticket: AdmissionTicket): void {
    this.#open.remove(ticket.accountId, ticket.requestId);
  }

  /**
   * Registers this instance's open holds on the account and its charges still
   * on their way to storage in Redis' copy of the balance (REGISTER), loading
   * the copy from storage first when `load`. The charges are read before
   * storage is: one that reaches storage in between is counted twice (the
   * stricter), never missed.
   */
  async register(accountId: string, load: boolean, charges: readonly PendingCharge[] = this.#pendingFor(accountId)): Promise<void> {
    const { instanceId, leaseMs, keysFor, pinnedNow } = this.#options;
    const balance = load ? String(await this.#options.loadBalance(accountId)) : "";
    const holds = this.#open.list(accountId);
    const keys = keysFor(accountId);
    const args: Array<string | number> = [
      keys.balance,
      keys.holds,
      keys.leases,
      keys.marks,
      keys.spend,
      pinnedNow(),
      instanceId,
      leaseMs,
      BALANCE_TTL_MS,
      this.#open.epochOf(accountId),
      balance,
      randomBytes(8).toString("hex"),
      holds.length,
    ];
    for (const [requestId, micros, budgetId] of holds) args.push(requestId, micros, budgetId);
    for (const charge of charges) args.push(charge.requestId, charge.chargedMicros);
    const epoch = await this.#scripts.register(...args);
    this.#open.registered(accountId, String(epoch));
  }

  /**
   * Renews this instance's leases and registers its open holds wherever they
   * went missing (with its pending charges where the copy changed). One
   * renewal at a time; failures wait for the next (while Redis cannot be
   * reached, admissions fail anyway).
   */
  renew(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    if (this.#renewing !== null) return this.#renewing;
    this.#options.beforeRenewal();
    const accounts = this.#open.accounts();
    if (accounts.length === 0) return Promise.resolve();
    const pending = new Map<string, PendingCharge[]>();
    for (const charge of this.#options.pendingCharges()) {
      const list = pending.get(charge.accountId);
      if (list === undefined) pending.set(charge.accountId, [charge]);
      else list.push(charge);
    }
    const renewals = accounts.map((accountId) => this.register(accountId, false, pending.get(accountId) ?? []).catch(() => undefined));
    renewals.push(
      this.#options.redis.pexpire(this.#listedKey(this.#options.instanceId), BALANCE_TTL_MS).then(
        () => undefined,
        () => undefined,
      ),
    );
    this.#renewing = Promise.all(renewals).then(() => {
      this.#renewing = null;
    });
    return this.#renewing;
  }

  /** Takes each replayed charge once, then ends the dead instances' holds still open, on every account they listed. */
  async recover(recovery: Recovery): Promise<void> {
    const byAccount = new Map<string, ReplayedCharge[]>();
    for (const charge of recovery.charges) {
      const list = byAccount.get(charge.accountId);
      if (list === undefined) byAccount.set(charge.accountId, [charge]);
      else list.push(charge);
    }
    await Promise.all([...byAccount].map(([accountId, charges]) => this.#recoverAccount(accountId, charges, "")));
    for (const instanceId of recovery.instanceIds) {
      const listedKey = this.#listedKey(instanceId);
      await Promise.all((await this.#options.redis.smembers(listedKey)).map((accountId) => this.#recoverAccount(accountId, [], instanceId)));
      await this.#options.redis.del(listedKey);
    }
  }

  /** Stops the timers (a dead instance's holds are ended by its lease or its successor; a closed one has none). */
  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#renewal);
    clearInterval(this.#watch);
    this.#options.redis.off("ready", this.#onReady);
    await this.#renewing;
  }

  async #recoverAccount(accountId: string, charges: readonly ReplayedCharge[], instanceId: string): Promise<void> {
    const keys = this.#options.keysFor(accountId);
    // The dead instance's remaining holds go back with the last chunk, after every charge ended its own.
    for (let start = 0; start === 0 || start < charges.length; start += RECOVER_CHUNK) {
      const last = start + RECOVER_CHUNK >= charges.length;
      const args: Array<string | number> = [
        keys.balance,
        keys.holds,
        keys.leases,
        keys.marks,
        keys.spend,
        this.#options.pinnedNow(),
        BALANCE_TTL_MS,
        last ? instanceId : "",
      ];
      for (const charge of charges.slice(start, start + RECOVER_CHUNK)) args.push(charge.requestId, charge.chargedMicros, charge.written ? "1" : "0");
      await this.#scripts.recover(...args);
    }
  }

  /** Writes this instance's alive key; found missing (Redis lost its data), the open holds are registered again at once. */
  #checkAlive(): void {
    if (this.#closed) return;
    const { redis, keyPrefix, instanceId, leaseMs } = this.#options;
    redis.set(`${keyPrefix}instance:${instanceId}:alive`, "1", "PX", leaseMs, "GET").then(
      (previous) => {
        if (previous === null && this.#watched) void this.renew();
        this.#watched = true;
      },
      () => undefined, // unreachable: the reconnect registers them
    );
  }

  #pendingFor(accountId: string): PendingCharge[] {
    const charges: PendingCharge[] = [];
    for (const charge of this.#options.pendingCharges()) if (charge.accountId === accountId) charges.push(charge);
    return charges;
  }

  #listedKey(instanceId: string): string {
    return `${this.#options.keyPrefix}instance:${instanceId}:accounts`;
  }
}
