import { newId, type RecordBatch, type RecordStore, type RecordWriteResult } from "@bentoo/core";
import { AuditQueueFullError, RecordWriter, type RecordWriterOptions } from "@bentoo/storage";
import { type OpenedStorage, storageTargets } from "@bentoo/test-kit";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { auditRecord, charge } from "./record-fixtures.js";

/**
 * The real store, with what a test needs to steer it: every batch that reaches
 * it is kept (and can be awaited), it can be held (a slow database), it can fail
 * a number of attempts, before the write (nothing committed) or after it (the
 * commit went through, its reply was lost), and it can let new traffic arrive
 * while a batch is being written.
 */
class SteeredStore implements Pick<RecordStore, "write"> {
  readonly batches: RecordBatch[] = [];
  attempts = 0;
  concurrent = 0;
  maxConcurrent = 0;
  failures = 0;
  failAfterCommit = false;
  /** Called as each attempt starts, while the writer has that batch in flight. */
  onWrite: (() => void) | null = null;
  #gate: Promise<void> | null = null;
  #openGate: (() => void) | null = null;
  #batchWaiters: Array<{ count: number; resolve: () => void }> = [];

  constructor(private readonly store: Pick<RecordStore, "write">) {}

  hold(): void {
    this.#gate = new Promise((resolve) => (this.#openGate = resolve));
  }
  release(): void {
    this.#openGate?.();
    this.#gate = null;
  }

  /** Resolves once `count` batches in all have been written; rejects, saying so, when they have not within `timeoutMs`. */
  batchesWritten(count: number, timeoutMs = 5_000): Promise<void> {
    if (this.batches.length >= count) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.batches.length} of ${count} batches reached the store within ${timeoutMs} ms`)), timeoutMs);
      this.#batchWaiters.push({
        count,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      });
    });
  }

  async write(batch: RecordBatch): Promise<RecordWriteResult> {
    this.attempts += 1;
    this.onWrite?.();
    this.concurrent += 1;
    this.maxConcurrent = Math.max(this.maxConcurrent, this.concurrent);
    try {
      if (this.#gate !== null) await this.#gate;
      if (this.failures > 0 && !this.failAfterCommit) {
        this.failures -= 1;
        throw new Error("connection reset");
      }
      const result = await this.store.write(batch);
      this.batches.push({ audit: [...batch.audit], ledger: [...batch.ledger] });
      this.#batchWaiters = this.#batchWaiters.filter((waiter) => {
        if (this.batches.length < waiter.count) return true;
        waiter.resolve();
        return false;
      });
      if (this.failures > 0) {
        this.failures -= 1;
        throw new Error("connection reset after commit");
      }
      return result;
    } finally {
      this.concurrent -= 1;
    }
  }

  sizes(kind: keyof RecordBatch): number[] {
    return this.batches.map((batch) => batch[kind].length);
  }
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe.each(storageTargets())("record writer over the real store on $name", (target) => {
  let opened: OpenedStorage;
  const stores: SteeredStore[] = [];
  const writers: RecordWriter[] = [];
  beforeAll(async () => {
    opened = await target.open();
  });
  afterEach(async () => {
    // Release any store a failed test left held, or close() would wait for it.
    for (const store of stores.splice(0)) {
      store.failures = 0;
      store.release();
    }
    await Promise.all(writers.splice(0).map((created) => created.close()));
  });
  afterAll(async () => {
    await opened?.dispose();
  });

  const account = async () => (await opened.storage.accounts.create({ email: `${newId("account")}@example.com`, passwordHash: null, plan: "free" })).id;
  const steered = () => {
    const store = new SteeredStore(opened.storage.records);
    stores.push(store);
    return store;
  };
  function writer(options: Partial<RecordWriterOptions> & Pick<RecordWriterOptions, "store">): RecordWriter {
    const created = new RecordWriter({ retryDelaysMs: [1], flushIntervalMs: 60_000, onError: () => undefined, ...options });
    writers.push(created);
    return created;
  }
  const balance = async (accountId: string) => (await opened.storage.accounts.get(accountId))?.balanceMicros;
  const storedIds = async (accountId: string) => {
    const ids: string[] = [];
    for await (const record of opened.storage.audit.iterate({ accountId })) ids.push(record.id);
    return ids;
  };

  it("returns from audit() and ledger() at once while the store is slow, with one batch in flight", async () => {
    const accountId = await account();
    const store = steered();
    store.hold();
    const records = writer({ store, batchSize: 500 });
    const started = performance.now();
    for (let index = 0; index < 2000; index += 1) records.audit(auditRecord(accountId));
    for (let index = 0; index < 700; index += 1) records.ledger(charge(accountId, 1));
    // The store never answers while held: any bound shows nothing waited on it (wide, for a busy machine).
    expect(performance.now() - started).toBeLessThan(500);
    await settle();
    expect(store.attempts).toBe(1); // the first batch is held; the rest wait their turn
    expect(records.stats).toMatchObject({ auditQueued: 2000, auditWritten: 0, ledgerPending: 700, ledgerWritten: 0 });
    store.release();
    await records.flush();
    expect(store.sizes("audit")).toEqual([500, 500, 500, 500]);
    expect(store.sizes("ledger")).toEqual([0, 500, 200, 0]); // the first batch left before any ledger row came
    expect(store.maxConcurrent).toBe(1);
    expect(records.stats).toMatchObject({ auditQueued: 0, auditWritten: 2000, auditDropped: 0, ledgerPending: 0, ledgerWritten: 700 });
    expect(await balance(accountId)).toBe(-700);
  });

  it("writes a full batch at once and a partial one only when the interval or a flush asks, in queue order", async () => {
    const accountId = await account();
    const store = steered();
    const records = writer({ store, batchSize: 10 });
    const audit = Array.from({ length: 25 }, () => auditRecord(accountId));
    for (const record of audit) records.audit(record);
    await store.batchesWritten(2);
    expect(store.sizes("audit")).toEqual([10, 10]);
    await settle();
    expect(store.batches).toHaveLength(2);
    expect(records.stats.auditQueued).toBe(5);
    records.ledger(charge(accountId, 3));
    await records.flush();
    expect(store.batches.at(-1)).toEqual({ audit: audit.slice(20), ledger: [expect.objectContaining({ amountMicros: -3 })] });
    expect(store.batches.flatMap((batch) => batch.audit).map((record) => record.id)).toEqual(audit.map((record) => record.id));

    const timedStore = steered();
    const timed = writer({ store: timedStore, batchSize: 500, flushIntervalMs: 25 });
    timed.ledger(charge(accountId, 4));
    await timedStore.batchesWritten(1); // the interval's timer is what sends it (a real 25 ms timer)
    expect(await balance(accountId)).toBe(-7);
  });

  it("drops audit records that do not fit a full queue, counts and reports them, and never drops a ledger row", async () => {
    const accountId = await account();
    const store = steered();
    const errors: Array<[unknown, number]> = [];
    store.hold();
    const records = writer({ store, maxQueue: 100, batchSize: 50, onError: (error, lost) => errors.push([error, lost]) });
    for (let index = 0; index < 50; index += 1) records.audit(auditRecord(accountId)); // the batch in flight, held
    await settle();
    for (let index = 0; index < 110; index += 1) {
      records.audit(auditRecord(accountId)); // 100 fit the queue, 10 do not
      records.ledger(charge(accountId, 1));
    }
    expect(records.stats).toMatchObject({ auditQueued: 150, auditDropped: 10, ledgerPending: 110 });
    store.release();
    await records.flush();
    expect(records.stats).toMatchObject({ auditQueued: 0, auditWritten: 150, auditDropped: 10, auditLost: 0, ledgerPending: 0, ledgerWritten: 110 });
    expect(errors).toHaveLength(1);
    const [error, lost] = errors[0] ?? [];
    expect(error).toBeInstanceOf(AuditQueueFullError);
    expect(lost).toBe(10);
    expect((error as AuditQueueFullError).message).toContain("10 audit record(s) dropped");
    expect(await storedIds(accountId)).toHaveLength(150);
    expect(await balance(accountId)).toBe(-110);
  });

  it("makes room in a full queue by flushing at once when no batch is in flight", async () => {
    const accountId = await account();
    const store = steered();
    const onError = vi.fn();
    const records = writer({ store, maxQueue: 5, batchSize: 500, onError });
    for (let index = 0; index < 11; index += 1) records.audit(auditRecord(accountId));
    // 5 queued; the 6th finds the queue full, starts a flush of those 5 and fits; the 7th..10th
    // refill the queue while that batch is in flight, and the 11th finds it full with nothing to take.
    expect(records.stats.auditDropped).toBe(1);
    await records.flush();
    expect(records.stats).toMatchObject({ auditWritten: 10, auditDropped: 1 });
    expect(onError).toHaveBeenCalledOnce();
  });

  it("retries a failed batch, reporting each failure, and loses nothing when a retry succeeds", async () => {
    const accountId = await account();
    const store = steered();
    const errors: Array<[unknown, number]> = [];
    const records = writer({ store, onError: (error, lost) => errors.push([error, lost]) });
    store.failures = 2;
    const audit = Array.from({ length: 7 }, () => auditRecord(accountId));
    for (const record of audit) records.audit(record);
    records.ledger(charge(accountId, 9));
    await records.flush();
    expect(store.attempts).toBe(3);
    expect(errors.map(([error, lost]) => [(error as Error).message, lost])).toEqual([
      ["connection reset", 0],
      ["connection reset", 0],
    ]);
    expect(records.stats).toMatchObject({ auditWritten: 7, auditLost: 0, ledgerWritten: 1, failedAttempts: 2 });
    expect((await storedIds(accountId)).sort()).toEqual(audit.map((record) => record.id).sort());
    expect(await balance(accountId)).toBe(-9);
  });

  it("moves no balance twice when a batch's commit went through but its reply was lost", async () => {
    const accountId = await account();
    const store = steered();
    store.failAfterCommit = true;
    store.failures = 1;
    const records = writer({ store });
    records.audit(auditRecord(accountId));
    records.ledger(charge(accountId, 40));
    await records.flush();
    expect(store.batches).toHaveLength(2); // committed, then committed again by the retry
    expect(await balance(accountId)).toBe(-40);
    expect(await opened.storage.ledger.sum(accountId)).toBe(-40);
    expect(await storedIds(accountId)).toHaveLength(1);
  });

  it("gives up a failing batch's audit records after auditAttempts, and retries its ledger rows until they are written", async () => {
    const accountId = await account();
    const store = steered();
    const errors: Array<[unknown, number]> = [];
    const records = writer({ store, auditAttempts: 3, onError: (error, lost) => errors.push([error, lost]) });
    store.failures = 6;
    for (let index = 0; index < 4; index += 1) records.audit(auditRecord(accountId));
    for (let index = 0; index < 3; index += 1) records.ledger(charge(accountId, 100));
    await records.flush();
    expect(errors.map(([, lost]) => lost)).toEqual([0, 0, 4, 0, 0, 0]);
    expect(records.stats).toMatchObject({ auditQueued: 0, auditWritten: 0, auditLost: 4, ledgerPending: 0, ledgerWritten: 3, failedAttempts: 6 });
    expect(store.batches).toEqual([{ audit: [], ledger: [expect.anything(), expect.anything(), expect.anything()] }]);
    expect(await balance(accountId)).toBe(-300);
    expect(await storedIds(accountId)).toEqual([]);
  });

  it("survives an onError that throws", async () => {
    const accountId = await account();
    const store = steered();
    store.failures = 10;
    const records = writer({
      store,
      batchSize: 1,
      auditAttempts: 1,
      onError: () => {
        throw new Error("reporter down");
      },
    });
    records.audit(auditRecord(accountId));
    await expect(records.flush()).resolves.toBeUndefined();
    store.failures = 0;
    records.audit(auditRecord(accountId));
    await records.flush();
    expect(records.stats).toMatchObject({ auditWritten: 1, auditLost: 1 });
  });

  it("resolves flush() once everything queued before the call is written, also when it joins a batch in flight", async () => {
    const accountId = await account();
    const store = steered();
    store.hold();
    const records = writer({ store });
    for (let index = 0; index < 5; index += 1) records.ledger(charge(accountId, 10));
    const first = records.flush();
    await settle();
    for (let index = 0; index < 5; index += 1) records.ledger(charge(accountId, 100));
    const second = records.flush();
    store.release();
    await second;
    expect(records.stats).toMatchObject({ ledgerPending: 0, ledgerWritten: 10 });
    expect(await balance(accountId)).toBe(-550);
    await first;
  });

  it("flush() and close() return while requests keep arriving, once what was queued before them is written", async () => {
    const accountId = await account();
    const store = steered();
    const records = writer({ store, batchSize: 1000 });
    // Steady traffic: a new request's record and charge arrive during every write. Bounded, so that a
    // writer waiting for the traffic to pause before returning would end at the bound, and fail below.
    const bound = 200;
    let arrived = 0;
    store.onWrite = () => {
      if (arrived >= bound) return;
      arrived += 1;
      records.audit(auditRecord(accountId));
      records.ledger(charge(accountId, 1));
    };
    records.ledger(charge(accountId, 1));
    await records.flush();
    expect(arrived).toBeLessThan(bound);
    await records.close();
    expect(arrived).toBeLessThan(bound);
    arrived = bound; // the traffic stops
    await records.flush();
    const requests = store.batches.flatMap((batch) => batch.audit).length;
    expect(await storedIds(accountId)).toHaveLength(requests);
    expect(await balance(accountId)).toBe(-(requests + 1));
  }, 5_000);

  it("flushes on close, still writes what arrives after close, and stops waiting at close's deadline", async () => {
    const accountId = await account();
    const store = steered();
    const records = writer({ store });
    for (let index = 0; index < 3; index += 1) records.audit(auditRecord(accountId));
    await records.close();
    expect(records.stats.auditWritten).toBe(3);
    records.ledger(charge(accountId, 2));
    await store.batchesWritten(2); // at once, without a flush: there is no timer after close
    expect(await balance(accountId)).toBe(-2);

    const errors: unknown[] = [];
    const stuck = steered();
    stuck.failures = Number.POSITIVE_INFINITY;
    const failing = writer({ store: stuck, onError: (error) => errors.push(error) });
    failing.ledger(charge(accountId, 5));
    await failing.close(50);
    expect(failing.stats.ledgerPending).toBe(1);
    expect(String(errors.at(-1))).toContain("1 ledger row(s) and 0 audit record(s) were not written within 50 ms of close()");
    stuck.failures = 0;
    await failing.flush(); // still retried after close gave up waiting
    expect(await balance(accountId)).toBe(-7);
  });

  it("rejects nonsensical options at construction", () => {
    const store = opened.storage.records;
    expect(() => new RecordWriter({ store, maxQueue: 0 })).toThrow(/maxQueue/);
    expect(() => new RecordWriter({ store, batchSize: 1.5 })).toThrow(/batchSize/);
    expect(() => new RecordWriter({ store, flushIntervalMs: -1 })).toThrow(/flushIntervalMs/);
    expect(() => new RecordWriter({ store, retryDelaysMs: [] })).toThrow(/retryDelaysMs/);
    expect(() => new RecordWriter({ store, auditAttempts: 0 })).toThrow(/auditAttempts/);
  });

  it("costs the request path about a microsecond per call", async () => {
    const accountId = await account();
    const records = writer({ store: steered(), maxQueue: 200_000, batchSize: 1000 });
    const audit = Array.from({ length: 20_000 }, () => auditRecord(accountId));
    const ledger = Array.from({ length: 20_000 }, () => charge(accountId, 1));
    const started = performance.now();
    for (let index = 0; index < audit.length; index += 1) {
      records.audit(audit[index]!);
      records.ledger(ledger[index]!);
    }
    const microseconds = ((performance.now() - started) * 1000) / audit.length;
    await records.flush();
    expect(records.stats).toMatchObject({ auditWritten: 20_000, ledgerWritten: 20_000 });
    expect(microseconds).toBeLessThan(20);
    console.info(`[${target.name}] record writer: audit() + ledger() cost ${microseconds.toFixed(2)} µs per request`);
  });
});
