import { deleteKeysUnder, type FakeUpstream, startFakeUpstream, storageTargets, testRedisPrefix, testRedisUrl } from "@bentoo/test-kit";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bearer, createTestApp, pricedCatalog, type TestApp } from "./helpers.js";

const redisUrl = testRedisUrl();
const postgres = storageTargets().find((target) => target.name === "postgres");

/** Each request holds and is charged 4 output tokens × 1,000 micros. */
const PER_REQUEST = 4_000;
const AFFORDABLE = 10;
const STREAMS = 6;

/**
 * Redis keeps nothing on disk: a restart (here: every key of this test's
 * prefix deleted, as a FLUSHDB would) loses the copy of the balance while
 * streams hold credits. The copy reloaded from the database must include those
 * holds before it admits anything more.
 */
describe.skipIf(redisUrl === undefined || postgres === undefined)("Redis losing its data while streams hold credits", () => {
  let t: TestApp;
  let upstream: FakeUpstream;
  let redis: Redis;
  const prefix = testRedisPrefix();

  beforeAll(async () => {
    // A stream of 4 words lasts about 5 × 300 ms: long enough to lose Redis' data under it.
    upstream = await startFakeUpstream({ record: false, chunkIntervalMs: 300 });
    t = await createTestApp({ target: postgres!, env: { BENTOO_REDIS_URL: redisUrl!, BENTOO_REDIS_PREFIX: prefix }, catalog: pricedCatalog(upstream) });
    redis = new Redis(redisUrl!);
  });
  afterAll(async () => {
    await t?.dispose();
    await upstream?.close();
    if (redis !== undefined) {
      await deleteKeysUnder(redis, prefix);
      redis.disconnect();
    }
  });

  const chat = (key: string, stream: boolean) =>
    t.app.inject({
      method: "POST",
      url: "/v1/chat/completions",
      headers: bearer(key),
      payload: { model: stream ? "fake/slow-stream" : "fake/chat", messages: [{ role: "user", content: "hi" }], max_tokens: 4, stream },
    });

  it(`an account with a balance for ${AFFORDABLE} requests is served ${AFFORDABLE}, and the database ends at grants − charges ≥ 0`, async () => {
    const { account, key } = await t.seedAccount({ mode: "live", plan: "pro", balanceMicros: AFFORDABLE * PER_REQUEST });
    const streams = Array.from({ length: STREAMS }, () => chat(key, true));
    await upstream.arrived(STREAMS); // every stream was admitted: its hold is taken
    await deleteKeysUnder(redis, prefix);
    const after = await Promise.all(Array.from({ length: AFFORDABLE }, () => chat(key, false)));
    const streamed = await Promise.all(streams);

    expect(streamed.map((response) => response.statusCode)).toEqual(Array(STREAMS).fill(200));
    expect(streamed.every((response) => response.body.includes("[DONE]"))).toBe(true);
    const statuses = after.map((response) => response.statusCode);
    expect(statuses.filter((status) => status === 200)).toHaveLength(AFFORDABLE - STREAMS);
    expect(statuses.filter((status) => status === 402)).toHaveLength(STREAMS);

    await t.services.admission.flush();
    await t.services.records.flush();
    const balance = (await t.services.storage.accounts.get(account.id))!.balanceMicros;
    expect(balance).toBe(0);
    expect(await t.services.storage.ledger.sum(account.id)).toBe(balance);
    expect(await t.services.admission.available(account.id)).toBe(balance);
  }, 20_000);
});
