import { deleteKeysUnder, testRedisPrefix, testRedisUrl } from "@bentoo/test-kit";
import { Redis } from "ioredis";
import {
  type Admission,
  type AdmissionDecision,
  type AdmissionTicket,
  type BudgetSpec,
  MemoryAdmission,
  RedisAdmission,
  type SettlementFailure,
} from "../src/index.js";

/** The client settings the README asks for: no offline queue and one retry, so a dead Redis rejects at once. */
export async function connectTestRedis(url: string): Promise<Redis> {
  const redis = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: true });
  await redis.connect();
  return redis;
}

/** Balances "in storage", as the loader reads them; a test moves them as the ledger would. */
export class StoredBalances {
  readonly #balances = new Map<string, number>();
  /** Loads made so far, per account. */
  readonly loads = new Map<string, number>();
  /** When set, every load rejects with it. */
  failure: Error | null = null;

  set(accountId: string, micros: number): void {
    this.#balances.set(accountId, micros);
  }

  readonly load = async (accountId: string): Promise<number> => {
    this.loads.set(accountId, (this.loads.get(accountId) ?? 0) + 1);
    if (this.failure !== null) throw this.failure;
    return this.#balances.get(accountId) ?? 0;
  };

  readonly #spent = new Map<string, number>();
  /** Spend-cap loads so far, per `<chain>:<start>`. */
  readonly spendLoads = new Map<string, number>();

  /** What storage says a key chain spent in the window starting at `start`. */
  setSpent(lineageId: string, start: number, micros: number): void {
    this.#spent.set(`${lineageId}:${start}`, micros);
  }

  readonly loadSpent = async (_accountId: string, budget: BudgetSpec): Promise<number> => {
    const window = `${budget.lineageId}:${budget.start}`;
    this.spendLoads.set(window, (this.spendLoads.get(window) ?? 0) + 1);
    if (this.failure !== null) throw this.failure;
    return this.#spent.get(window) ?? 0;
  };
}

/** What a settlement failure reported, for assertions. */
export interface ReportedError {
  error: unknown;
  failure: SettlementFailure;
}

/** Two admissions sharing one state (two instances on two clients for Redis, one instance twice for memory). */
export interface OpenedAdmission {
  admission: Admission;
  peer: Admission;
  stored: StoredBalances;
  errors: ReportedError[];
  dispose(): Promise<void>;
}

export interface Backend {
  name: "memory" | "redis";
  available: boolean;
  open(now: () => number): Promise<OpenedAdmission>;
}

export const memoryBackend: Backend = {
  name: "memory",
  available: true,
  async open(now) {
    const stored = new StoredBalances();
    const errors: ReportedError[] = [];
    const admission = new MemoryAdmission({
      loadBalance: stored.load,
      loadSpent: stored.loadSpent,
      onError: (error, failure) => errors.push({ error, failure }),
      now,
    });
    return { admission, peer: admission, stored, errors, dispose: () => admission.close() };
  },
};

export const redisBackend: Backend = {
  name: "redis",
  available: testRedisUrl() !== undefined,
  async open(now) {
    const url = testRedisUrl();
    if (url === undefined) throw new Error("BENTOO_TEST_REDIS_URL is not set");
    const keyPrefix = testRedisPrefix();
    const first = await connectTestRedis(url);
    const second = await connectTestRedis(url);
    const stored = new StoredBalances();
    const errors: ReportedError[] = [];
    const onError = (error: unknown, failure: SettlementFailure) => errors.push({ error, failure });
    const admission = new RedisAdmission({ redis: first, keyPrefix, loadBalance: stored.load, loadSpent: stored.loadSpent, onError, now });
    const peer = new RedisAdmission({ redis: second, keyPrefix, loadBalance: stored.load, loadSpent: stored.loadSpent, onError, now });
    return {
      admission,
      peer,
      stored,
      errors,
      async dispose() {
        await Promise.all([admission.close(), peer.close()]);
        await deleteKeysUnder(first, keyPrefix);
        await Promise.all([first.quit(), second.quit()]);
      },
    };
  },
};

let requestCounter = 0;

/** A request id no other admission of this run uses (holds are kept under request ids). */
export function nextRequestId(): string {
  requestCounter += 1;
  return `req_test_${process.pid}_${requestCounter}`;
}

/** The ticket of an admitted decision; fails the test otherwise. */
export function ticketOf(decision: AdmissionDecision): AdmissionTicket {
  if (!decision.admitted) throw new Error(`expected an admission, got a refusal by ${decision.refusedBy}`);
  return decision.ticket;
}

/** A fixed-seed generator, so that a failure replays identically. */
export function seededRandom(seed: number): (below: number) => number {
  let state = seed >>> 0;
  return (below) => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return Math.floor((state / 2 ** 32) * below);
  };
}
