import { once } from "node:events";
import { type AddressInfo, connect, createServer, type Socket } from "node:net";
import { deleteRedisKeys, type FakeUpstream, startFakeUpstream, testRedisPrefix, testRedisUrl } from "@bentoo/test-kit";
import { afterEach, describe, expect, it } from "vitest";
import { ADMIN_TOKEN, bearer, createTestApp, pricedCatalog, type TestApp } from "./helpers.js";

const redisUrl = testRedisUrl();
const CHAT = { model: "openai/gpt-6-luna", messages: [{ role: "user", content: "hi" }], max_tokens: 4 };

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

  it("logs one line per kind per 5 s with the count of those held back, not one per request", async () => {
    const { chat, live, test } = await start("allow");
    const outageLines = () =>
      t!.logs.lines
        .map((line) => JSON.parse(line) as { msg: string; suppressed?: number })
        .filter((line) => /admission unreachable|credit balance/.test(line.msg));
    for (let index = 0; index < 40; index += 1) {
      expect((await chat(test.key)).statusCode).toBe(200);
      expect((await chat(live.key)).statusCode).toBe(503);
    }
    // 80 requests could not reach admission, 40 of them answered 503: one line of each kind so far.
    expect(outageLines().map((line) => line.msg)).toEqual(["admission unreachable", "The credit balance cannot be checked right now; retry shortly."]);
    t!.clock.advance(5000);
    expect((await chat(live.key)).statusCode).toBe(503);
    expect(outageLines().slice(2)).toEqual([
      expect.objectContaining({ msg: "admission unreachable (79 more in the last 5 s)", suppressed: 79 }),
      expect.objectContaining({ msg: "The credit balance cannot be checked right now; retry shortly. (39 more in the last 5 s)", suppressed: 39 }),
    ]);
  });

  it("a Redis that goes away: reconnect failures are one log line per 5 s, not a stderr print per attempt", async () => {
    // A TCP relay to the test Redis that the test can take down, as a Redis restart or a network cut would.
    const target = new URL(redisUrl!);
    const sockets = new Set<Socket>();
    const relay = createServer((client) => {
      const server = connect(Number(target.port || 6379), target.hostname || "127.0.0.1");
      for (const socket of [client, server]) {
        sockets.add(socket);
        socket.on("error", () => undefined);
        socket.on("close", () => {
          client.destroy();
          server.destroy();
        });
      }
      client.pipe(server).pipe(client);
    });
    relay.listen(0, "127.0.0.1");
    await once(relay, "listening");
    const relayUrl = `redis://127.0.0.1:${(relay.address() as AddressInfo).port}`;
    t = await createTestApp({ env: { BENTOO_REDIS_URL: relayUrl, BENTOO_REDIS_PREFIX: prefix } });
    const { key } = await t.seedAccount({ mode: "test" });
    expect((await t.app.inject({ method: "POST", url: "/v1/chat/completions", headers: bearer(key), payload: CHAT })).statusCode).toBe(200);
    relay.close();
    for (const socket of sockets) socket.destroy();
    const redisLines = () => t!.logs.lines.filter((line) => line.includes("Redis connection error"));
    // ioredis retries after 100, 200, 300 … ms: several failed attempts on each of the three connections.
    const deadline = Date.now() + 5000;
    while (t.services.redis!.client.status !== "reconnecting" || redisLines().length === 0) {
      if (Date.now() > deadline) throw new Error("Redis never reported the lost connection");
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(redisLines()).toHaveLength(1);
    expect(JSON.parse(redisLines()[0]!)).toMatchObject({ level: 40, msg: "Redis connection error" });
    // Revocations still work (this instance drops its cached key at once); their broadcasts fail, logged once.
    const account = (await t.seedAccount({ mode: "test" })).account;
    for (let index = 0; index < 3; index += 1) {
      const issued = await t.services.keys.create(account, { name: `revoked-${index}`, mode: "test" });
      expect((await t.app.inject({ method: "DELETE", url: `/admin/v1/keys/${issued.record.id}`, headers: bearer(ADMIN_TOKEN) })).statusCode).toBe(200);
    }
    expect(t.logs.lines.filter((line) => line.includes("could not publish a key-cache invalidation"))).toHaveLength(1);
  });

  it("with BENTOO_RATE_LIMIT_ON_REDIS_ERROR=deny, rate-limited requests are refused too", async () => {
    const { chat, test } = await start("deny");
    const refused = await chat(test.key);
    expect(refused.statusCode).toBe(503);
    expect(refused.json().error.message).toContain("Rate limits cannot be checked");
  });
});
