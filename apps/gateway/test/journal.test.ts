import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { type AuditRecord, type LedgerEntry, newId } from "@bentoo/core";
import { parseConfig } from "@bentoo/gateway";
import { afterAll, describe, expect, it } from "vitest";
import { createTestApp } from "./helpers.js";

describe("BENTOO_JOURNAL_DIR", () => {
  it("defaults to a directory next to the SQLite file, named after it, or ./data/journal", () => {
    expect(parseConfig({ BENTOO_DATABASE_URL: "sqlite:/var/lib/bentoo/bentoo.db" }).journalDir).toBe("/var/lib/bentoo/bentoo-journal");
    expect(parseConfig({ BENTOO_DATABASE_URL: "sqlite:/var/lib/bentoo/other.sqlite" }).journalDir).toBe("/var/lib/bentoo/other-journal");
    expect(parseConfig({}).journalDir).toBe(join("data", "bentoo-journal"));
    expect(parseConfig({ BENTOO_DATABASE_URL: "sqlite::memory:" }).journalDir).toBe(join("data", "journal"));
    expect(parseConfig({ BENTOO_DATABASE_URL: "postgres://db.internal/bentoo" }).journalDir).toBe(join("data", "journal"));
    expect(parseConfig({ BENTOO_DATABASE_URL: "postgres://db.internal/bentoo", BENTOO_JOURNAL_DIR: "/mnt/journal" }).journalDir).toBe("/mnt/journal");
  });
});

/** What the gateway does with a journal a killed process left, before it serves. */
describe("start-up on a journal a killed process left", () => {
  const directory = mkdtempSync(join(tmpdir(), "bentoo-gateway-journal-"));
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  it("writes its records and charges to the database once, then deletes it", async () => {
    const journal = join(directory, "left");
    // A first app only to create the account the dead process was serving.
    const first = await createTestApp({ env: { BENTOO_JOURNAL_DIR: join(directory, "first") } });
    const { account } = await first.seedAccount({ mode: "live", balanceMicros: 10_000 });
    const requestId = newId("request");
    const record: AuditRecord = {
      id: newId("event"),
      type: "request",
      event: "api.request",
      timestamp: first.clock.now(),
      requestId,
      accountId: account.id,
      apiKeyId: null,
      keyLast4: null,
      keyName: null,
      model: "fake/chat",
      provider: "fake",
      status: 200,
      errorCode: null,
      promptTokens: 3,
      completionTokens: 4,
      totalTokens: 7,
      cacheReadTokens: null,
      cacheWriteTokens: null,
      reasoningTokens: null,
      endpoint: null,
      costMicros: 700,
      usageEstimated: false,
      sourceIp: "192.0.2.7",
      userAgent: "journal-test",
      latencyMs: 3,
      actor: null,
      metadata: null,
    };
    const charge: LedgerEntry = {
      id: newId("ledgerEntry"),
      accountId: account.id,
      kind: "charge",
      amountMicros: -700,
      requestId,
      estimated: false,
      createdAt: first.clock.now(),
      metadata: null,
    };
    mkdirSync(journal, { recursive: true });
    // The dead process's lock (a pid that cannot be alive) and its segment, the last line torn.
    writeFileSync(join(journal, "lock"), JSON.stringify({ pid: 2 ** 22 + 1, host: hostname(), owner: "deadbeef" }));
    writeFileSync(join(journal, "segment-000000000003.jsonl"), `l${JSON.stringify(charge)}\na${JSON.stringify(record)}\na{"id":"evt_torn`);

    const second = await createTestApp({ shareStorageWith: first, env: { BENTOO_JOURNAL_DIR: journal } });
    try {
      const stored = await second.services.storage.audit.query({ accountId: account.id, limit: 10 });
      expect(stored.records.filter((row) => row.type === "request")).toEqual([expect.objectContaining({ requestId, status: 200, costMicros: 700 })]);
      expect((await second.services.storage.accounts.get(account.id))?.balanceMicros).toBe(9_300);
      expect(await second.services.admission.available(account.id)).toBe(9_300);
      expect(readdirSync(journal).filter((name) => name.startsWith("segment-"))).toEqual(["segment-000000000004.jsonl"]);
      expect(second.logs.text()).toContain("replayed the record journal of a process that stopped without flushing it");
      expect(second.logs.text()).toContain("skipped journal lines that did not read back");
    } finally {
      await second.dispose();
      await first.dispose();
    }
  });

  it("refuses to start on a journal another live process holds, naming the variable", async () => {
    const journal = join(directory, "busy");
    mkdirSync(journal, { recursive: true });
    writeFileSync(join(journal, "lock"), JSON.stringify({ pid: process.ppid, host: hostname(), owner: "alive" }));
    await expect(createTestApp({ env: { BENTOO_JOURNAL_DIR: journal } })).rejects.toThrow(/in use by process \d+ .*BENTOO_JOURNAL_DIR/);
  });
});
