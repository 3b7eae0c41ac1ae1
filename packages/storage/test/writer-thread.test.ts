import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type AuditRecord, type LedgerEntry, managementEvent, newId } from "@bentoo/core";
import { type KyselyStorage, openStorage } from "@bentoo/storage";
import { afterEach, describe, expect, it } from "vitest";
import { SqliteWriterThread } from "../src/sqlite/writer-thread.js";

/** The embedded mode's writer thread: its own connection, sharing the file with the main one. */
describe("SQLite writer thread", () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  function temporaryDirectory(): string {
    const directory = mkdtempSync(join(tmpdir(), "bentoo-writer-"));
    cleanups.push(() => rmSync(directory, { recursive: true, force: true }));
    return directory;
  }

  async function open(): Promise<KyselyStorage> {
    const storage = await openStorage(`sqlite:${join(temporaryDirectory(), "bentoo.db")}`);
    cleanups.push(() => storage.close());
    return storage;
  }

  const charge = (accountId: string, amountMicros: number): LedgerEntry => ({
    id: newId("ledgerEntry"),
    accountId,
    kind: "charge",
    amountMicros: -amountMicros,
    requestId: newId("request"),
    estimated: false,
    createdAt: Date.now(),
    metadata: null,
  });
  const grant = (accountId: string, amountMicros: number): LedgerEntry => ({
    id: newId("ledgerEntry"),
    accountId,
    kind: "grant",
    amountMicros,
    requestId: null,
    estimated: false,
    createdAt: Date.now(),
    metadata: null,
  });

  it("main-thread transactions that read before they write run alongside the thread's batches without SQLITE_BUSY", async () => {
    const storage = await open();
    const account = await storage.accounts.create({ email: "writer@example.com", passwordHash: null, plan: "pro" });
    const event = (): AuditRecord => managementEvent("account.limits_changed", { actor: "operator" }, { accountId: account.id }, Date.now());
    // Record batches go to the thread; an account update writes its event in a transaction on the main
    // connection, and the last transaction reads, then writes.
    const work: Array<Promise<unknown>> = [];
    for (let round = 0; round < 40; round += 1) {
      work.push(
        storage.records.write({
          audit: Array.from({ length: 50 }, () => event()),
          ledger: [...Array.from({ length: 50 }, () => charge(account.id, 1)), grant(account.id, 10)],
        }),
      );
      work.push(storage.accounts.update(account.id, { rpmLimit: round + 1 }, [event()]));
      work.push(
        storage.db.transaction().execute(async (trx) => {
          const { plan } = await trx.selectFrom("accounts").select("plan").where("id", "=", account.id).executeTakeFirstOrThrow();
          await new Promise((resolve) => setTimeout(resolve, 1)); // the thread commits meanwhile
          await trx.updateTable("accounts").set({ plan, updated_at: Date.now() }).where("id", "=", account.id).execute();
        }),
      );
    }
    await Promise.all(work);
    expect((await storage.accounts.get(account.id))?.balanceMicros).toBe(40 * 10 - 40 * 50);
    const entries = await storage.db
      .selectFrom("credit_ledger")
      .select(({ fn }) => fn.countAll<number>().as("count"))
      .executeTakeFirstOrThrow();
    expect(Number(entries.count)).toBe(40 * 51);
    const records = await storage.db
      .selectFrom("audit_log")
      .select(({ fn }) => fn.countAll<number>().as("count"))
      .executeTakeFirstOrThrow();
    expect(Number(records.count)).toBe(40 * 51);
  });

  it("a batch written on the thread comes back field for field", async () => {
    const storage = await open();
    const account = await storage.accounts.create({ email: "fields@example.com", passwordHash: null, plan: "pro" });
    // Every field distinct and set, so a field stored in the wrong column cannot go unnoticed.
    const record: AuditRecord = {
      id: newId("event"),
      type: "request",
      event: "api.request",
      timestamp: 1_790_000_000_123,
      requestId: newId("request"),
      accountId: account.id,
      apiKeyId: "key_b",
      keyLast4: "c4d5",
      keyName: "name",
      model: "vendor/model",
      provider: "vendor",
      status: 402,
      errorCode: "insufficient_credits",
      promptTokens: 11,
      completionTokens: 22,
      totalTokens: 33,
      cacheReadTokens: null,
      cacheWriteTokens: null,
      reasoningTokens: null,
      endpoint: null,
      costMicros: 44,
      usageEstimated: true,
      sourceIp: "203.0.113.9",
      userAgent: "agent/1",
      latencyMs: 5.25,
      actor: "key:key_b",
      metadata: { path: "/v1/chat/completions" },
    };
    const entry: LedgerEntry = {
      id: newId("ledgerEntry"),
      accountId: account.id,
      kind: "charge",
      amountMicros: -5,
      requestId: "req_x",
      estimated: true,
      createdAt: 1_790_000_000_456,
      metadata: { note: "n" },
    };
    await storage.records.write({ audit: [record], ledger: [entry] });
    expect((await storage.audit.query({ accountId: account.id, limit: 10 })).records).toStrictEqual([record]);
    expect(await storage.ledger.list(account.id, { limit: 10 })).toStrictEqual([entry]);
    expect((await storage.accounts.get(account.id))?.balanceMicros).toBe(-5);
  });

  it("without the thread (an in-memory database, or writerThread: false) batches are written on the main connection", async () => {
    for (const storage of [
      await openStorage("sqlite::memory:"),
      await openStorage(`sqlite:${join(temporaryDirectory(), "bentoo.db")}`, { writerThread: false }),
    ]) {
      cleanups.push(() => storage.close());
      const account = await storage.accounts.create({ email: "main@example.com", passwordHash: null, plan: "pro" });
      const batch = {
        audit: [managementEvent("credits.granted", { actor: "operator" }, { accountId: account.id }, Date.now())],
        ledger: [grant(account.id, 25), charge(account.id, 5)],
      };
      await Promise.all([storage.records.write(batch), storage.records.write(batch), storage.accounts.update(account.id, { plan: "free" }, [])]);
      expect((await storage.accounts.get(account.id))?.balanceMicros).toBe(20);
      expect((await storage.audit.query({ accountId: account.id, limit: 10 })).records).toHaveLength(1);
    }
  });

  it("after close, the thread refuses work and says it is not available; the process is not held open", async () => {
    const path = join(temporaryDirectory(), "bentoo.db");
    const storage = await openStorage(`sqlite:${path}`);
    cleanups.push(() => storage.close());
    const thread = await SqliteWriterThread.start(path);
    expect(thread).not.toBeNull();
    expect(thread!.available).toBe(true);
    const account = await storage.accounts.create({ email: "closed@example.com", passwordHash: null, plan: "pro" });
    await thread!.write({ audit: [], ledger: [charge(account.id, 3)] }, Date.now());
    expect((await storage.accounts.get(account.id))?.balanceMicros).toBe(-3);
    await thread!.close();
    expect(thread!.available).toBe(false);
    await expect(thread!.write({ audit: [], ledger: [charge(account.id, 3)] }, Date.now())).rejects.toThrow(/writer thread exited/);
    expect((await storage.accounts.get(account.id))?.balanceMicros).toBe(-3);
  });

  it("close() keeps the process alive until the thread has ended, even with nothing else pending", () => {
    // As the --workers primary does: open, close, then carry on. An unreferenced thread let the process end inside close().
    const storageModule = new URL("../dist/index.js", import.meta.url).href;
    const script = `import { openStorage } from ${JSON.stringify(storageModule)};\nconst storage = await openStorage(process.env.DB_URL);\nawait storage.close();\nconsole.log("closed");`;
    const result = spawnSync(process.execPath, ["--input-type=module", "-e", script], {
      encoding: "utf8",
      timeout: 20_000,
      env: { ...process.env, DB_URL: `sqlite:${join(temporaryDirectory(), "bentoo.db")}` },
    });
    expect(result.stderr).toBe("");
    expect(result.stdout).toBe("closed\n");
  });

  it("fails to start with the reason when the file cannot be opened", async () => {
    const directory = temporaryDirectory();
    await expect(SqliteWriterThread.start(join(directory, "missing", "nested", "bentoo.db"))).rejects.toThrow(/could not open/);
  });
});
