#!/usr/bin/env node
// What the record journal costs on the request path: the time RecordWriter.audit()
// and .ledger() take for one request's audit record and ledger row, without a
// journal and with one (a temporary directory), in alternating rounds. The store
// does nothing, and the batches it is given are flushed between rounds, untimed:
// only the calls a request makes are timed. Build first (npx tsc -b). A report,
// not a test.
// Usage: node bench/journal-append.mjs [--requests 20000] [--rounds 6]
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { newId } from "@bentoo/core";
import { RecordJournal, RecordWriter } from "@bentoo/storage";

const { values } = parseArgs({ options: { requests: { type: "string", default: "20000" }, rounds: { type: "string", default: "6" } } });
const requests = Number(values.requests);
const rounds = Number(values.rounds);
if (!Number.isInteger(requests) || requests < 1 || !Number.isInteger(rounds) || rounds < 1) {
  process.stderr.write("usage: node bench/journal-append.mjs [--requests <n ≥ 1>] [--rounds <n ≥ 1>]\n");
  process.exit(2);
}
/** Requests per untimed flush: below the writer's 50,000-record queue bound. */
const CHUNK = 2_000;

/** A request's audit record and charge, shaped as the gateway makes them. */
function requestRecords(accountId) {
  const at = Date.now();
  const requestId = newId("request", at);
  return {
    audit: {
      id: newId("event", at),
      type: "request",
      event: "api.request",
      timestamp: at,
      requestId,
      accountId,
      apiKeyId: "key_benchbenchbenchbench01",
      keyLast4: "b3nc",
      keyName: "bench",
      model: "fake/bench-model",
      provider: "fake",
      status: 200,
      errorCode: null,
      promptTokens: 20,
      completionTokens: 64,
      totalTokens: 84,
      cacheReadTokens: null,
      cacheWriteTokens: null,
      reasoningTokens: null,
      endpoint: null,
      costMicros: 148,
      usageEstimated: false,
      sourceIp: "127.0.0.1",
      userAgent: "autocannon",
      latencyMs: 1.234,
      actor: "key:key_benchbenchbenchbench01",
      metadata: { method: "POST", path: "/v1/chat/completions" },
    },
    ledger: { id: newId("ledgerEntry", at), accountId, kind: "charge", amountMicros: -148, requestId, estimated: false, createdAt: at, metadata: null },
  };
}

/** Nanoseconds per request spent in audit() + ledger(). */
async function measure(journal) {
  const writer = new RecordWriter({ store: { write: async () => ({ ledgerInserted: [] }) }, journal, flushIntervalMs: 60_000, batchSize: CHUNK });
  const accountId = newId("account");
  let spent = 0n;
  for (let done = 0; done < requests; done += CHUNK) {
    const chunk = Array.from({ length: Math.min(CHUNK, requests - done) }, () => requestRecords(accountId));
    const started = process.hrtime.bigint();
    // In the gateway's order: a request's charge, then its record.
    for (const { audit, ledger } of chunk) {
      writer.ledger(ledger);
      writer.audit(audit);
    }
    spent += process.hrtime.bigint() - started;
    await writer.flush();
  }
  await writer.close();
  return Number(spent) / requests;
}

const directory = mkdtempSync(join(tmpdir(), "bentoo-journal-bench-"));
try {
  await measure(undefined); // warm-up
  const results = { without: [], with: [] };
  for (let round = 0; round < rounds; round += 1) {
    const order = round % 2 === 0 ? ["without", "with"] : ["with", "without"];
    for (const kind of order) {
      const journal = kind === "with" ? await RecordJournal.open(join(directory, `round-${round}`), { owner: "bench" }) : undefined;
      results[kind].push(await measure(journal));
    }
    process.stdout.write(
      `round ${round + 1}: without ${(results.without.at(-1) / 1000).toFixed(2)} µs, with ${(results.with.at(-1) / 1000).toFixed(2)} µs per request\n`,
    );
  }
  const median = (list) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)];
  const without = median(results.without) / 1000;
  const withJournal = median(results.with) / 1000;
  process.stdout.write(
    `median per request (an audit record and a ledger row): without ${without.toFixed(2)} µs, with the journal ${withJournal.toFixed(2)} µs; the journal adds ${(withJournal - without).toFixed(2)} µs (${((withJournal - without) / 2).toFixed(2)} µs per entry)\n`,
  );
} finally {
  rmSync(directory, { recursive: true, force: true });
}
