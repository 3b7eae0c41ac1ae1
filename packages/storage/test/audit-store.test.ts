import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import {
  type AuditQuery,
  type AuditRecord,
  type AuditStore,
  auditRecordToCsvRow,
  auditRecordToJsonLine,
  BentooError,
  DEFAULT_KEY_SCOPES,
  generateApiKey,
  newId,
} from "@bentoo/core";
import { type OpenedStorage, storageTargets } from "@bentoo/test-kit";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** 2023-11-14T22:00:00Z, an hour boundary. */
const BASE = 1_699_999_200_000;

function auditRecord(overrides: Partial<AuditRecord> = {}): AuditRecord {
  return {
    id: newId("event"),
    type: "request",
    event: "api.request",
    timestamp: BASE,
    requestId: newId("request"),
    accountId: null,
    apiKeyId: null,
    keyLast4: null,
    keyName: null,
    model: "gpt-4o-mini",
    provider: "openai",
    status: 200,
    errorCode: null,
    promptTokens: 10,
    completionTokens: 20,
    totalTokens: 30,
    cacheReadTokens: null,
    cacheWriteTokens: null,
    reasoningTokens: null,
    endpoint: null,
    costMicros: 150,
    usageEstimated: false,
    sourceIp: "203.0.113.7",
    userAgent: "vitest",
    latencyMs: 42,
    actor: null,
    metadata: null,
    ...overrides,
  };
}

async function allPages(audit: AuditStore, query: Omit<AuditQuery, "cursor">): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const page = await audit.query({ ...query, cursor });
    ids.push(...page.records.map((record) => record.id));
    cursor = page.nextCursor;
    pages += 1;
  } while (cursor !== null);
  return { ids, pages };
}

/**
 * A full garbage collection, so heap samples measure what is live rather than
 * how lazy the collector was. The worker runs without --expose-gc; the flag can
 * still be set at run time and `gc` taken from a fresh context.
 */
setFlagsFromString("--expose-gc");
const collectGarbage = runInNewContext("gc") as () => void;

/** The (timestamp, id) order the store promises, computed independently. */
const byTimeThenId = (left: AuditRecord, right: AuditRecord) => left.timestamp - right.timestamp || (left.id < right.id ? -1 : left.id > right.id ? 1 : 0);

describe.each(storageTargets())("audit store on $name", (target) => {
  let opened: OpenedStorage;
  let audit: AuditStore;
  // Every key gets its own created_at, so "every key of the account" has one order.
  let clock = BASE;

  beforeAll(async () => {
    opened = await target.open({ now: () => (clock += 1) });
    audit = opened.storage.audit;
  });
  const writeAudit = (records: readonly AuditRecord[]) => opened.storage.records.write({ audit: records, ledger: [] });
  afterAll(async () => {
    await opened?.dispose();
  });

  it("stores every field and reads it back; cuts what would not fit; a repeated id is written once", async () => {
    const accountId = newId("account");
    const full = auditRecord({
      accountId,
      apiKeyId: newId("apiKey"),
      keyLast4: "Ab12",
      keyName: 'production, "main"',
      errorCode: "rate_limit_exceeded",
      status: 429,
      usageEstimated: true,
      actor: "key:key_x",
      metadata: { grace_seconds: 3600, nested: { list: [1, "two"] } },
      costMicros: 9_007_199_254_740, // beyond 32 bits: BIGINT round trip
    });
    const cut = auditRecord({
      accountId,
      timestamp: BASE + 1,
      type: "event",
      event: "key.created",
      userAgent: `${"u".repeat(600)}`,
      model: "gpt\u0000-nul",
      latencyMs: 12.6,
      usageEstimated: null,
      promptTokens: null,
    });
    await writeAudit([full, cut]);
    await writeAudit([full]);
    const page = await audit.query({ accountId, limit: 10 });
    expect(page.records).toHaveLength(2);
    expect(page.records[0]).toEqual(full);
    expect(page.records[1]).toEqual({ ...cut, userAgent: "u".repeat(512), model: "gpt-nul", latencyMs: 12.6 });
    expect(page.nextCursor).toBeNull();
  });

  it("keeps text as sent (quotes, backslashes, line breaks, accents, emoji); half a surrogate pair becomes U+FFFD", async () => {
    const accountId = newId("account");
    const exact = auditRecord({
      accountId,
      keyName: 'a "quoted" \\ back\\slash\nnew line\ttab é 中文 🎉',
      userAgent: 'curl/8 {"json": [1]}',
      metadata: { note: "\\u0000 stays text" },
    });
    // 199 characters, then an emoji (two UTF-16 units): the 200-character cut keeps only its first half.
    const cut = auditRecord({ accountId, timestamp: BASE + 1, keyName: `${"k".repeat(199)}🎉`, userAgent: "lone \ud800 surrogate" });
    await writeAudit([exact, cut]);
    const page = await audit.query({ accountId, limit: 10 });
    expect(page.records[0]).toEqual(exact);
    expect(page.records[1]).toEqual({ ...cut, keyName: `${"k".repeat(199)}\ufffd`, userAgent: "lone \ufffd surrogate" });
  });

  it("writes a batch of 2,500 records in one call", async () => {
    const accountId = newId("account");
    const records = Array.from({ length: 2500 }, (_, index) => auditRecord({ accountId, timestamp: BASE + index }));
    await writeAudit(records);
    let count = 0;
    for await (const record of audit.iterate({ accountId })) if (record.id === records[count]?.id) count += 1;
    expect(count).toBe(2500);
  });

  it("filters by time range, key, last 4, model, status, event and type; never crosses accounts", async () => {
    const accountA = newId("account");
    const accountB = newId("account");
    const key1 = newId("apiKey");
    const key2 = newId("apiKey");
    const r = {
      early: auditRecord({ accountId: accountA, apiKeyId: key1, keyLast4: "K1k1", timestamp: BASE + 1000 }),
      middle: auditRecord({ accountId: accountA, apiKeyId: key2, keyLast4: "K2k2", model: "claude-3-haiku", timestamp: BASE + 2000 }),
      failed: auditRecord({ accountId: accountA, apiKeyId: key2, keyLast4: "K2k2", status: 502, errorCode: "upstream_error", timestamp: BASE + 3000 }),
      event: auditRecord({
        accountId: accountA,
        apiKeyId: key1,
        keyLast4: "K1k1",
        type: "event",
        event: "key.renamed",
        model: null,
        status: null,
        timestamp: BASE + 4000,
      }),
      late: auditRecord({ accountId: accountA, apiKeyId: key1, keyLast4: "K1k1", timestamp: BASE + 5000 }),
      otherAccount: auditRecord({ accountId: accountB, apiKeyId: key1, keyLast4: "K1k1", timestamp: BASE + 2500 }),
      noAccount: auditRecord({ accountId: null, keyLast4: "K1k1", status: 401, errorCode: "invalid_api_key", timestamp: BASE + 2600 }),
    };
    await writeAudit(Object.values(r));
    const ids = async (query: Omit<AuditQuery, "limit">) => (await audit.query({ limit: 100, ...query })).records.map((record) => record.id);

    expect(await ids({ accountId: accountA })).toEqual([r.early.id, r.middle.id, r.failed.id, r.event.id, r.late.id]);
    expect(await ids({ accountId: accountA, start: BASE + 2000, end: BASE + 4000 })).toEqual([r.middle.id, r.failed.id]);
    expect(await ids({ accountId: accountA, start: BASE + 4000 })).toEqual([r.event.id, r.late.id]);
    expect(await ids({ accountId: accountA, end: BASE + 1001 })).toEqual([r.early.id]);
    expect(await ids({ accountId: accountA, apiKeyId: key2 })).toEqual([r.middle.id, r.failed.id]);
    expect(await ids({ accountId: accountA, keyLast4: "K1k1" })).toEqual([r.early.id, r.event.id, r.late.id]);
    expect(await ids({ accountId: accountA, keyLast4: "k1k1" })).toEqual([]); // case-sensitive, like the key itself
    expect(await ids({ accountId: accountA, model: "claude-3-haiku" })).toEqual([r.middle.id]);
    expect(await ids({ accountId: accountA, status: 502 })).toEqual([r.failed.id]);
    expect(await ids({ accountId: accountA, event: "key.renamed" })).toEqual([r.event.id]);
    expect(await ids({ accountId: accountA, type: "request", apiKeyId: key1 })).toEqual([r.early.id, r.late.id]);
    expect(await ids({ accountId: accountB })).toEqual([r.otherAccount.id]);
    expect(await ids({ accountId: accountB, apiKeyId: key2 })).toEqual([]);
    const everything = [...(await ids({ accountId: accountA })), ...(await ids({ accountId: accountB }))];
    expect(everything).not.toContain(r.noAccount.id);
  });

  it("rejects a limit outside 1..1000 and a cursor it did not issue", async () => {
    const accountId = newId("account");
    for (const limit of [0, -1, 1001, 1.5, Number.NaN]) {
      const error = await audit.query({ accountId, limit }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(BentooError);
      expect(error).toMatchObject({ code: "invalid_request", param: "limit" });
    }
    await expect(audit.query({ accountId, limit: 1000 })).resolves.toEqual({ records: [], nextCursor: null });
    for (const cursor of ["garbage!", Buffer.from("[1,2]").toString("base64url"), Buffer.from('{"a":1}').toString("base64url")]) {
      const error = await audit.query({ accountId, limit: 10, cursor }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(BentooError);
      expect(error).toMatchObject({ code: "invalid_request", param: "cursor" });
    }
  });

  it("pages 250 records sharing one timestamp with no duplicates and no gaps", async () => {
    const accountId = newId("account");
    const records = Array.from({ length: 250 }, () => auditRecord({ accountId, timestamp: BASE + 7 }));
    await writeAudit(records);
    const { ids, pages } = await allPages(audit, { accountId, limit: 7 });
    expect(pages).toBe(36);
    expect(ids).toEqual([...records].sort(byTimeThenId).map((record) => record.id));
    const exact = await allPages(audit, { accountId, limit: 50 });
    expect(exact.pages).toBe(5); // 250 / 50: the last full page has no next cursor
  });

  it("pages newest first with order desc: every record once, within the range and filters", async () => {
    const accountId = newId("account");
    const records = Array.from({ length: 60 }, (_, index) =>
      auditRecord({ accountId, timestamp: BASE + Math.floor(index / 4), status: index % 3 === 0 ? 429 : 200 }),
    );
    await writeAudit(records);
    const newestFirst = [...records].sort(byTimeThenId).reverse();
    expect((await allPages(audit, { accountId, limit: 7, order: "desc" })).ids).toEqual(newestFirst.map((record) => record.id));
    const filtered = await allPages(audit, { accountId, limit: 4, order: "desc", status: 429, start: BASE + 2, end: BASE + 12 });
    expect(filtered.ids).toEqual(
      newestFirst.filter((record) => record.status === 429 && record.timestamp >= BASE + 2 && record.timestamp < BASE + 12).map((record) => record.id),
    );
    // Records newer than the first page do not slip into later pages of a walk already under way.
    const first = await audit.query({ accountId, limit: 10, order: "desc" });
    await writeAudit([auditRecord({ accountId, timestamp: BASE + 1_000 })]);
    const second = await audit.query({ accountId, limit: 10, order: "desc", cursor: first.nextCursor });
    expect(second.records.map((record) => record.id)).toEqual(newestFirst.slice(10, 20).map((record) => record.id));
  });

  it("shows records inserted between page fetches with newer timestamps on later pages, none twice", async () => {
    const accountId = newId("account");
    let clock = BASE;
    const initial = Array.from({ length: 40 }, (_, index) => auditRecord({ accountId, timestamp: clock + Math.floor(index / 3) }));
    await writeAudit(initial);
    clock += 100;
    const seen: string[] = [];
    const added: AuditRecord[] = [];
    let cursor: string | null = null;
    let page = 0;
    do {
      const result = await audit.query({ accountId, limit: 9, cursor });
      seen.push(...result.records.map((record) => record.id));
      cursor = result.nextCursor;
      page += 1;
      if (page <= 6) {
        // New traffic while the client pages: newer timestamps, some sharing one.
        const batch = [
          auditRecord({ accountId, timestamp: clock }),
          auditRecord({ accountId, timestamp: clock }),
          auditRecord({ accountId, timestamp: clock + 1 }),
        ];
        clock += 2;
        added.push(...batch);
        await writeAudit(batch);
        if (cursor === null) cursor = result.records.length > 0 ? (await audit.query({ accountId, limit: result.records.length })).nextCursor : null;
      }
    } while (cursor !== null);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual([...initial, ...added].sort(byTimeThenId).map((record) => record.id));
  });

  it("sums usage per hour and per day, grouped by key, by model or not at all", async () => {
    const accountId = newId("account");
    const key1 = newId("apiKey");
    const key2 = newId("apiKey");
    const at = (offset: number, apiKeyId: string, model: string, promptTokens: number, completionTokens: number, costMicros: number, status = 200) =>
      auditRecord({ accountId, apiKeyId, model, promptTokens, completionTokens, costMicros, status, timestamp: BASE + offset });
    await writeAudit([
      at(0, key1, "m-a", 1, 2, 100),
      at(HOUR - 1, key1, "m-b", 3, 4, 200, 500),
      at(HOUR, key2, "m-a", 5, 6, 300),
      at(HOUR + 10, key1, "m-a", 7, 8, 400, 429),
      at(2 * HOUR + 5, key2, "m-b", 9, 10, 500), // 2023-11-15 00:00:05Z: the next UTC day
      auditRecord({
        accountId,
        apiKeyId: key1,
        model: "m-a",
        promptTokens: null,
        completionTokens: null,
        costMicros: null,
        status: 401,
        timestamp: BASE + 2 * HOUR + 6,
      }),
      // Excluded: an event, another account, outside the range.
      auditRecord({ accountId, apiKeyId: key1, type: "event", event: "key.rolled", promptTokens: 1000, timestamp: BASE + 10 }),
      auditRecord({ accountId: newId("account"), apiKeyId: key1, promptTokens: 1000, timestamp: BASE + 10 }),
      at(-1, key1, "m-a", 1000, 1000, 1000),
      at(3 * HOUR, key1, "m-a", 1000, 1000, 1000),
    ]);
    const range = { accountId, start: BASE, end: BASE + 3 * HOUR };
    const bucket = (
      bucketStart: number,
      apiKeyId: string | null,
      model: string | null,
      requests: number,
      promptTokens: number,
      completionTokens: number,
      costMicros: number,
      errors: number,
    ) => ({
      bucketStart,
      apiKeyId,
      model,
      requests,
      promptTokens,
      completionTokens,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      reasoningTokens: 0,
      costMicros,
      errors,
    });
    expect(await audit.usage({ ...range, granularity: "hour", groupBy: "none" })).toEqual([
      bucket(BASE, null, null, 2, 4, 6, 300, 1),
      bucket(BASE + HOUR, null, null, 2, 12, 14, 700, 1),
      bucket(BASE + 2 * HOUR, null, null, 2, 9, 10, 500, 1),
    ]);
    const [first, second] = [key1, key2].sort();
    const hourByKey = await audit.usage({ ...range, granularity: "hour", groupBy: "key" });
    expect(hourByKey).toEqual(
      [
        bucket(BASE, key1, null, 2, 4, 6, 300, 1),
        bucket(BASE + HOUR, key1, null, 1, 7, 8, 400, 1),
        bucket(BASE + HOUR, key2, null, 1, 5, 6, 300, 0),
        bucket(BASE + 2 * HOUR, key1, null, 1, 0, 0, 0, 1),
        bucket(BASE + 2 * HOUR, key2, null, 1, 9, 10, 500, 0),
      ].sort((left, right) => left.bucketStart - right.bucketStart || (left.apiKeyId === first ? -1 : 1) - (right.apiKeyId === first ? -1 : 1)),
    );
    expect(second).toBeDefined();
    const dayStart = BASE - 22 * HOUR; // 2023-11-14T00:00:00Z
    expect(await audit.usage({ ...range, granularity: "day", groupBy: "model" })).toEqual([
      bucket(dayStart, null, "m-a", 3, 13, 16, 800, 1),
      bucket(dayStart, null, "m-b", 1, 3, 4, 200, 1),
      bucket(dayStart + DAY, null, "m-a", 1, 0, 0, 0, 1),
      bucket(dayStart + DAY, null, "m-b", 1, 9, 10, 500, 0),
    ]);
    expect(await audit.usage({ ...range, granularity: "day", groupBy: "none" })).toEqual([
      bucket(dayStart, null, null, 4, 16, 20, 1000, 2),
      bucket(dayStart + DAY, null, null, 2, 9, 10, 500, 1),
    ]);
    expect(await audit.usage({ ...range, end: BASE, granularity: "hour", groupBy: "none" })).toEqual([]);
  });

  it("reports per-key last use and request counts for the last hour and 24 hours", async () => {
    const { accounts, keys } = opened.storage;
    const account = await accounts.create({ email: `activity-${newId("account")}@example.com`, passwordHash: null, plan: "pro" });
    const created = [];
    for (let index = 0; index < 3; index += 1) {
      const generated = generateApiKey("live");
      const outcome = await keys.create(
        {
          accountId: account.id,
          name: `k${index}`,
          mode: "live",
          hash: generated.hash,
          last4: generated.last4,
          expiresAt: null,
          rolledFromId: null,
          ipAllowlist: null,
          scopes: DEFAULT_KEY_SCOPES,
          rpmLimit: null,
          tpmLimit: null,
          spendCap: null,
          models: null,
        },
        null,
      );
      if (!outcome.created) throw new Error("key not created");
      created.push(outcome.key.id);
    }
    const [busy, old, unused] = created as [string, string, string];
    const now = BASE + 10 * DAY;
    const request = (apiKeyId: string, timestamp: number) => auditRecord({ accountId: account.id, apiKeyId, timestamp });
    await writeAudit([
      request(busy, now - 1),
      request(busy, now - HOUR), // inclusive lower bound of the hour
      request(busy, now - HOUR - 1),
      request(busy, now - DAY), // inclusive lower bound of the day
      request(busy, now - DAY - 1),
      request(old, now - 3 * DAY),
      auditRecord({ accountId: account.id, apiKeyId: unused, type: "event", event: "key.created", timestamp: now - 10 }),
      auditRecord({ accountId: newId("account"), apiKeyId: unused, timestamp: now - 10 }), // another account's record
    ]);
    const expected = [
      { apiKeyId: busy, lastUsedAt: now - 1, requestsLastHour: 2, requestsLast24h: 4 },
      { apiKeyId: old, lastUsedAt: now - 3 * DAY, requestsLastHour: 0, requestsLast24h: 0 },
      { apiKeyId: unused, lastUsedAt: null, requestsLastHour: 0, requestsLast24h: 0 },
    ];
    expect(await audit.keyActivity(account.id, now)).toEqual(expected);
    expect(await audit.keyActivity(account.id, now, [unused, busy])).toEqual([expected[2], expected[0]]);
    expect(await audit.keyActivity(account.id, now, [])).toEqual([]);
    expect(await audit.keyActivity(newId("account"), now)).toEqual([]);
  });

  it("purges only records older than the cutoff, in batches", async () => {
    const accountId = newId("account");
    // Far in the past, so no other test's records are older than the cutoff.
    // 50 rows, then 10 sharing one timestamp (a batch ends on a timestamp, so they go together).
    const old = [
      ...Array.from({ length: 50 }, (_, index) => auditRecord({ accountId, timestamp: 1_000_000 + index })),
      ...Array.from({ length: 10 }, () => auditRecord({ accountId, timestamp: 1_500_000 })),
    ];
    const kept = Array.from({ length: 5 }, (_, index) => auditRecord({ accountId, timestamp: 2_000_000 + index }));
    await writeAudit([...kept, ...old]);
    // 7 per batch: 60 rows need 9 batches, so the total proves the loop.
    expect(await audit.purgeOlderThan(2_000_000, 7)).toBe(60);
    expect((await audit.query({ accountId, limit: 100 })).records.map((record) => record.id)).toEqual(kept.map((record) => record.id));
    expect(await audit.purgeOlderThan(2_000_000, 7)).toBe(0);
    await expect(audit.purgeOlderThan(2_000_000, 0)).rejects.toBeInstanceOf(BentooError);
  });
});

describe.each(storageTargets())("audit store at volume on $name", (target) => {
  const total = 100_000;
  let opened: OpenedStorage;
  const accountId = newId("account");

  beforeAll(async () => {
    opened = await target.open();
  });
  const writeAudit = (records: readonly AuditRecord[]) => opened.storage.records.write({ audit: records, ledger: [] });
  afterAll(async () => {
    await opened?.dispose();
  });

  it(`inserts ${total} records in batches of 500, then streams them in order with bounded memory`, { timeout: 120_000 }, async () => {
    const { audit } = opened.storage;
    const keyId = newId("apiKey");
    const insertStarted = performance.now();
    for (let offset = 0; offset < total; offset += 500) {
      await writeAudit(
        Array.from({ length: 500 }, (_, index) =>
          auditRecord({
            accountId,
            apiKeyId: keyId,
            keyLast4: "Zz99",
            timestamp: BASE + Math.floor((offset + index) / 4),
            userAgent: 'Mozilla/5.0 (X11; Linux x86_64) load-test, "quoted"',
          }),
        ),
      );
    }
    const insertSeconds = (performance.now() - insertStarted) / 1000;
    // What autovacuum does within a minute in production. A table never analyzed
    // gets a bitmap scan + top-N sort per page instead (docs/audit.md): correct,
    // but each page then costs the rows after the cursor.
    if (target.name === "postgres") await sql`analyze audit_log`.execute(opened.storage.db);

    collectGarbage();
    const heapBefore = process.memoryUsage().heapUsed;
    let peakGrowth = 0;
    let count = 0;
    let previous: { timestamp: number; id: string } | null = null;
    let outOfOrder = 0;
    const iterateStarted = performance.now();
    for await (const record of audit.iterate({ accountId })) {
      if (previous !== null && byTimeThenId(previous as AuditRecord, record) >= 0) outOfOrder += 1;
      previous = { timestamp: record.timestamp, id: record.id };
      count += 1;
      if (count % 10_000 === 0) {
        collectGarbage();
        peakGrowth = Math.max(peakGrowth, process.memoryUsage().heapUsed - heapBefore);
      }
    }
    const iterateSeconds = (performance.now() - iterateStarted) / 1000;
    expect(count).toBe(total);
    expect(outOfOrder).toBe(0);
    // Holding the 100,000 records would take well over 100 MB; one page is a few MB.
    expect(peakGrowth).toBeLessThan(16 * 1024 * 1024);

    // Export as the Audit API does: format every record, hold none.
    let bytes = 0;
    const exportStarted = performance.now();
    for await (const record of audit.iterate({ accountId, apiKeyId: keyId }))
      bytes += auditRecordToCsvRow(record).length + auditRecordToJsonLine(record).length;
    const exportSeconds = (performance.now() - exportStarted) / 1000;
    expect(bytes).toBeGreaterThan(total * 500);

    console.info(
      `[${target.name}] insert ${Math.round(total / insertSeconds)} records/s (batches of 500); iterate ${Math.round(total / iterateSeconds)} records/s, ` +
        `peak heap growth ${(peakGrowth / 1024 / 1024).toFixed(1)} MB; export CSV+JSONL ${Math.round(total / exportSeconds)} records/s`,
    );
  });
});
