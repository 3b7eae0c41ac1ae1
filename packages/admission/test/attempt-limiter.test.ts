import { deleteKeysUnder, testRedisPrefix, testRedisUrl } from "@bentoo/test-kit";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AttemptCheck, type AttemptLimiter, MemoryAttemptLimiter, RedisAttemptLimiter } from "../src/index.js";
import { connectTestRedis } from "./helpers.js";

interface Opened {
  limiter: AttemptLimiter;
  /** A second instance over the same state (a second client for Redis, the same limiter in memory). */
  peer: AttemptLimiter;
  dispose(): Promise<void>;
}

interface Backend {
  name: "memory" | "redis";
  available: boolean;
  open(now: () => number): Promise<Opened>;
}

const redisUrl = testRedisUrl();
const backends: Backend[] = [
  {
    name: "memory",
    available: true,
    async open(now) {
      const limiter = new MemoryAttemptLimiter({ now });
      return { limiter, peer: limiter, dispose: async () => undefined };
    },
  },
  {
    name: "redis",
    available: redisUrl !== undefined,
    async open(now) {
      const keyPrefix = testRedisPrefix();
      const first = await connectTestRedis(redisUrl!);
      const second = await connectTestRedis(redisUrl!);
      return {
        limiter: new RedisAttemptLimiter({ redis: first, keyPrefix, now }),
        peer: new RedisAttemptLimiter({ redis: second, keyPrefix, now }),
        async dispose() {
          await deleteKeysUnder(first, keyPrefix);
          await Promise.all([first.quit(), second.quit()]);
        },
      };
    },
  },
];

/** One contract, both implementations (Redis skipped with the global setup's notice when unreachable). */
describe.each(backends)("attempt limiter contract on $name", (backend) => {
  describe.skipIf(!backend.available)(backend.available ? "contract" : "skipped: BENTOO_TEST_REDIS_URL is not set", () => {
    let clock = 1_700_000_000_000;
    let opened: Opened;
    let subject = 0;
    beforeAll(async () => {
      opened = await backend.open(() => clock);
    });
    afterAll(() => opened?.dispose());
    /** A fresh subject per test: tests share one state. */
    const fresh = (name: string) => {
      subject += 1;
      return `${name}:${subject}`;
    };
    const bucket = (key: string, burst: number, intervalMs: number): AttemptCheck => ({ key, rule: { kind: "bucket", burst, intervalMs } });
    const backoff = (key: string, waitsMs: number[], forgetMs: number): AttemptCheck => ({ key, rule: { kind: "backoff", waitsMs, forgetMs } });

    it("a bucket allows its burst, then one attempt per interval, and says how long to wait", async () => {
      const check = bucket(fresh("signup"), 3, 1000);
      for (let index = 0; index < 3; index += 1) expect(await opened.limiter.attempt([check])).toEqual({ allowed: true });
      expect(await opened.limiter.attempt([check])).toEqual({ allowed: false, retryAfterMs: 1000, refusedBy: 0 });
      clock += 999;
      expect(await opened.peer.attempt([check])).toEqual({ allowed: false, retryAfterMs: 1, refusedBy: 0 });
      clock += 1;
      expect(await opened.peer.attempt([check])).toEqual({ allowed: true });
      expect(await opened.limiter.attempt([check])).toEqual({ allowed: false, retryAfterMs: 1000, refusedBy: 0 });
      clock += 3000;
      for (let index = 0; index < 3; index += 1) expect((await opened.limiter.attempt([check])).allowed).toBe(true);
      expect((await opened.limiter.attempt([check])).allowed).toBe(false);
    });

    it("a refund gives one attempt back to a bucket", async () => {
      const check = bucket(fresh("refund"), 2, 60_000);
      await opened.limiter.attempt([check]);
      await opened.limiter.attempt([check]);
      expect((await opened.limiter.attempt([check])).allowed).toBe(false);
      await opened.peer.refund([check]);
      expect(await opened.limiter.attempt([check])).toEqual({ allowed: true });
      expect((await opened.limiter.attempt([check])).allowed).toBe(false);
      // Refunding a bucket that is full changes nothing.
      const untouched = bucket(fresh("refund"), 1, 60_000);
      await opened.limiter.refund([untouched]);
      expect(await opened.limiter.attempt([untouched])).toEqual({ allowed: true });
      expect((await opened.limiter.attempt([untouched])).allowed).toBe(false);
    });

    it("a backoff waits longer after each attempt, holds its last wait, and forgets after a quiet period", async () => {
      const check = backoff(fresh("pair"), [0, 0, 1000, 5000], 10_000);
      for (let index = 0; index < 3; index += 1) expect(await opened.limiter.attempt([check])).toEqual({ allowed: true });
      expect(await opened.limiter.attempt([check])).toEqual({ allowed: false, retryAfterMs: 1000, refusedBy: 0 });
      clock += 1000;
      expect(await opened.peer.attempt([check])).toEqual({ allowed: true });
      expect(await opened.limiter.attempt([check])).toEqual({ allowed: false, retryAfterMs: 5000, refusedBy: 0 });
      clock += 5000;
      expect(await opened.limiter.attempt([check])).toEqual({ allowed: true });
      // Five attempts: the last wait applies to every further one.
      clock += 4999;
      expect(await opened.limiter.attempt([check])).toEqual({ allowed: false, retryAfterMs: 1, refusedBy: 0 });
      // Forgotten 10 s after the wait ended: three attempts back to back again.
      clock += 1 + 10_000;
      for (let index = 0; index < 3; index += 1) expect(await opened.limiter.attempt([check])).toEqual({ allowed: true });
      expect((await opened.limiter.attempt([check])).allowed).toBe(false);
    });

    it("reset forgets a backoff; refund takes one attempt off it", async () => {
      const check = backoff(fresh("pair"), [0, 60_000], 60_000);
      await opened.limiter.attempt([check]);
      await opened.limiter.attempt([check]);
      expect((await opened.limiter.attempt([check])).allowed).toBe(false);
      await opened.peer.refund([check]);
      expect(await opened.limiter.attempt([check])).toEqual({ allowed: true });
      expect((await opened.limiter.attempt([check])).allowed).toBe(false);
      await opened.peer.reset([check.key]);
      expect(await opened.limiter.attempt([check])).toEqual({ allowed: true });
    });

    it("all or nothing: a refused attempt counts in none of its checks, and names the longest wait", async () => {
      const address = bucket(fresh("ip"), 1, 60_000);
      const pair = backoff(fresh("pair"), [0, 0, 30_000], 60_000);
      const email = bucket(fresh("email"), 1, 5_000);
      expect(await opened.limiter.attempt([address])).toEqual({ allowed: true });
      await opened.limiter.attempt([email]);
      for (let index = 0; index < 5; index += 1)
        expect(await opened.limiter.attempt([pair, email, address])).toEqual({ allowed: false, retryAfterMs: 60_000, refusedBy: 2 });
      // The pair was never counted: after three attempts it waits.
      for (let index = 0; index < 3; index += 1) expect(await opened.limiter.attempt([pair])).toEqual({ allowed: true });
      expect(await opened.limiter.attempt([pair])).toEqual({ allowed: false, retryAfterMs: 30_000, refusedBy: 0 });
    });

    it("concurrent attempts from two instances: exactly the burst gets through", async () => {
      const check = bucket(fresh("flood"), 5, 60_000);
      const decisions = await Promise.all(Array.from({ length: 40 }, (_, index) => (index % 2 === 0 ? opened.limiter : opened.peer).attempt([check])));
      expect(decisions.filter((decision) => decision.allowed)).toHaveLength(5);
    });

    it("rejects invalid rules as a caller's bug", async () => {
      await expect(opened.limiter.attempt([bucket(fresh("bad"), 0, 1000)])).rejects.toBeInstanceOf(RangeError);
      await expect(opened.limiter.attempt([backoff(fresh("bad"), [], 1000)])).rejects.toBeInstanceOf(RangeError);
      await expect(opened.limiter.attempt([])).rejects.toBeInstanceOf(RangeError);
    });
  });
});

describe.skipIf(redisUrl === undefined)("attempt limiter in Redis", () => {
  let redis: Redis;
  const keyPrefix = testRedisPrefix();
  beforeAll(async () => {
    redis = await connectTestRedis(redisUrl!);
  });
  afterAll(async () => {
    await deleteKeysUnder(redis, keyPrefix);
    await redis.quit();
  });

  it("stores hashed subjects that expire, never the email or the address itself", async () => {
    const limiter = new RedisAttemptLimiter({ redis, keyPrefix });
    const subject = "signin:ada@example.com|203.0.113.7";
    await limiter.attempt([{ key: subject, rule: { kind: "backoff", waitsMs: [0, 1000], forgetMs: 60_000 } }]);
    const keys: string[] = [];
    for (let cursor = "0", first = true; first || cursor !== "0"; first = false) {
      const [next, found] = await redis.scan(cursor, "MATCH", `${keyPrefix}*`, "COUNT", 1000);
      cursor = next;
      keys.push(...found);
    }
    expect(keys).toEqual([limiter.keyOf(subject)]);
    expect(keys[0]).not.toContain("ada");
    expect(keys[0]).not.toContain("203.0.113.7");
    const ttl = await redis.pttl(keys[0]!);
    expect(ttl).toBeGreaterThan(59_000);
    expect(ttl).toBeLessThanOrEqual(60_000);
  });
});
