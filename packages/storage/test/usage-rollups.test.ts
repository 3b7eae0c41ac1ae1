import { type AuditRecord, newId } from "@bentoo/core";
import { backfillUsageRollups, type KyselyStorage, openStorage, planUsageBackfill } from "@bentoo/storage";
import { type OpenedStorage, recountUsage, storageTargets } from "@bentoo/test-kit";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditRecord } from "./record-fixtures.js";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** 2023-11-14T22:00:00Z, an hour boundary two hours before a UTC day ends. */
const BASE = 1_699_999_200_000;

/** A deterministic generator (mulberry32), so a failing mix can be replayed. */
function generator(seed: number) {
  let state = seed >>> 0;
  const next = (below: number) => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = Math.imul(state ^ (state >>> 15), 1 | state);
    mixed = (mixed + Math.imul(mixed ^ (mixed >>> 7), 61 | mixed)) ^ mixed;
    return Math.floor((((mixed ^ (mixed >>> 14)) >>> 0) / 2 ** 32) * below);
  };
  return { next, pick: <T>(items: readonly T[]): T => items[next(items.length)]! };
}

/** Request records of one account in [BASE, BASE + hours): some keys, some models, errors, aborts, cache and reasoning tokens, gaps. */
function randomRecords(accountId: string, count: number, hours: number, seed: number): AuditRecord[] {
  const random = generator(seed);
  const keys = [newId("apiKey"), newId("apiKey"), newId("apiKey"), null];
  const models = ["openai/gpt-4o-mini", "anthropic/claude-sonnet-4", "google/gemini-2.5-flash", null];
  return Array.from({ length: count }, () => {
    const status = random.pick([200, 200, 200, 200, 499, 401, 402, 429, 502]);
    const used = status === 200 || (status === 499 && random.next(2) === 0);
    const prompt = used ? 1 + random.next(5000) : null;
    const completion = used ? random.next(2000) : null;
    return auditRecord(accountId, {
      timestamp: BASE + random.next(hours * HOUR),
      apiKeyId: random.pick(keys),
      model: random.pick(models),
      status,
      promptTokens: prompt,
      completionTokens: completion,
      totalTokens: prompt === null || completion === null ? null : prompt + completion,
      cacheReadTokens: used ? random.next(prompt ?? 1) : null,
      cacheWriteTokens: used ? random.next(100) : null,
      reasoningTokens: used ? random.next((completion ?? 0) + 1) : null,
      costMicros: used ? random.next(1_000_000) : status === 499 ? null : 0,
    });
  });
}

const SHAPES = [
  { granularity: "hour", groupBy: "none" },
  { granularity: "hour", groupBy: "key" },
  { granularity: "hour", groupBy: "model" },
  { granularity: "day", groupBy: "none" },
  { granularity: "day", groupBy: "key" },
  { granularity: "day", groupBy: "model" },
] as const;

/** Every shape of the dashboard's usage queries, from the rollups, equals the raw-log recount; returns the requests counted. */
async function expectRollupsEqualRecount(storage: KyselyStorage, accountId: string, start: number, end: number): Promise<number> {
  let requests = 0;
  for (const shape of SHAPES) {
    const options = { accountId, start, end, ...shape };
    const expected = await recountUsage(storage, options);
    expect(await storage.audit.usage(options), `${shape.granularity} by ${shape.groupBy}`).toEqual(expected);
    if (shape.groupBy === "none" && shape.granularity === "hour") requests = expected.reduce((sum, bucket) => sum + bucket.requests, 0);
  }
  return requests;
}

describe.each(storageTargets())("usage rollups on $name", (target) => {
  let opened: OpenedStorage;
  let storage: KyselyStorage;

  beforeAll(async () => {
    opened = await target.open();
    storage = opened.storage;
  });
  afterAll(async () => {
    await opened?.dispose();
  });

  it("are kept by the record batches: concurrent, repeated and mixed batches add up to the raw-log recount exactly", async () => {
    const accountId = newId("account");
    const records = randomRecords(accountId, 1500, 80, 7);
    const other = randomRecords(newId("account"), 200, 80, 8);
    const events = records.slice(0, 20).map((record) => ({ ...record, id: newId("event"), type: "event" as const, event: "key.created" as const }));
    const accountless = records.slice(0, 20).map((record) => ({ ...record, id: newId("event"), accountId: null }));
    const all = [...records, ...other, ...events, ...accountless];
    const batches: AuditRecord[][] = [];
    for (let index = 0; index < all.length; index += 97) batches.push(all.slice(index, index + 97));
    // Concurrently (PostgreSQL runs them on several connections), each sent twice: a retried batch counts once.
    await Promise.all(batches.map((batch) => storage.records.write({ audit: batch, ledger: [] })));
    await Promise.all(batches.slice(0, 5).map((batch) => storage.records.write({ audit: batch, ledger: [] })));
    expect(await expectRollupsEqualRecount(storage, accountId, BASE, BASE + 80 * HOUR)).toBe(1500);
    // Days from the daily rows, and the partial days at both ends (22:00 on the first, 10:00 on the last) from their hours.
    await expectRollupsEqualRecount(storage, accountId, BASE + 5 * HOUR + 17, BASE + 60 * HOUR - 3);
    // A range that does not start or end on an hour reads the whole hours around it.
    await expectRollupsEqualRecount(storage, accountId, BASE + 3 * HOUR + 1234, BASE + 7 * HOUR - 1);
    const [first] = await storage.audit.usage({ accountId, start: BASE + 3 * HOUR + 1234, end: BASE + 4 * HOUR - 1, granularity: "hour", groupBy: "none" });
    expect(first?.bucketStart).toBe(BASE + 3 * HOUR);
    // Events and records with no account are not usage.
    for (const table of ["usage_hourly", "usage_daily"] as const) {
      const stored = await storage.db.selectFrom(table).select(sql<number>`sum(requests)`.as("requests")).executeTakeFirstOrThrow();
      expect(Number(stored.requests), table).toBe(1700);
    }
  });

  it("outlive the raw log: purging audit records leaves usage as it was, and the usage purge removes only older hours", async () => {
    const accountId = newId("account");
    await storage.records.write({ audit: randomRecords(accountId, 300, 10, 11), ledger: [] });
    const shape = { accountId, start: BASE, end: BASE + 10 * HOUR, granularity: "hour", groupBy: "model" } as const;
    const before = await storage.audit.usage(shape);
    expect(new Set(before.map((bucket) => bucket.model)).size).toBe(4);
    await storage.audit.purgeOlderThan(BASE + 10 * HOUR);
    expect((await storage.audit.query({ accountId, limit: 10 })).records).toEqual([]);
    expect(await storage.audit.usage(shape)).toEqual(before);

    const purged = await storage.audit.purgeUsageOlderThan(BASE + 4 * HOUR);
    expect(purged).toBeGreaterThan(0);
    const after = await storage.audit.usage(shape);
    expect(after).toEqual(before.filter((bucket) => bucket.bucketStart >= BASE + 4 * HOUR));
    expect(await storage.audit.purgeUsageOlderThan(BASE + 4 * HOUR)).toBe(0);
  });
});

describe.each(storageTargets())("the usage backfill on $name", (target) => {
  it("counts an existing database's audit log when migration 006 runs, and a new start finds nothing left to do", async () => {
    const opened = await target.open();
    try {
      // A database as it was before rollups existed: migrated to 005, holding request records.
      const { url, schema } = opened;
      const old = await openStorage(url, { migrate: false, writerThread: false, ...(schema === undefined ? {} : { schema }) });
      const accountId = newId("account");
      await old.records.write({ audit: randomRecords(accountId, 800, 72, 21), ledger: [] });
      await sql`drop table usage_hourly`.execute(old.db);
      await sql`drop table usage_daily`.execute(old.db);
      await sql`drop table usage_backfill`.execute(old.db);
      await sql`delete from kysely_migration where name = '006-usage-rollups'`.execute(old.db);
      await old.close();

      const migrated = await openStorage(url, schema === undefined ? {} : { schema });
      try {
        expect(await expectRollupsEqualRecount(migrated, accountId, BASE, BASE + 72 * HOUR)).toBe(800);
        expect(await migrated.db.selectFrom("usage_backfill").selectAll().execute()).toEqual([]);
        expect(await backfillUsageRollups(migrated.db)).toBe(0);
      } finally {
        await migrated.close();
      }
    } finally {
      await opened.dispose();
    }
  });

  it("resumes where it was interrupted, day by day, and counts records written meanwhile exactly once", async () => {
    const opened = await target.open();
    const { storage } = opened;
    try {
      const accountId = newId("account");
      const records = randomRecords(accountId, 1000, 120, 31);
      await storage.records.write({ audit: records, ledger: [] });
      // As if these records had been stored before rollups existed.
      await storage.db.deleteFrom("usage_hourly").execute();
      await storage.db.deleteFrom("usage_daily").execute();
      await planUsageBackfill(storage.db);
      const plan = await storage.db.selectFrom("usage_backfill").selectAll().executeTakeFirstOrThrow();
      const firstDay = Math.floor(Math.min(...records.map((record) => record.timestamp)) / DAY) * DAY;
      const endDay = Math.floor(Math.max(...records.map((record) => record.timestamp)) / DAY) * DAY + DAY;
      expect([Number(plan.next_day), Number(plan.end_day)]).toEqual([firstDay, endDay]);
      const days = (endDay - firstDay) / DAY;
      expect(days).toBe(6);

      // Interrupted inside its third step: that step rolls back, the first two stay.
      let steps = 0;
      const interrupted = backfillUsageRollups(storage.db, {
        onStep: () => {
          steps += 1;
          if (steps === 3) throw new Error("interrupted");
        },
      });
      await expect(interrupted).rejects.toThrow("interrupted");
      const progress = await storage.db.selectFrom("usage_backfill").select("next_day").executeTakeFirstOrThrow();
      expect(Number(progress.next_day)).toBe(firstDay + 2 * DAY);
      const counted = await storage.db.selectFrom("usage_daily").select("bucket_start").distinct().execute();
      expect(counted.map((row) => Number(row.bucket_start)).sort()).toEqual([firstDay, firstDay + DAY]);
      const hours = await storage.db.selectFrom("usage_hourly").select(sql<number>`max(bucket_start)`.as("last")).executeTakeFirstOrThrow();
      expect(Number(hours.last)).toBeLessThan(firstDay + 2 * DAY);
      await expectRollupsEqualRecount(storage, accountId, firstDay, firstDay + 2 * DAY);

      // Meanwhile the gateway goes on writing: into a day already counted and into one still to count.
      await storage.records.write({
        audit: [
          auditRecord(accountId, { timestamp: firstDay + 23 * HOUR + 10, promptTokens: 7, costMicros: 70 }),
          auditRecord(accountId, { timestamp: firstDay + 4 * DAY + 10, promptTokens: 9, costMicros: 90 }),
        ],
        ledger: [],
      });

      expect(await backfillUsageRollups(storage.db)).toBe(days - 2);
      expect(await storage.db.selectFrom("usage_backfill").selectAll().execute()).toEqual([]);
      expect(await expectRollupsEqualRecount(storage, accountId, firstDay, endDay)).toBe(1002);
    } finally {
      await opened.dispose();
    }
  });
});
