import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { managementEvent, newId, type AuditRecord, type LedgerEntry } from "@bentoo/core";
import { openStorage, type KyselyStorage } from "@bentoo/storage";
import { SqliteWriterThread } from "../src/sqlite/writer-thread.js";
import { AUDIT_COLUMNS, packAuditRecord, storedAuditValues } from "../src/repositories/audit-rows.js";
import { packLedgerEntry, unpackLedgerEntry } from "../src/sqlite/writer-protocol.js";

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

  const charge = (accountId: string, amountMicros: number): LedgerEntry => ({ id: newId("ledgerEntry"), accountId, kind: "charge", amountMicros: -amountMicros, requestId: newId("request"), estimated: false, createdAt: Date.now(), metadata: null });
  const grant = (accountId: string, amountMicros: number): LedgerEntry => ({ id: newId("ledgerEntry"), accountId, kind: "grant", amountMicros, requestId: null, estimated: false, createdAt: Date.now(), metadata: null });

  it("main-thread transactions that read before they write run alongside the thread's batches without SQLITE_BUSY", async () => {
    const storage = await open();
    const account = await storage.accounts.create({ email: "writer@example.com", passwordHash: null, plan: "pro" });
    const event = (): AuditRecord => managementEvent("credits.granted", { actor: "operator" }, { accountId: account.id, metadata: { amount_micros: 10 } }, Date.now());
    // Charges go to the thread (no events); grants with an event are Kysely transactions on the main connection,
    // and key creation reads, then writes, in one transaction.
    const work: Array<Promise<unknown>> = [];
    for (let round = 0; round < 40; round += 1) {
      work.push(storage.ledger.append(Array.from({ length: 50 }, () => charge(account.id, 1))));
      work.push(storage.ledger.append([grant(account.id, 10)], [event()]));
      work.push(storage.audit.insertMany(Array.from({ length: 50 }, () => event())));
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
    const entries = await storage.db.selectFrom("credit_ledger").select(({ fn }) => fn.countAll<number>().as("count")).executeTakeFirstOrThrow();
    expect(Number(entries.count)).toBe(40 * 51);
    const records = await storage.db.selectFrom("audit_log").select(({ fn }) => fn.countAll<number>().as("count")).executeTakeFirstOrThrow();
    expect(Number(records.count)).toBe(40 * 51);
  });

  it("records cross to the thread as arrays in column order and come back field for field", async () => {
    // Every field distinct and set, so a field packed into the wrong place cannot go unnoticed.
    const record: AuditRecord = {
      id: newId("event"), type: "request", event: "api.request", timestamp: 1_790_000_000_123, requestId: newId("request"), accountId: "acct_a", apiKeyId: "key_b",
      keyLast4: "c4d5", keyName: "name", model: "vendor/model", provider: "vendor", status: 402, errorCode: "insufficient_credits", promptTokens: 11, completionTokens: 22,
      totalTokens: 33, costMicros: 44, usageEstimated: true, sourceIp: "203.0.113.9", userAgent: "agent/1", latencyMs: 5.25, actor: "key:key_b", metadata: { path: "/v1/chat/completions" },
    };
    const stored = storedAuditValues(packAuditRecord(record));
    expect(Object.fromEntries(AUDIT_COLUMNS.map((column, index) => [column, stored[index]]))).toStrictEqual({
      id: record.id, type: "request", event: "api.request", timestamp: 1_790_000_000_123, request_id: record.requestId, account_id: "acct_a", api_key_id: "key_b",
      key_last4: "c4d5", key_name: "name", model: "vendor/model", provider: "vendor", status: 402, error_code: "insufficient_credits", prompt_tokens: 11, completion_tokens: 22,
      total_tokens: 33, cost_micros: 44, usage_estimated: 1, source_ip: "203.0.113.9", user_agent: "agent/1", latency_ms: 5.25, actor: "key:key_b", metadata: '{"path":"/v1/chat/completions"}',
    });
    const entry: LedgerEntry = { id: newId("ledgerEntry"), accountId: "acct_a", kind: "charge", amountMicros: -5, requestId: "req_x", estimated: true, createdAt: 1_790_000_000_456, metadata: { note: "n" } };
    expect(unpackLedgerEntry(packLedgerEntry(entry))).toStrictEqual(entry);

    const storage = await open();
    const account = await storage.accounts.create({ email: "packed@example.com", passwordHash: null, plan: "pro" });
    const written = { ...record, accountId: account.id };
    await storage.audit.insertMany([written]);
    expect((await storage.audit.query({ accountId: account.id, limit: 10 })).records).toStrictEqual([written]);
    await storage.ledger.append([{ ...entry, accountId: account.id }]);
    expect((await storage.accounts.get(account.id))?.balanceMicros).toBe(-5);
  });

  it("a batch sent again (its answer lost) moves no balance twice", async () => {
    const storage = await open();
    const account = await storage.accounts.create({ email: "again@example.com", passwordHash: null, plan: "pro" });
    const batch = [charge(account.id, 7), charge(account.id, 5)];
    await storage.ledger.append(batch);
    await storage.ledger.append(batch);
    expect((await storage.accounts.get(account.id))?.balanceMicros).toBe(-12);
  });

  it("after close, the thread refuses work and says it is not available; the process is not held open", async () => {
    const path = join(temporaryDirectory(), "bentoo.db");
    const storage = await openStorage(`sqlite:${path}`);
    cleanups.push(() => storage.close());
    const thread = await SqliteWriterThread.start(path);
    expect(thread).not.toBeNull();
    expect(thread!.available).toBe(true);
    const account = await storage.accounts.create({ email: "closed@example.com", passwordHash: null, plan: "pro" });
    await thread!.appendLedger([charge(account.id, 3)], Date.now());
    expect((await storage.accounts.get(account.id))?.balanceMicros).toBe(-3);
    await thread!.close();
    expect(thread!.available).toBe(false);
    await expect(thread!.appendLedger([charge(account.id, 3)], Date.now())).rejects.toThrow(/writer thread exited/);
    // The store falls back to the main connection when the thread is gone.
    expect((await storage.accounts.get(account.id))?.balanceMicros).toBe(-3);
  });

  it("close() keeps the process alive until the thread has ended, even with nothing else pending", () => {
    // As the --workers primary does: open, close, then carry on. An unreferenced thread let the process end inside close().
    const storageModule = new URL("../dist/index.js", import.meta.url).href;
    const script = `import { openStorage } from ${JSON.stringify(storageModule)};\nconst storage = await openStorage(process.env.DB_URL);\nawait storage.close();\nconsole.log("closed");`;
    const result = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8", timeout: 20_000, env: { ...process.env, DB_URL: `sqlite:${join(temporaryDirectory(), "bentoo.db")}` } });
    expect(result.stderr).toBe("");
    expect(result.stdout).toBe("closed\n");
  });

  it("fails to start with the reason when the file cannot be opened", async () => {
    const directory = temporaryDirectory();
    await expect(SqliteWriterThread.start(join(directory, "missing", "nested", "bentoo.db"))).rejects.toThrow(/could not open/);
  });
});
