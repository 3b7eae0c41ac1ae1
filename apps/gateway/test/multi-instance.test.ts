import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashApiKey } from "@bentoo/core";
import { deleteRedisKeys, startFakeUpstream, storageTargets, testRedisPrefix, testRedisUrl, type FakeUpstream } from "@bentoo/test-kit";
import { ADMIN_TOKEN, bearer, createTestApp, pricedCatalog, type TestApp } from "./helpers.js";

const redisUrl = testRedisUrl();
const postgres = storageTargets().find((target) => target.name === "postgres");

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<number> {
  const started = performance.now();
  while (!condition()) {
    if (performance.now() - started > timeoutMs) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setImmediate(resolve));
  }
  return performance.now() - started;
}

/** Two gateway instances sharing PostgreSQL and Redis, as behind a load balancer. */
describe.skipIf(redisUrl === undefined || postgres === undefined)("two instances on PostgreSQL + Redis", () => {
  let a: TestApp;
  let b: TestApp;
  let admin: Redis;
  let upstream: FakeUpstream;
  const prefix = testRedisPrefix();

  beforeAll(async () => {
    upstream = await startFakeUpstream({ record: false, latencyMs: 5 });
    const env = { BENTOO_REDIS_URL: redisUrl!, BENTOO_REDIS_PREFIX: prefix };
    a = await createTestApp({ target: postgres!, env, catalog: pricedCatalog(upstream) });
    b = await createTestApp({ shareStorageWith: a, env, catalog: pricedCatalog(upstream) });
    admin = new Redis(redisUrl!);
  });
  afterAll(async () => {
    admin?.disconnect();
    await b?.dispose();
    await a?.dispose();
    await upstream?.close();
    await deleteRedisKeys(redisUrl!, prefix); // last: disposing flushes what the instances still had to send
  });

  const chatOn = (t: TestApp, key: string) =>
    t.app.inject({ method: "POST", url: "/v1/chat/completions", headers: bearer(key), payload: { model: "fake/chat", messages: [{ role: "user", content: "hi" }], max_tokens: 4 } });

  it("overspend race: a balance for exactly 10 requests, 100 concurrent over two instances → exactly 10 succeed", async () => {
    // Each request holds and is charged exactly 4 output tokens × 1,000 micros = 4,000.
    const { account, key } = await a.seedAccount({ mode: "live", plan: "pro", balanceMicros: 40_000 });
    const responses = await Promise.all(Array.from({ length: 100 }, (_, index) => chatOn(index % 2 === 0 ? a : b, key)));
    const statuses = responses.map((response) => response.statusCode);
    const odd = responses.find((response) => ![200, 402].includes(response.statusCode));
    if (odd) process.stdout.write(`unexpected: ${odd.statusCode} ${odd.body}\n`);
    expect(statuses.filter((status) => status === 200)).toHaveLength(10);
    expect(statuses.filter((status) => status === 402)).toHaveLength(90);
    expect(responses.find((response) => response.statusCode === 402)!.json().error.code).toBe("insufficient_credits");
    await new Promise((resolve) => setTimeout(resolve, 50));
    await Promise.all([a.services.records.flush(), b.services.records.flush()]);
    const balance = (await a.services.storage.accounts.get(account.id))!.balanceMicros;
    expect(balance).toBe(0);
    expect(await a.services.storage.ledger.sum(account.id)).toBe(balance);
    expect(await a.services.admission.available(account.id)).toBe(0);
    process.stdout.write(`overspend race: ${statuses.filter((s) => s === 200).length} × 200, ${statuses.filter((s) => s === 402).length} × 402, final balance ${balance}\n`);
  });

  it("RPM across instances: limit 30, 100 concurrent requests over two instances → exactly 30 pass", async () => {
    const { account, key } = await a.seedAccount({ mode: "test", plan: "pro" });
    await a.app.inject({ method: "PATCH", url: `/admin/v1/accounts/${account.id}`, headers: bearer(ADMIN_TOKEN), payload: { rpm_limit: 30 } });
    await waitFor(() => b.services.keyCache.get(hashApiKey(key)) === undefined, 100);
    const responses = await Promise.all(Array.from({ length: 100 }, (_, index) => chatOn(index % 2 === 0 ? a : b, key)));
    const passed = responses.filter((response) => response.statusCode === 200);
    const refused = responses.filter((response) => response.statusCode === 429);
    expect(passed).toHaveLength(30);
    expect(refused).toHaveLength(70);
    for (const response of refused) {
      expect(response.headers["x-ratelimit-limit-requests"]).toBe("30");
      expect(response.headers["x-ratelimit-remaining-requests"]).toBe("0");
      expect(Number(response.headers["retry-after"])).toBeGreaterThanOrEqual(1);
    }
    const remaining = passed.map((response) => Number(response.headers["x-ratelimit-remaining-requests"])).sort((x, y) => x - y);
    expect(remaining).toEqual(Array.from({ length: 30 }, (_, index) => index));
    process.stdout.write(`RPM race: ${passed.length} × 200, ${refused.length} × 429\n`);
  });

  const countLookups = (t: TestApp) => {
    const keys = t.services.storage.keys;
    const original = keys.findByHash.bind(keys);
    const counter = { count: 0, restore: () => (keys.findByHash = original) };
    keys.findByHash = async (hash) => (counter.count++, original(hash));
    return counter;
  };

  it("a revoke on instance A reaches instance B's cache within 100 ms", async () => {
    const { account } = await a.seedAccount({ plan: "pro" });
    const created = (await a.app.inject({ method: "POST", url: `/admin/v1/accounts/${account.id}/keys`, headers: bearer(ADMIN_TOKEN), payload: { name: "shared", mode: "test" } })).json();
    const hash = hashApiKey(created.key);
    expect((await b.app.inject({ url: "/v1/models", headers: bearer(created.key) })).statusCode).toBe(200);
    expect(b.services.keyCache.get(hash)).toBeTruthy();

    const started = performance.now();
    const revoke = await a.app.inject({ method: "DELETE", url: `/admin/v1/keys/${created.id}`, headers: bearer(ADMIN_TOKEN) });
    expect(revoke.statusCode).toBe(200);
    await waitFor(() => b.services.keyCache.get(hash) === undefined, 100);
    const propagation = performance.now() - started;
    const onB = await b.app.inject({ url: "/v1/models", headers: bearer(created.key) });
    expect(onB.statusCode).toBe(401);
    expect(onB.json().error.code).toBe("revoked_api_key");
    process.stdout.write(`revocation propagation A → B (revoke call + pub/sub): ${propagation.toFixed(2)} ms\n`);
    expect(propagation).toBeLessThan(100);
  });

  it("plan changes and rolls propagate the same way", async () => {
    const { account, key } = await a.seedAccount({ plan: "free" });
    await b.app.inject({ url: "/v1/models", headers: bearer(key) });
    await a.app.inject({ method: "PATCH", url: `/admin/v1/accounts/${account.id}`, headers: bearer(ADMIN_TOKEN), payload: { plan: "enterprise" } });
    await waitFor(() => b.services.keyCache.get(hashApiKey(key)) === undefined, 100);
    const verified = await b.services.verifier.verify(`Bearer ${key}`);
    expect(verified.valid && verified.subject.account.plan).toBe("enterprise");
  });

  it("when B's subscription dies, B stops trusting its cache (store look-ups) until it is back", async () => {
    const { key } = await a.seedAccount();
    await b.app.inject({ url: "/v1/models", headers: bearer(key) });
    const lookups = countLookups(b);
    try {
      for (let index = 0; index < 3; index += 1) await b.app.inject({ url: "/v1/models", headers: bearer(key) });
      expect(lookups.count).toBe(0); // cached while the channel is live

      const clients = String(await admin.client("LIST"));
      const line = clients.split("\n").find((entry) => entry.includes(`name=${b.services.redis!.bus.connectionName}`));
      const id = /id=(\d+)/.exec(line ?? "")?.[1];
      expect(id).toBeDefined();
      await admin.client("KILL", "ID", id!);
      await waitFor(() => !b.services.redis!.bus.healthy, 1000);
      for (let index = 0; index < 3; index += 1) expect((await b.app.inject({ url: "/v1/models", headers: bearer(key) })).statusCode).toBe(200);
      expect(lookups.count).toBe(3); // fail closed: every request checked the store

      await waitFor(() => b.services.redis!.bus.healthy, 5000);
      const before = lookups.count;
      for (let index = 0; index < 3; index += 1) await b.app.inject({ url: "/v1/models", headers: bearer(key) });
      expect(lookups.count).toBe(before + 1); // back: one look-up refills the (cleared) cache
    } finally {
      lookups.restore();
    }
  });
});
