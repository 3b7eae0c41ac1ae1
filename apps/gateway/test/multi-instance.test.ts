import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashApiKey } from "@bentoo/core";
import { storageTargets, testRedisUrl } from "@bentoo/test-kit";
import { ADMIN_TOKEN, bearer, createTestApp, type TestApp } from "./helpers.js";

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

  beforeAll(async () => {
    const env = { BENTOO_REDIS_URL: redisUrl!, BENTOO_REDIS_PREFIX: `bentoo-test:${randomBytes(4).toString("hex")}:` };
    a = await createTestApp({ target: postgres!, env });
    b = await createTestApp({ shareStorageWith: a, env });
    admin = new Redis(redisUrl!);
  });
  afterAll(async () => {
    admin?.disconnect();
    await b?.dispose();
    await a?.dispose();
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
