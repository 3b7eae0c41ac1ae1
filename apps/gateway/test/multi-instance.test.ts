import { spendWindow } from "@bentoo/core";
import { deleteRedisKeys, type FakeUpstream, startFakeUpstream, storageTargets, testRedisPrefix, testRedisUrl } from "@bentoo/test-kit";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { ADMIN_TOKEN, bearer, createTestApp, pricedCatalog, type TestApp } from "./helpers.js";

const redisUrl = testRedisUrl();
const postgres = storageTargets().find((target) => target.name === "postgres");

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
    t.app.inject({
      method: "POST",
      url: "/v1/chat/completions",
      headers: bearer(key),
      payload: { model: "fake/chat", messages: [{ role: "user", content: "hi" }], max_tokens: 4 },
    });

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
    // Settlements ride along with later admissions or leave within a few ms: send them now, then write the charges.
    await Promise.all([a.services.admission.flush(), b.services.admission.flush()]);
    await Promise.all([a.services.records.flush(), b.services.records.flush()]);
    const balance = (await a.services.storage.accounts.get(account.id))!.balanceMicros;
    expect(balance).toBe(0);
    expect(await a.services.storage.ledger.sum(account.id)).toBe(balance);
    expect(await a.services.admission.available(account.id)).toBe(0);
    process.stdout.write(
      `overspend race: ${statuses.filter((s) => s === 200).length} × 200, ${statuses.filter((s) => s === 402).length} × 402, final balance ${balance}\n`,
    );
  });

  it("a key's spend cap raced from two instances: 100 concurrent, room for 10 → 0 overspend; the next UTC day lets it spend again", async () => {
    // Each request holds and is charged exactly 4 output tokens × 1,000 micros = 4,000; the cap has room for 10.
    const { account, key, keyId } = await a.seedAccount({
      mode: "live",
      plan: "pro",
      balanceMicros: 1_000_000,
      spendCap: { amountMicros: 40_000, period: "day" },
    });
    const race = async () => {
      const responses = await Promise.all(Array.from({ length: 100 }, (_, index) => chatOn(index % 2 === 0 ? a : b, key)));
      const odd = responses.find((response) => ![200, 402].includes(response.statusCode));
      if (odd) process.stdout.write(`unexpected: ${odd.statusCode} ${odd.body}\n`);
      expect(responses.filter((response) => response.statusCode === 402).every((response) => response.json().error.code === "key_spend_cap_reached")).toBe(
        true,
      );
      return responses.filter((response) => response.statusCode === 200).length;
    };
    const spent = async () => {
      await Promise.all([a.services.admission.flush(), b.services.admission.flush()]);
      await Promise.all([a.services.records.flush(), b.services.records.flush()]);
      const rows = await a.services.storage.ledger.list(account.id, { limit: 1_000 });
      return rows.filter((row) => row.kind === "charge" && row.apiKeyId === keyId).reduce((sum, row) => sum - row.amountMicros, 0);
    };
    expect(await race()).toBe(10);
    expect(await spent()).toBe(40_000);
    // The account paid exactly what the key spent; nothing more passes today, on either instance.
    expect((await a.services.storage.accounts.get(account.id))!.balanceMicros).toBe(1_000_000 - 40_000);
    expect((await chatOn(b, key)).json().error.code).toBe("key_spend_cap_reached");

    a.clock.set(spendWindow("day", a.clock.now()).end!);
    expect(await race()).toBe(10);
    expect(await spent()).toBe(80_000);
    process.stdout.write("spend-cap race: 10 × 200 per day over two instances, 0 overspend\n");
  });

  it("a change of a key's controls on A reaches B's cache the way a revoke does", async () => {
    const { key, keyId } = await a.seedAccount({ plan: "pro" });
    expect((await models(b, key)).statusCode).toBe(200); // cached on B
    await a.app.inject({ method: "PATCH", url: `/admin/v1/keys/${keyId}`, headers: bearer(ADMIN_TOKEN), payload: { scopes: ["key:read"] } });
    await within(100, async () => expect((await models(b, key)).json().error?.code).toBe("insufficient_scope"));
    await a.app.inject({ method: "PATCH", url: `/admin/v1/keys/${keyId}`, headers: bearer(ADMIN_TOKEN), payload: { scopes: ["inference"], rpm_limit: 3 } });
    await within(100, async () => expect((await chatOn(b, key)).headers["x-ratelimit-limit-requests"]).toBe("3"));
  });

  it("RPM across instances: limit 30, 100 concurrent requests over two instances → exactly 30 pass", async () => {
    const { account, key } = await a.seedAccount({ mode: "test", plan: "pro" });
    // Set before instance B has seen the key, so both read the limit from the database.
    await a.app.inject({ method: "PATCH", url: `/admin/v1/accounts/${account.id}`, headers: bearer(ADMIN_TOKEN), payload: { rpm_limit: 30 } });
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

  it("Retry-After holds across instances: once it has passed on the shared clock, B serves what A refused", async () => {
    const { account, key } = await a.seedAccount({ mode: "test", plan: "pro" });
    await a.app.inject({ method: "PATCH", url: `/admin/v1/accounts/${account.id}`, headers: bearer(ADMIN_TOKEN), payload: { rpm_limit: 2 } });
    expect((await chatOn(a, key)).statusCode).toBe(200);
    expect((await chatOn(b, key)).statusCode).toBe(200);
    const refused = await chatOn(a, key);
    expect(refused.statusCode).toBe(429);
    const waitMs = Number(refused.headers["retry-after-ms"]);
    expect(waitMs).toBe(30_000);
    a.clock.advance(waitMs - 1);
    expect((await chatOn(b, key)).statusCode).toBe(429);
    a.clock.advance(1);
    expect((await chatOn(b, key)).statusCode).toBe(200);
  });

  const models = (t: TestApp, key: string) => t.app.inject({ url: "/v1/models", headers: bearer(key) });
  /** Cross-instance messages travel over real Redis pub/sub, with no signal to the sender when they arrive: a bounded wait on B's answers. */
  const within = (timeout: number, assertion: () => Promise<void>) => vi.waitFor(assertion, { timeout, interval: 1 });

  it("a revoke on instance A reaches instance B's cache within 100 ms", async () => {
    const { account } = await a.seedAccount({ plan: "pro" });
    const created = (
      await a.app.inject({
        method: "POST",
        url: `/admin/v1/accounts/${account.id}/keys`,
        headers: bearer(ADMIN_TOKEN),
        payload: { name: "shared", mode: "test" },
      })
    ).json();
    expect((await models(b, created.key)).statusCode).toBe(200); // B has the key cached from here on

    const started = performance.now();
    const revoke = await a.app.inject({ method: "DELETE", url: `/admin/v1/keys/${created.id}`, headers: bearer(ADMIN_TOKEN) });
    expect(revoke.statusCode).toBe(200);
    await within(100, async () => {
      const onB = await models(b, created.key);
      expect(onB.statusCode).toBe(401);
      expect(onB.json().error.code).toBe("revoked_api_key");
    });
    const propagation = performance.now() - started;
    process.stdout.write(`revocation propagation A → B (revoke call + pub/sub): ${propagation.toFixed(2)} ms\n`);
  });

  it("plan and limit changes on A reach B's cached keys the same way", async () => {
    const { account, key } = await a.seedAccount({ plan: "free" });
    expect((await chatOn(b, key)).headers["x-ratelimit-limit-requests"]).toBe("60");
    await a.app.inject({ method: "PATCH", url: `/admin/v1/accounts/${account.id}`, headers: bearer(ADMIN_TOKEN), payload: { plan: "enterprise" } });
    await within(100, async () => expect((await chatOn(b, key)).headers["x-ratelimit-limit-requests"]).toBe("6000"));
  });

  it("while B's invalidation channel is down, B checks keys against the database; a change it missed counts once the channel is back", async () => {
    const revokedDuringOutage = await a.seedAccount();
    const staleAfterOutage = await a.seedAccount();
    for (const { key } of [revokedDuringOutage, staleAfterOutage]) expect((await models(b, key)).statusCode).toBe(200); // cached on B

    const clients = String(await admin.client("LIST"));
    const line = clients.split("\n").find((entry) => entry.includes(`name=${b.services.redis!.bus.connectionName}`));
    const id = /id=(\d+)/.exec(line ?? "")?.[1];
    expect(id).toBeDefined();
    await admin.client("KILL", "ID", id!);
    // Made on A once B's subscription is gone: B never hears of them.
    await a.services.keys.revoke(revokedDuringOutage.keyId);
    await a.services.keys.revoke(staleAfterOutage.keyId);

    // B learns that its channel is down from its socket's close event; ioredis reconnects tens of ms later.
    await vi.waitFor(() => expect(b.services.redis!.bus.healthy).toBe(false), { timeout: 1000, interval: 1 });
    expect((await models(b, revokedDuringOutage.key)).json().error?.code).toBe("revoked_api_key");

    await vi.waitFor(() => expect(b.services.redis!.bus.healthy).toBe(true), { timeout: 5000, interval: 5 });
    expect((await models(b, staleAfterOutage.key)).json().error?.code).toBe("revoked_api_key");
  });
});
