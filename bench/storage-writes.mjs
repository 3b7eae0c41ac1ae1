#!/usr/bin/env node
// CPU per request of the storage work alone: one audit record and one ledger
// row per request, 500 of each per batch (one Storage.records.write), as the
// gateway writes them. By default into a fresh SQLite file through the writer
// thread (the process's CPU covers both threads: posting on the main one,
// inserting on the writer), or with --main-thread on the main connection;
// with --postgres, into a fresh database on that server, created and dropped
// (the CPU is this process's: building and sending the inserts; the server's
// own is not counted). "event loop" is the time the main thread was busy, which
// the gateway's requests would otherwise have had. Build first (npx tsc -b).
// A report, not a test.
// Usage: node bench/storage-writes.mjs [--batches 300] [--rounds 3] [--main-thread | --postgres [<admin url>]]
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { newId } from "@bentoo/core";
import { openStorage } from "@bentoo/storage";
import { defaultServiceUrls } from "./lib/options.mjs";
import { createBenchDatabase } from "./lib/services.mjs";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    batches: { type: "string", default: "300" },
    rounds: { type: "string", default: "3" },
    postgres: { type: "boolean", default: false },
    "main-thread": { type: "boolean", default: false },
  },
});
const batches = Number(values.batches);
const rounds = Number(values.rounds);
if (!Number.isInteger(batches) || batches < 1 || !Number.isInteger(rounds) || rounds < 1) {
  process.stderr.write("usage: node bench/storage-writes.mjs [--batches <n ≥ 1>] [--rounds <n ≥ 1>] [--main-thread | --postgres [<admin url>]]\n");
  process.exit(2);
}
const BATCH = 500;

/** CPU time all processes have used (Linux /proc/stat; 0 elsewhere): with --postgres the database server's work shows here. */
function machineBusyMicros() {
  try {
    const [, ...fields] = readFileSync("/proc/stat", "utf8").split("\n", 1)[0].trim().split(/\s+/).map(Number);
    const idle = fields[3] + fields[4];
    const total = fields.slice(0, 8).reduce((sum, value) => sum + value, 0);
    return ((total - idle) * 1e6) / 100;
  } catch {
    return 0;
  }
}

const database = values.postgres ? await createBenchDatabase(positionals[0] ?? defaultServiceUrls(process.env).postgresUrl) : null;
const directory = database === null ? mkdtempSync(join(tmpdir(), "bentoo-storage-writes-")) : null;
try {
  const writerThread = !values["main-thread"];
  const storage = await openStorage(database === null ? `sqlite:${join(directory, "writes.db")}` : database.url, { writerThread });
  console.log(
    database !== null
      ? `PostgreSQL, database ${database.name} (dropped afterwards)`
      : writerThread
        ? "SQLite, through the writer thread"
        : "SQLite, on the main thread",
  );
  const account = await storage.accounts.create({ email: "writes@bench.invalid", passwordHash: null, plan: "enterprise" });
  const keyId = newId("apiKey");
  // What the gateway records for a benchmark request (apps/gateway/src/audit/request-record.ts).
  const audit = (now) => ({
    id: newId("event", now),
    type: "request",
    event: "api.request",
    timestamp: now,
    requestId: newId("request", now),
    accountId: account.id,
    apiKeyId: keyId,
    keyLast4: "ab12",
    keyName: "bench",
    model: "fake/bench",
    provider: "fake",
    status: 200,
    errorCode: null,
    promptTokens: 26,
    completionTokens: 26,
    totalTokens: 52,
    cacheReadTokens: null,
    cacheWriteTokens: null,
    reasoningTokens: null,
    endpoint: null,
    costMicros: 78,
    usageEstimated: false,
    sourceIp: "127.0.0.1",
    userAgent: "autocannon",
    latencyMs: 1.234,
    actor: `key:${keyId}`,
    metadata: { method: "POST", path: "/v1/chat/completions" },
  });
  const charge = (now) => ({
    id: newId("ledgerEntry", now),
    accountId: account.id,
    kind: "charge",
    amountMicros: -78,
    requestId: newId("request", now),
    estimated: false,
    createdAt: now,
    metadata: null,
  });
  const write = async (count) => {
    for (let batch = 0; batch < count; batch++) {
      const now = Date.now();
      await storage.records.write({ audit: Array.from({ length: BATCH }, () => audit(now)), ledger: Array.from({ length: BATCH }, () => charge(now)) });
    }
  };
  await write(Math.min(40, batches)); // JIT, the statement cache and the file's first pages
  for (let round = 1; round <= rounds; round++) {
    const machineBefore = machineBusyMicros();
    const before = process.cpuUsage();
    const loopBefore = performance.eventLoopUtilization();
    const started = performance.now();
    await write(batches);
    const used = process.cpuUsage(before);
    const loop = performance.eventLoopUtilization(loopBefore);
    const requests = batches * BATCH;
    const machine = machineBusyMicros() - machineBefore;
    console.log(
      `round ${round}: ${((used.user + used.system) / requests).toFixed(2)} µs CPU per request (audit row + ledger row), ${((loop.active * 1000) / requests).toFixed(2)} µs of it on the event loop, ` +
        `${(machine / requests).toFixed(2)} µs for the whole machine, ${(requests / ((performance.now() - started) / 1000)).toFixed(0)} requests/s`,
    );
  }
  await storage.close();
} finally {
  if (directory !== null) rmSync(directory, { recursive: true, force: true });
  await database?.drop();
}
