import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pino } from "pino";
import { newId, type LedgerEntry } from "@bentoo/core";
import { storageTargets, type OpenedStorage } from "@bentoo/test-kit";
import { LedgerWriter } from "../src/credits/ledger-writer.js";

const silent = pino({ level: "silent" });

function charge(accountId: string, amountMicros: number): LedgerEntry {
  const at = Date.now();
  return { id: newId("ledgerEntry", at), accountId, kind: "charge", amountMicros: -amountMicros, requestId: newId("request", at), estimated: false, createdAt: at, metadata: null };
}

describe.each(storageTargets())("ledger writer over the real store on $name", (target) => {
  let opened: OpenedStorage;
  beforeAll(async () => {
    opened = await target.open();
  });
  afterAll(async () => {
    await opened?.dispose();
  });

  async function account(): Promise<string> {
    return (await opened.storage.accounts.create({ email: `${newId("account")}@example.com`, passwordHash: null, plan: "free" }))!.id;
  }

  /** The real store, counting the batches that reach it. */
  function countingStore() {
    const batches: number[] = [];
    return {
      batches,
      append: (entries: readonly LedgerEntry[]) => {
        batches.push(entries.length);
        return opened.storage.ledger.append(entries);
      },
    };
  }

  it("writes steady traffic in one batch per flush, not one per round trip to the database", async () => {
    const accountId = await account();
    const store = countingStore();
    const writer = new LedgerWriter(store, silent, { batchSize: 1000, flushIntervalMs: 50 });
    // A row every millisecond for 400 ms: a flush that drained until the queue was empty never ended,
    // and sent whatever had arrived during each insert as a batch of its own.
    const deadline = Date.now() + 400;
    let rows = 0;
    while (Date.now() < deadline) {
      writer.append(charge(accountId, 1));
      rows += 1;
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    await writer.close();
    expect(writer.pending).toBe(0);
    expect(store.batches.reduce((sum, size) => sum + size, 0)).toBe(rows);
    // About 400 / 50 timer flushes, plus close(); never a batch per row or per insert.
    expect(store.batches.length).toBeLessThanOrEqual(12);
    expect(await opened.storage.ledger.sum(accountId)).toBe(-rows);
    expect((await opened.storage.accounts.get(accountId))?.balanceMicros).toBe(-rows);
  });

  it("resolves flush() once every row appended before the call is written, also when it joins a flush in flight", async () => {
    const accountId = await account();
    const writer = new LedgerWriter(opened.storage.ledger, silent, { batchSize: 1000, flushIntervalMs: 60_000 });
    for (let index = 0; index < 5; index += 1) writer.append(charge(accountId, 10));
    const first = writer.flush();
    for (let index = 0; index < 5; index += 1) writer.append(charge(accountId, 100));
    const second = writer.flush();
    await second;
    expect(writer.pending).toBe(0);
    expect(writer.written).toBe(10);
    expect(await opened.storage.ledger.sum(accountId)).toBe(-550);
    await first;
    await writer.close();
  });
});
