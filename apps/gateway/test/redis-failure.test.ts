import { deleteRedisKeys, type FakeUpstream, startFakeUpstream, testRedisPrefix, testRedisUrl } from "@bentoo/test-kit";
import { afterEach, describe, expect, it } from "vitest";
import { bearer, createTestApp, pricedCatalog, type TestApp } from "./helpers.js";

const redisUrl = testRedisUrl();

/** What happens when Redis goes away under a running instance (docs/credits-and-limits.md). */
describe.skipIf(redisUrl === undefined)("Redis unreachable", () => {
  let t: TestApp | undefined;
  let upstream: FakeUpstream | undefined;
  const prefix = testRedisPrefix();
  afterEach(async () => {
    await t?.dispose();
    await upstream?.close();
    await deleteRedisKeys(redisUrl!, prefix);
  });

  async function start(policy: "allow" | "deny") {
    upstream = await startFakeUpstream({ record: false });
    t = await createTestApp({
      catalog: pricedCatalog(upstream),
      env: { BENTOO_REDIS_URL: redisUrl!, BENTOO_REDIS_PREFIX: prefix, BENTOO_RATE_LIMIT_ON_REDIS_ERROR: policy },
    });
    const live = await t.seedAccount({ mode: "live", plan: "pro", balanceMicros: 1_000_000 });
    const test = await t.seedAccount({ mode: "test", plan: "pro" });
    const chat = (key: string) =>
      t!.app.inject({
        method: "POST",
        url: "/v1/chat/completions",
        headers: bearer(key),
        payload: { model: "fake/chat", messages: [{ role: "user", content: "hi" }], max_tokens: 4 },
      });
    expect((await chat(live.key)).statusCode).toBe(200);
    expect((await chat(test.key)).statusCode).toBe(200);
    // Cut this instance off from Redis: commands now fail at once (no offline queue).
    t.services.redis!.client.disconnect();
    return { chat, live, test };
  }

  it("credits fail closed (503) while rate limits fail open by default; readiness reports it", async () => {
    const { chat, live, test } = await start("allow");
    const paid = await chat(live.key);
    expect(paid.statusCode).toBe(503);
    expect(paid.json().error.code).toBe("service_unavailable");
    expect(paid.json().error.message).toContain("credit balance cannot be checked");
    const sandbox = await chat(test.key);
    expect(sandbox.statusCode).toBe(200);
    expect(sandbox.headers["x-ratelimit-limit-requests"]).toBeUndefined();
    const ready = await t!.app.inject({ url: "/readyz" });
    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toMatchObject({ storage: "ok", redis: "unreachable" });
    const metrics = await t!.app.inject({ url: "/metrics" });
    expect(metrics.body).toMatch(/bentoo_limiter_decisions_total\{decision="limiter_unavailable"\} [1-9]/);
  });

  it("with BENTOO_RATE_LIMIT_ON_REDIS_ERROR=deny, rate-limited requests are refused too", async () => {
    const { chat, test } = await start("deny");
    const refused = await chat(test.key);
    expect(refused.statusCode).toBe(503);
    expect(refused.json().error.message).toContain("Rate limits cannot be checked");
  });
});
