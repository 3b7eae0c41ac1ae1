import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { newId, type AuditRecord, type AuditStore } from "@bentoo/core";
import { storageTargets, type OpenedStorage } from "@bentoo/test-kit";
import { AuditQueueFullError, AuditWriter } from "../src/audit/audit-writer.js";

function auditRecord(overrides: Partial<AuditRecord> = {}): AuditRecord {
  return {
    id: newId("event"),
    type: "request",
    event: "api.request",
    timestamp: Date.now(),
    requestId: newId("request"),
    accountId: "acct_writerwriterwriter1",
    apiKeyId: "key_writerwriterwriter01",
    keyLast4: "Wr1t",
    keyName: "writer",
    model: "gpt-4o-mini",
    provider: "openai",
    status: 200,
    errorCode: null,
    promptTokens: 1,
    completionTokens: 2,
    totalTokens: 3,
    costMicros: 4,
    usageEstimated: false,
    sourceIp: "192.0.2.1",
    userAgent: "vitest",
    latencyMs: 5,
    actor: null,
    metadata: null,
    ...overrides,
  };
}

const heldStores = new Set<FakeAuditStore>();

/**
 * An in-process double of the AuditStore port: records every batch, can be
 * held (a slow database), and can fail a given number of attempts.
 */
class FakeAuditStore implements Pick<AuditStore, "insertMany"> {
  readonly batches: AuditRecord[][] = [];
  attempts = 0;
  concurrent = 0;
  maxConcurrent = 0;
  failures = 0;
  private gate: Promise<void> | null = null;
  private openGate: (() => void) | null = null;

  hold(): void {
    heldStores.add(this);
    this.gate = new Promise((resolve) => (this.openGate = resolve));
  }
  release(): void {
    this.openGate?.();
    this.gate = null;
  }

  async insertMany(records: readonly AuditRecord[]): Promise<void> {
    this.attempts += 1;
    this.concurrent += 1;
    this.maxConcurrent = Math.max(this.maxConcurrent, this.concurrent);
    try {
      if (this.gate !== null) await this.gate;
      if (this.failures > 0) {
        this.failures -= 1;
        throw new Error("connection reset");
      }
      this.batches.push([...records]);
    } finally {
      this.concurrent -= 1;
    }
  }

  get written(): number {
    return this.batches.reduce((sum, batch) => sum + batch.length, 0);
  }
}

const settle = () => new Promise((resolve) => setImmediate(resolve));
const writers: AuditWriter[] = [];
function writer(options: ConstructorParameters<typeof AuditWriter>[0]): AuditWriter {
  const created = new AuditWriter({ retryDelaysMs: [1, 1], ...options });
  writers.push(created);
  return created;
}
afterAll(async () => {
  // Release any store a failed test left held, or close() would wait for it.
  for (const store of heldStores) store.release();
  await Promise.all(writers.map((created) => created.close()));
});

describe("audit writer", () => {
  it("returns from record() at once while the store is slow, with one batch in flight", async () => {
    const store = new FakeAuditStore();
    store.hold();
    const audit = writer({ store, batchSize: 500, flushIntervalMs: 10 });
    const records = Array.from({ length: 2000 }, () => auditRecord());
    const started = performance.now();
    for (const record of records) audit.record(record);
    const elapsed = performance.now() - started;
    expect(elapsed).toBeLessThan(50);
    await settle();
    expect(store.attempts).toBe(1); // the first batch is held; the rest wait their turn
    expect(audit.stats).toMatchObject({ queued: 2000, written: 0, dropped: 0 });
    store.release();
    await audit.flush();
    expect(store.batches.map((batch) => batch.length)).toEqual([500, 500, 500, 500]);
    expect(store.maxConcurrent).toBe(1);
    expect(audit.stats).toMatchObject({ queued: 0, written: 2000, dropped: 0, lost: 0, failedBatches: 0 });
  });

  it("writes a full batch at once and a partial one only when the interval or a flush asks", async () => {
    const store = new FakeAuditStore();
    const audit = writer({ store, batchSize: 10, flushIntervalMs: 60_000 });
    const records = Array.from({ length: 25 }, () => auditRecord());
    for (const record of records) audit.record(record);
    await vi.waitFor(() => expect(store.batches.map((batch) => batch.length)).toEqual([10, 10]));
    await settle();
    expect(store.batches).toHaveLength(2);
    expect(audit.stats.queued).toBe(5);
    await audit.flush();
    expect(store.batches.map((batch) => batch.length)).toEqual([10, 10, 5]);
    expect(store.batches.flat().map((record) => record.id)).toEqual(records.map((record) => record.id)); // in order
  });

  it("writes a partial batch after flushIntervalMs", async () => {
    const store = new FakeAuditStore();
    const audit = writer({ store, batchSize: 500, flushIntervalMs: 25 });
    audit.record(auditRecord());
    audit.record(auditRecord());
    audit.record(auditRecord());
    await settle();
    expect(store.batches).toHaveLength(0);
    await vi.waitFor(() => expect(store.batches.map((batch) => batch.length)).toEqual([3]), { timeout: 1000 });
    expect(audit.stats).toMatchObject({ queued: 0, written: 3 });
  });

  it("drops what does not fit a full queue while a batch is in flight, counts it and reports it", async () => {
    const store = new FakeAuditStore();
    const errors: Array<[unknown, number]> = [];
    store.hold();
    const audit = writer({ store, maxQueue: 100, batchSize: 50, flushIntervalMs: 60_000, onError: (error, lost) => errors.push([error, lost]) });
    for (let index = 0; index < 50; index += 1) audit.record(auditRecord()); // the batch in flight, held
    await settle();
    for (let index = 0; index < 110; index += 1) audit.record(auditRecord()); // 100 fit the queue, 10 do not
    expect(audit.stats).toMatchObject({ queued: 150, dropped: 10 });
    store.release();
    await audit.flush();
    expect(audit.stats).toMatchObject({ queued: 0, written: 150, dropped: 10, lost: 0 });
    expect(errors).toHaveLength(1);
    const [error, lost] = errors[0] ?? [];
    expect(error).toBeInstanceOf(AuditQueueFullError);
    expect(lost).toBe(10);
    expect((error as AuditQueueFullError).message).toContain("10 audit record(s) dropped");
  });

  it("makes room in a full queue by flushing at once when no batch is in flight", async () => {
    const store = new FakeAuditStore();
    const onError = vi.fn();
    const audit = writer({ store, maxQueue: 5, batchSize: 500, flushIntervalMs: 60_000, onError });
    for (let index = 0; index < 11; index += 1) audit.record(auditRecord());
    // 5 queued; the 6th finds the queue full, starts a flush of those 5 and fits; the 7th..10th
    // refill the queue while that batch is in flight, and the 11th finds it full with nothing to take.
    expect(audit.stats.dropped).toBe(1);
    await audit.flush();
    expect(audit.stats).toMatchObject({ written: 10, dropped: 1 });
    expect(onError).toHaveBeenCalledOnce();
  });

  it("retries a failed insert and loses nothing when a retry succeeds", async () => {
    const store = new FakeAuditStore();
    const onError = vi.fn();
    const audit = writer({ store, batchSize: 500, flushIntervalMs: 60_000, retryDelaysMs: [5, 5], onError });
    store.failures = 2;
    const records = Array.from({ length: 7 }, () => auditRecord());
    for (const record of records) audit.record(record);
    await audit.flush();
    expect(store.attempts).toBe(3);
    expect(store.batches).toEqual([records]);
    expect(audit.stats).toMatchObject({ written: 7, lost: 0, failedBatches: 0 });
    expect(onError).not.toHaveBeenCalled();
  });

  it("reports a batch that fails every attempt as lost and carries on with the next", async () => {
    const store = new FakeAuditStore();
    const errors: Array<[unknown, number]> = [];
    const audit = writer({ store, batchSize: 4, flushIntervalMs: 60_000, onError: (error, lost) => errors.push([error, lost]) });
    store.failures = 3;
    for (let index = 0; index < 6; index += 1) audit.record(auditRecord());
    await audit.flush();
    expect(errors).toHaveLength(1);
    expect(errors[0]?.[1]).toBe(4);
    expect((errors[0]?.[0] as Error).message).toBe("connection reset");
    expect(audit.stats).toMatchObject({ queued: 0, written: 2, lost: 4, failedBatches: 1 });
  });

  it("survives an onError that throws", async () => {
    const store = new FakeAuditStore();
    store.failures = 10;
    const audit = writer({
      store,
      batchSize: 1,
      flushIntervalMs: 60_000,
      onError: () => {
        throw new Error("reporter down");
      },
    });
    audit.record(auditRecord());
    await expect(audit.flush()).resolves.toBeUndefined();
    store.failures = 0;
    audit.record(auditRecord());
    await audit.flush();
    expect(audit.stats).toMatchObject({ written: 1, lost: 1 });
  });

  it("flushes on close, and still writes a record that arrives after close", async () => {
    const store = new FakeAuditStore();
    const audit = writer({ store, batchSize: 500, flushIntervalMs: 60_000 });
    for (let index = 0; index < 3; index += 1) audit.record(auditRecord());
    await audit.close();
    expect(store.written).toBe(3);
    audit.record(auditRecord());
    await vi.waitFor(() => expect(store.written).toBe(4));
    await audit.close();
    expect(audit.stats).toMatchObject({ queued: 0, written: 4, dropped: 0 });
  });

  it("rejects nonsensical options at construction", () => {
    const store = new FakeAuditStore();
    expect(() => new AuditWriter({ store, maxQueue: 0 })).toThrow(/maxQueue/);
    expect(() => new AuditWriter({ store, batchSize: 1.5 })).toThrow(/batchSize/);
    expect(() => new AuditWriter({ store, flushIntervalMs: -1 })).toThrow(/flushIntervalMs/);
  });

  it("costs the request path about a microsecond per record", async () => {
    const store = new FakeAuditStore();
    const audit = writer({ store, maxQueue: 200_000 });
    const records = Array.from({ length: 50_000 }, () => auditRecord());
    const started = performance.now();
    for (const record of records) audit.record(record);
    const microseconds = ((performance.now() - started) * 1000) / records.length;
    await audit.flush();
    expect(store.written).toBe(50_000);
    expect(microseconds).toBeLessThan(20);
    console.info(`audit writer: record() costs ${microseconds.toFixed(2)} µs per call`);
  });
});

describe.each(storageTargets())("audit writer over the real store on $name", (target) => {
  let opened: OpenedStorage;
  beforeAll(async () => {
    opened = await target.open();
  });
  afterAll(async () => {
    await opened?.dispose();
  });

  it("writes every record of interleaved traffic by close(), in batches", async () => {
    const accountId = newId("account");
    const audit = new AuditWriter({ store: opened.storage.audit, batchSize: 100, flushIntervalMs: 20 });
    const recorded: string[] = [];
    await Promise.all(
      Array.from({ length: 20 }, async (_, worker) => {
        for (let index = 0; index < 60; index += 1) {
          const record = auditRecord({ accountId, timestamp: 1_700_000_000_000 + worker * 1000 + index });
          recorded.push(record.id);
          audit.record(record);
          if (index % 7 === 0) await new Promise((resolve) => setTimeout(resolve, 1));
        }
      }),
    );
    await audit.close();
    expect(audit.stats).toMatchObject({ queued: 0, written: 1200, dropped: 0, lost: 0 });
    const stored: string[] = [];
    for await (const record of opened.storage.audit.iterate({ accountId })) stored.push(record.id);
    expect(stored.sort()).toEqual(recorded.sort());
  });
});
