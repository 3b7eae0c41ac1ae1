import { describe, expect, it } from "vitest";
import { MemoryRateLimiter, type LimitSpec } from "../src/index.js";

/** What only the memory limiter promises: a bounded map that forgets idle subjects first. */
describe("MemoryRateLimiter", () => {
  const spec: LimitSpec = { requestsPerMinute: 60, tokensPerMinute: 1000 };

  it("drops subjects once their buckets are full again, as calls go by", async () => {
    let clock = 0;
    const limiter = new MemoryRateLimiter({ now: () => clock });
    await limiter.admit({ subject: "acct_a", limits: spec, tokens: 10 });
    await limiter.admit({ subject: "acct_b", limits: spec, tokens: 10 });
    expect(limiter.size).toBe(2);
    // Full 1 s later (one request at 60 per minute): any call sweeps them. A
    // refund to a missing (full) bucket stores nothing itself.
    clock += 999;
    await limiter.adjustTokens("acct_c", spec, -1);
    expect(limiter.size).toBe(2);
    clock += 1;
    await limiter.adjustTokens("acct_c", spec, -1);
    expect(limiter.size).toBe(0);
  });

  it("holds at most maxSubjects, evicting the least recently used", async () => {
    const limiter = new MemoryRateLimiter({ now: () => 0, maxSubjects: 2 });
    const exhaust = async (subject: string) => {
      for (let index = 0; index < 60; index += 1) await limiter.admit({ subject, limits: spec, tokens: 0 });
    };
    await exhaust("acct_a");
    await exhaust("acct_b");
    // Touching acct_a makes acct_b the least recently used.
    expect((await limiter.admit({ subject: "acct_a", limits: spec, tokens: 0 })).allowed).toBe(false);
    await limiter.admit({ subject: "acct_c", limits: spec, tokens: 0 });
    expect(limiter.size).toBe(2);
    expect((await limiter.admit({ subject: "acct_a", limits: spec, tokens: 0 })).allowed).toBe(false);
    // acct_b was forgotten, so it starts again from a full bucket (lenient, never stricter).
    expect((await limiter.admit({ subject: "acct_b", limits: spec, tokens: 0 })).requests.remaining).toBe(59);
  });

  it("keeps the least-recently-used order when the busiest subject is updated in place", () => {
    const limiter = new MemoryRateLimiter({ now: () => 0, maxSubjects: 2 });
    const admit = (subject: string) => limiter.admitNow({ subject, limits: spec, tokens: 1 });
    admit("acct_a");
    admit("acct_a"); // the newest subject: stored in place
    limiter.adjustTokensNow("acct_a", spec, 1);
    admit("acct_b");
    admit("acct_a"); // moves acct_a after acct_b
    admit("acct_c"); // evicts acct_b, the least recently used
    expect(limiter.size).toBe(2);
    expect(admit("acct_a").requests.remaining).toBe(56);
    expect(admit("acct_b").requests.remaining).toBe(59); // forgotten: a full bucket again
    // acct_b's return evicted acct_c, the least recently used since acct_a was just touched.
    expect(admit("acct_a").tokens.remaining).toBe(1000 - 6);
    expect(admit("acct_c").requests.remaining).toBe(59);
  });

  it("adjustTokensNow corrects a reservation at once, as adjustTokens does, and checks its arguments the same way", async () => {
    const limiter = new MemoryRateLimiter({ now: () => 0 });
    limiter.admitNow({ subject: "acct_a", limits: spec, tokens: 1000 });
    limiter.adjustTokensNow("acct_a", spec, -400);
    expect(limiter.admitNow({ subject: "acct_a", limits: spec, tokens: 0 }).tokens.remaining).toBe(400);
    await limiter.adjustTokens("acct_a", spec, -100);
    expect(limiter.admitNow({ subject: "acct_a", limits: spec, tokens: 0 }).tokens.remaining).toBe(500);
    expect(() => limiter.adjustTokensNow("acct_a", spec, 0.5)).toThrow(RangeError);
    await expect(limiter.adjustTokens("acct_a", spec, 0.5)).rejects.toThrow(RangeError);
    await limiter.close();
    expect(() => limiter.adjustTokensNow("acct_a", spec, -1)).toThrow();
  });

  it("checks its options once, at construction", () => {
    expect(() => new MemoryRateLimiter({ maxSubjects: 0 })).toThrow(RangeError);
    expect(() => new MemoryRateLimiter({ maxSubjects: 1.5 })).toThrow(RangeError);
  });
});
