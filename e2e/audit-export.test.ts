import { AUDIT_CSV_COLUMNS, type AuditRecord, newId } from "@bentoo/core";
import { storageTargets } from "@bentoo/test-kit";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CsvStreamParser, findSecrets, forEachTextChunk, KEY_MATERIAL, lineSplitter, mb } from "../apps/gateway/test/audit-helpers.js";
import { createTestApp, type TestApp } from "../apps/gateway/test/helpers.js";

/**
 * An export of 100,000 records streams as JSONL and CSV with memory staying
 * bounded (RSS growth is measured), and CSV escapes commas, quotes and
 * newlines. The app listens on a real port in this process, so the RSS
 * measured is the server's (plus this client, which never holds the body).
 */

/** An exported JSONL line: the members these tests order and filter by, and the rest as sent. */
type ExportedLine = Record<string, unknown> & { id: string; account_id: string | null; timestamp: string };

const DAY = 24 * 3600 * 1000;
const COUNT = 100_000;
const BATCH = 1000;
/** Records of another account in each batch (5,000 in all). */
const OTHER_PER_BATCH = 50;
/** RSS the server may grow by while streaming a whole export. */
const RSS_BUDGET = 150 * 1024 * 1024;

const MODELS = ["openai/gpt-6-luna", "openai/gpt-6.2-sol", "anthropic/claude-haiku-5.5", "fake/chat"];

describe.each(storageTargets())("export of 100,000 audit records on $name", (target) => {
  let t: TestApp;
  let baseUrl: string;
  let accountId: string;
  let key: string;
  let start: number;
  let end: number;
  /** Records of the account in [start, end), counted with SQL of its own. */
  let expected: number;
  const specials: AuditRecord[] = [];
  const secrets = new Set<string>();

  beforeAll(async () => {
    t = await createTestApp({ target });
    await t.app.listen({ host: "127.0.0.1", port: 0 });
    const address = t.app.server.address();
    baseUrl = `http://127.0.0.1:${typeof address === "object" && address !== null ? address.port : 0}`;
    const seed = await t.seedAccount({ mode: "test" });
    accountId = seed.account.id;
    key = seed.key;
    secrets.add(key);
    const other = await t.seedAccount({ mode: "test" });
    secrets.add(other.key);

    // Real traffic with the key (its records are part of the export): the export must not carry the key.
    for (let index = 0; index < 5; index += 1) {
      const models = await fetch(`${baseUrl}/v1/models`, { headers: { authorization: `Bearer ${key}`, "user-agent": "export-test" } });
      expect(models.status).toBe(200);
      await models.arrayBuffer();
      const chat = await fetch(`${baseUrl}/v1/chat/completions`, {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json", cookie: "bentoo_session=not-a-real-session-0123456789" },
        body: JSON.stringify({ model: "openai/gpt-6-luna", messages: [{ role: "user", content: "hi" }], max_tokens: 5 }),
      });
      expect(chat.status).toBe(200);
      await chat.arrayBuffer();
    }
    secrets.add("not-a-real-session-0123456789");
    await t.services.records.flush();

    // A month of history, 100,000 records, written in batches as the writer would; the app's clock
    // moves past the traffic first, so that the traffic is inside the range that ends "now".
    const now = t.clock.advance(1);
    start = now - 30 * DAY;
    const spread = 30 * DAY - 60_000;
    const seedStarted = performance.now();
    for (let offset = 0; offset < COUNT; offset += BATCH) {
      const batch: AuditRecord[] = [];
      for (let index = offset; index < Math.min(COUNT, offset + BATCH); index += 1) {
        const status = index % 17 === 0 ? 429 : index % 23 === 0 ? 502 : 200;
        batch.push({
          id: newId("event"),
          type: "request",
          event: "api.request",
          timestamp: start + Math.floor((index * spread) / COUNT),
          requestId: newId("request"),
          accountId,
          apiKeyId: seed.keyId,
          keyLast4: key.slice(-4),
          keyName: index % 3 === 0 ? "production, EU" : "ci",
          model: MODELS[index % MODELS.length]!,
          provider: "openai",
          status,
          errorCode: status === 200 ? null : status === 429 ? "rate_limit_exceeded" : "upstream_error",
          promptTokens: status === 200 ? 20 + (index % 50) : null,
          completionTokens: status === 200 ? 5 + (index % 200) : null,
          totalTokens: status === 200 ? 25 + (index % 50) + (index % 200) : null,
          cacheReadTokens: null,
          cacheWriteTokens: null,
          reasoningTokens: null,
          endpoint: null,
          costMicros: status === 200 ? (index % 200) * 1000 : null,
          usageEstimated: status === 200 ? index % 11 === 0 : null,
          sourceIp: `198.51.100.${index % 250}`,
          userAgent: index % 2 === 0 ? "OpenAI/Python 1.54.0" : "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko)",
          latencyMs: 50 + (index % 900),
          actor: `key:${seed.keyId}`,
          metadata: { method: "POST", path: "/v1/chat/completions" },
        });
      }
      // Another account's records in the same range, which the export must leave out.
      for (const record of batch.slice(0, OTHER_PER_BATCH)) {
        batch.push({
          ...record,
          id: newId("event"),
          requestId: newId("request"),
          accountId: other.account.id,
          apiKeyId: other.keyId,
          keyLast4: other.key.slice(-4),
          actor: `key:${other.keyId}`,
        });
      }
      await t.services.storage.records.write({ audit: batch, ledger: [] });
    }
    const seedSeconds = (performance.now() - seedStarted) / 1000;
    // Records whose text fields need CSV quoting, and one a spreadsheet would run as a formula.
    const special = (keyName: string, userAgent: string, at: number): AuditRecord => ({
      id: newId("event"),
      type: "request",
      event: "api.request",
      timestamp: at,
      requestId: newId("request"),
      accountId,
      apiKeyId: seed.keyId,
      keyLast4: key.slice(-4),
      keyName,
      model: "fake/chat",
      provider: "fake",
      status: 200,
      errorCode: null,
      promptTokens: 1,
      completionTokens: 2,
      totalTokens: 3,
      cacheReadTokens: null,
      cacheWriteTokens: null,
      reasoningTokens: null,
      endpoint: null,
      costMicros: 0,
      usageEstimated: false,
      sourceIp: "2001:db8::1",
      userAgent,
      latencyMs: 7,
      actor: `key:${seed.keyId}`,
      metadata: { note: 'a "quoted", multi\nline note' },
    });
    specials.push(
      special('billing, "EU" key\nline two', 'Mozilla/5.0 (compatible; "Quoted", Agent)\r\nX-Injected: yes', start + 5 * DAY + 1),
      special('=HYPERLINK("http://evil.example","click")', 'curl/8.5.0, "with" comma', start + 6 * DAY + 1),
      special('"""', ",\r\n,\n\r", start + 7 * DAY + 1),
    );
    await t.services.storage.records.write({ audit: specials, ledger: [] });
    // What autovacuum does within a minute in production (docs/audit.md, "before its first ANALYZE").
    if (target.name === "postgres") await sql`analyze audit_log`.execute(t.opened.storage.db);
    end = t.clock.now();
    t.clock.advance(1); // the exports' own audit records come after the range, as they would in real time
    const counted = await t.opened.storage.db
      .selectFrom("audit_log")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("account_id", "=", accountId)
      .where("timestamp", ">=", start)
      .where("timestamp", "<", end)
      .executeTakeFirstOrThrow();
    expected = Number(counted.n);
    process.stdout.write(
      `[audit export ${target.name}] seeded ${COUNT + (COUNT / BATCH) * OTHER_PER_BATCH} records in ${seedSeconds.toFixed(1)} s (${Math.round((COUNT + (COUNT / BATCH) * OTHER_PER_BATCH) / seedSeconds)} records/s); ${expected} in the account's range\n`,
    );
  }, 240_000);

  afterAll(async () => {
    await t?.dispose();
  });

  const range = () => `start=${encodeURIComponent(new Date(start).toISOString())}&end=${encodeURIComponent(new Date(end).toISOString())}`;

  /** Streams one export through `onText`, sampling this process's RSS; returns the measurements. */
  async function download(format: "jsonl" | "csv", onText: (text: string) => void) {
    (globalThis as { gc?: () => void }).gc?.();
    const rssBefore = process.memoryUsage().rss;
    let rssPeak = rssBefore;
    const sampler = setInterval(() => {
      rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
    }, 20);
    const began = performance.now();
    try {
      const response = await fetch(`${baseUrl}/v1/audit/logs/export?format=${format}&${range()}`, { headers: { authorization: `Bearer ${key}` } });
      expect(response.status).toBe(200);
      const headers: Record<string, string | undefined> = {};
      for (const name of ["content-type", "content-disposition", "content-length", "transfer-encoding"])
        headers[name] = response.headers.get(name) ?? undefined;
      let firstByte: number | null = null;
      let tail = "";
      const bytes = await forEachTextChunk(response.body!, (text) => {
        firstByte ??= performance.now() - began;
        // Grep every chunk (with an overlap, for a secret split across chunks).
        const window = tail + text;
        if (KEY_MATERIAL.test(window) || [...secrets].some((secret) => window.includes(secret)))
          throw new Error(`key material in the ${format} export: ${findSecrets(window, secrets).join("; ")}`);
        tail = window.slice(-100);
        onText(text);
        rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
      });
      const seconds = (performance.now() - began) / 1000;
      return { headers, bytes, seconds, firstByteMs: firstByte ?? 0, rssGrowth: rssPeak - rssBefore };
    } finally {
      clearInterval(sampler);
    }
  }

  const report = (format: string, records: number, measured: { bytes: number; seconds: number; firstByteMs: number; rssGrowth: number }) =>
    process.stdout.write(
      `[audit export ${target.name}] ${format}: ${records} records, ${mb(measured.bytes)} in ${measured.seconds.toFixed(2)} s = ${Math.round(records / measured.seconds)} records/s; first byte after ${measured.firstByteMs.toFixed(0)} ms; RSS growth ${mb(measured.rssGrowth)}\n`,
    );

  it("streams JSONL: every record once, in order, only the caller's, with bounded memory", async () => {
    let lines = 0;
    let previous: { timestamp: number; id: string } | null = null;
    const found = new Map<string, ExportedLine>();
    const specialIds = new Set(specials.map((record) => record.id));
    const splitter = lineSplitter((line) => {
      lines += 1;
      const record = JSON.parse(line) as ExportedLine;
      if (record.account_id !== accountId) throw new Error(`line ${lines} belongs to account ${record.account_id}`);
      const position = { timestamp: Date.parse(record.timestamp), id: record.id };
      if (previous !== null && !(position.timestamp > previous.timestamp || (position.timestamp === previous.timestamp && position.id > previous.id))) {
        throw new Error(`line ${lines} is out of order or repeated: ${JSON.stringify(position)} after ${JSON.stringify(previous)}`);
      }
      previous = position;
      if (specialIds.has(record.id)) found.set(record.id, record);
    });
    const measured = await download("jsonl", (text) => splitter.push(text));
    expect(splitter.end()).toBe("");
    report("JSONL", lines, measured);
    expect(measured.headers["content-type"]).toContain("application/x-ndjson");
    expect(measured.headers["content-disposition"]).toMatch(/^attachment; filename="bentoo-audit-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}\.jsonl"$/);
    expect(measured.headers["content-length"]).toBeUndefined(); // streamed, not buffered
    expect(lines).toBe(expected);
    expect(lines).toBeGreaterThanOrEqual(COUNT);
    expect(measured.firstByteMs).toBeLessThan((measured.seconds * 1000) / 2);
    expect(measured.rssGrowth).toBeLessThan(RSS_BUDGET);
    for (const record of specials) {
      expect(found.get(record.id), record.id).toMatchObject({
        key_name: record.keyName,
        user_agent: record.userAgent,
        metadata: record.metadata,
        source_ip: "2001:db8::1",
      });
    }
  }, 120_000);

  it("streams CSV (RFC 4180): every record once, commas, quotes and newlines round-trip, formulas neutralised", async () => {
    let header: string[] | null = null;
    let records = 0;
    const found = new Map<string, string[]>();
    const specialIds = new Set(specials.map((record) => record.id));
    const parser = new CsvStreamParser((row) => {
      if (header === null) {
        header = row;
        return;
      }
      records += 1;
      if (row.length !== AUDIT_CSV_COLUMNS.length) throw new Error(`CSV record ${records} has ${row.length} fields`);
      if (row[5] !== accountId) throw new Error(`CSV record ${records} belongs to account ${row[5]}`);
      if (specialIds.has(row[0]!)) found.set(row[0]!, row);
    });
    const measured = await download("csv", (text) => parser.push(text));
    parser.end();
    report("CSV", records, measured);
    expect(measured.headers["content-type"]).toContain("text/csv");
    expect(measured.headers["content-length"]).toBeUndefined();
    expect(header).toEqual([...AUDIT_CSV_COLUMNS]);
    expect(records).toBe(expected);
    expect(records).toBeGreaterThanOrEqual(COUNT);
    expect(measured.firstByteMs).toBeLessThan((measured.seconds * 1000) / 2);
    expect(measured.rssGrowth).toBeLessThan(RSS_BUDGET);

    const column = (name: (typeof AUDIT_CSV_COLUMNS)[number]) => AUDIT_CSV_COLUMNS.indexOf(name);
    const [multiline, formula, quotes] = specials;
    const row = (record: AuditRecord) => found.get(record.id)!;
    expect(row(multiline!)[column("key_name")]).toBe(multiline!.keyName);
    expect(row(multiline!)[column("user_agent")]).toBe(multiline!.userAgent);
    expect(JSON.parse(row(multiline!)[column("metadata")]!)).toEqual(multiline!.metadata);
    expect(row(formula!)[column("key_name")]).toBe(`'${formula!.keyName}`);
    expect(row(formula!)[column("user_agent")]).toBe(formula!.userAgent);
    expect(row(quotes!)[column("key_name")]).toBe('"""');
    expect(row(quotes!)[column("user_agent")]).toBe(quotes!.userAgent);
    expect(row(quotes!)[column("status")]).toBe("200");
    expect(row(quotes!)[column("error_code")]).toBe(""); // null is an empty field
    expect(row(quotes!)[column("source_ip")]).toBe("2001:db8::1");
  }, 120_000);

  it("the server log holds no key material, Authorization values or cookies", () => {
    const log = t.logs.text();
    expect(findSecrets(log, secrets)).toEqual([]);
  });
});
