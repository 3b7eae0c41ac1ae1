import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Redis } from "ioredis";
import { MemoryRateLimiter, RedisRateLimiter, type LimitSpec, type RedisScriptClient } from "../src/index.js";
import { deleteKeysUnder } from "@bentoo/test-kit";
import { connectTestRedis, testKeyPrefix, testRedisUrl } from "./helpers.js";

/** What only the Redis limiter promises: a shared server clock, expiring keys, script caching, failing fast. */
describe.skipIf(testRedisUrl === undefined)("RedisRateLimiter", () => {
  const keyPrefix = testKeyPrefix();
  let redis: Redis;

  beforeAll(async () => {
    if (testRedisUrl === undefined) throw new Error("BENTOO_TEST_REDIS_URL is not set");
    redis = await connectTestRedis(testRedisUrl);
  });
  afterAll(async () => {
    await deleteKeysUnder(redis, keyPrefix);
    await redis.quit();
  });

  const spec: LimitSpec = { requestsPerMinute: 3, tokensPerMinute: 1000 };

  /** A client that counts the script calls it passes on. */
  function countingClient(target: Redis) {
    const counting = {
      calls: 0,
      reset: () => (counting.calls = 0),
      client: {
        evalsha: (...args) => ((counting.calls += 1), target.evalsha(...args)),
        eval: (...args) => ((counting.calls += 1), target.eval(...args)),
      } satisfies RedisScriptClient,
    };
    return counting;
  }

  it("uses Redis TIME when no clock is given: 5 quick admits at 3 per minute allow exactly 3", async () => {
    const limiter = new RedisRateLimiter({ redis, keyPrefix });
    const decisions = [];
    for (let index = 0; index < 5; index += 1) decisions.push(await limiter.admit({ subject: "acct_time", limits: spec, tokens: 1 }));
    expect(decisions.map((decision) => decision.allowed)).toEqual([true, true, true, false, false]);
    const refused = decisions[4];
    // One request refills every 20 s; a few ms of real time passed since the first admit.
    expect(refused?.retryAfterMs).toBeGreaterThan(19_000);
    expect(refused?.retryAfterMs).toBeLessThanOrEqual(20_000);
  });

  it("stores each subject under a hash-tagged key that expires about when its bucket is full", async () => {
    const limiter = new RedisRateLimiter({ redis, keyPrefix });
    const decision = await limiter.admit({ subject: "acct_ttl", limits: spec, tokens: 100 });
    const keys = limiter.keysFor("acct_ttl");
    expect(keys).toEqual({ requests: `${keyPrefix}rl:{acct_ttl}:req`, tokens: `${keyPrefix}rl:{acct_ttl}:tok` });
    const requestsTtl = await redis.pttl(keys.requests);
    const tokensTtl = await redis.pttl(keys.tokens);
    expect(requestsTtl).toBeGreaterThan(decision.requests.resetMs - 1000);
    expect(requestsTtl).toBeLessThanOrEqual(decision.requests.resetMs + 1000);
    expect(tokensTtl).toBeGreaterThan(decision.tokens.resetMs - 1000);
    expect(tokensTtl).toBeLessThanOrEqual(decision.tokens.resetMs + 1000);
    // A full bucket is not stored at all: refunding everything deletes the key.
    await limiter.adjustTokens("acct_ttl", spec, -100);
    expect(await redis.exists(keys.tokens)).toBe(0);
  });

  it("sends the token adjustments of one turn of the event loop as one call per subject and sign", async () => {
    const counting = countingClient(redis);
    const limiter = new RedisRateLimiter({ redis: counting.client, keyPrefix });
    const wide: LimitSpec = { requestsPerMinute: 100, tokensPerMinute: 100_000 };
    await limiter.admit({ subject: "acct_sum", limits: wide, tokens: 50_000 });
    counting.reset();
    // Twenty requests settle together, each giving 1,000 tokens back; one was charged 400 more.
    await Promise.all([...Array.from({ length: 20 }, () => limiter.adjustTokens("acct_sum", wide, -1000)), limiter.adjustTokens("acct_sum", wide, 400)]);
    expect(counting.calls).toBe(2);
    // Same outcome as twenty-one separate calls: 50,000 − 20,000 + 400 tokens in use.
    const after = await limiter.admit({ subject: "acct_sum", limits: wide, tokens: 0 });
    expect(after.tokens.remaining).toBeGreaterThanOrEqual(100_000 - 30_400);
    expect(after.tokens.remaining).toBeLessThan(100_000 - 30_400 + 100); // refill over a few ms
  });

  it("decides the admissions of one turn in one call per subject, exactly as the memory limiter decides them one by one", async () => {
    const counting = countingClient(redis);
    const clock = 1_700_000_000_000;
    const shared = new RedisRateLimiter({ redis: counting.client, keyPrefix, now: () => clock });
    const memory = new MemoryRateLimiter({ now: () => clock });
    const small: LimitSpec = { requestsPerMinute: 5, tokensPerMinute: 1_000 };
    // Two subjects interleaved; token sizes chosen so that both limits refuse some, and a small request passes after a big one is refused.
    const inputs = [300, 300, 600, 100, 0, 50, 50].flatMap((tokens) => [
      { subject: "acct_turn_a", limits: small, tokens },
      { subject: "acct_turn_b", limits: small, tokens: tokens * 2 },
    ]);
    const expected = [];
    for (const input of inputs) expected.push(await memory.admit(input));
    const decided = await Promise.all(inputs.map((input) => shared.admit(input)));
    expect(counting.calls).toBe(2);
    expect(decided).toEqual(expected);
    expect(new Set(decided.map((decision) => decision.limitedBy))).toEqual(new Set([null, "requests", "tokens"]));
    // The buckets were written once, with everything taken: the next turn sees it.
    counting.reset();
    const next = await shared.admit({ subject: "acct_turn_a", limits: small, tokens: 0 });
    expect(next).toEqual(await memory.admit({ subject: "acct_turn_a", limits: small, tokens: 0 }));
    expect(counting.calls).toBe(1);
  });

  it("keeps admissions with different limits apart within a turn (a plan change applies to the very next request)", async () => {
    const counting = countingClient(redis);
    const limiter = new RedisRateLimiter({ redis: counting.client, keyPrefix });
    const [before, after] = await Promise.all([
      limiter.admit({ subject: "acct_turn_plan", limits: { requestsPerMinute: 2, tokensPerMinute: 100 }, tokens: 1 }),
      limiter.admit({ subject: "acct_turn_plan", limits: { requestsPerMinute: 50, tokensPerMinute: 100 }, tokens: 1 }),
    ]);
    expect(counting.calls).toBe(2);
    expect(before?.requests).toMatchObject({ limit: 2, remaining: 1 });
    expect(after?.requests).toMatchObject({ limit: 50, remaining: 48 });
  });

  it("reloads its script after the server forgot it (NOSCRIPT)", async () => {
    let forgotten = 0;
    const forgetful: RedisScriptClient = {
      async evalsha(sha, numberOfKeys, ...rest) {
        if (forgotten === 0) {
          forgotten += 1;
          throw new Error("NOSCRIPT No matching script. Please use EVAL.");
        }
        return redis.evalsha(sha, numberOfKeys, ...rest);
      },
      eval: (source, numberOfKeys, ...rest) => redis.eval(source, numberOfKeys, ...rest),
    };
    const limiter = new RedisRateLimiter({ redis: forgetful, keyPrefix });
    expect((await limiter.admit({ subject: "acct_noscript", limits: spec, tokens: 1 })).allowed).toBe(true);
    expect(forgotten).toBe(1);
    expect((await limiter.admit({ subject: "acct_noscript", limits: spec, tokens: 1 })).requests.remaining).toBe(1);
  });

  it("rejects quickly, instead of hanging, when Redis is unreachable", async () => {
    const dead = new Redis({ host: "127.0.0.1", port: 1, enableOfflineQueue: false, maxRetriesPerRequest: 1 });
    dead.on("error", () => undefined); // connection errors are expected here
    try {
      const limiter = new RedisRateLimiter({ redis: dead, keyPrefix });
      const started = Date.now();
      await expect(limiter.admit({ subject: "acct_dead", limits: spec, tokens: 1 })).rejects.toThrow();
      await expect(limiter.adjustTokens("acct_dead", spec, 5)).rejects.toThrow();
      expect(Date.now() - started).toBeLessThan(2000);
    } finally {
      dead.disconnect();
    }
  });

  it("agrees with the memory limiter decision for decision on a random workload", async () => {
    let clock = 1_700_000_000_000;
    const memory = new MemoryRateLimiter({ now: () => clock });
    const shared = new RedisRateLimiter({ redis, keyPrefix, now: () => clock });
    // A fixed-seed generator, so a failure replays identically.
    let seed = 20_240_601;
    const random = (below: number) => {
      seed = (Math.imul(seed, 1_664_525) + 1_013_904_223) >>> 0;
      return Math.floor((seed / 2 ** 32) * below);
    };
    const plans: LimitSpec[] = [
      { requestsPerMinute: 7, tokensPerMinute: 997 },
      { requestsPerMinute: 60, tokensPerMinute: 40_000 },
      { requestsPerMinute: 3, tokensPerMinute: 150 },
    ];
    const seen = { allowed: 0, requests: 0, tokens: 0 };
    for (let step = 0; step < 600; step += 1) {
      clock += random(20) === 0 ? random(60_000) : random(300);
      // One plan per subject: after a limit change the two forget a bucket at
      // different moments (PEXPIRE runs on real time, the sweep on this clock),
      // so limit changes are covered by the contract suite instead.
      const plan = random(plans.length);
      const subject = `acct_random_${plan}`;
      const limits = plans[plan];
      if (limits === undefined) throw new Error("no such plan");
      if (random(4) === 0) {
        const delta = random(2_000) - 1_000;
        await memory.adjustTokens(subject, limits, delta);
        await shared.adjustTokens(subject, limits, delta);
      } else {
        // Mostly small reservations, so the request limit gets hit too; sometimes past capacity.
        const tokens = random(8) === 0 ? random(limits.tokensPerMinute + 200) : random(Math.ceil(limits.tokensPerMinute / 40));
        const input = { subject, limits, tokens };
        const expected = await memory.admit(input);
        expect(await shared.admit(input), `step ${step}`).toEqual(expected);
        seen[expected.limitedBy ?? "allowed"] += 1;
      }
    }
    // The workload must exercise every outcome, or the comparison proves little.
    expect(seen.allowed).toBeGreaterThan(20);
    expect(seen.requests).toBeGreaterThan(20);
    expect(seen.tokens).toBeGreaterThan(20);
  });
});
