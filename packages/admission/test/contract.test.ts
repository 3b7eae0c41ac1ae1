import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { MAX_UNITS, type AdmitInput, type LimitSpec, type RateDecision, type RateLimiter } from "../src/index.js";
import { memoryBackend, redisBackend, type OpenedLimiters } from "./helpers.js";

/** One contract, every backend. The Redis run is skipped (with the global setup's notice) when Redis is not reachable. */
describe.each([memoryBackend, redisBackend])("rate limiter contract on $name", (backend) => {
  describe.skipIf(!backend.available)(backend.available ? "contract" : "skipped: BENTOO_TEST_REDIS_URL is not set", () => {
    let clock = 1_700_000_000_000;
    let opened: OpenedLimiters;
    let limiter: RateLimiter;

    beforeEach(async () => {
      clock = 1_700_000_000_000;
      opened = await backend.open(() => clock);
      limiter = opened.limiter;
    });
    afterEach(async () => {
      await opened.dispose();
    });

    const limits = (requestsPerMinute: number, tokensPerMinute = 1_000_000): LimitSpec => ({ requestsPerMinute, tokensPerMinute });
    const admit = (subject: string, spec: LimitSpec, tokens = 0): Promise<RateDecision> => limiter.admit({ subject, limits: spec, tokens });
    /** Admits `count` times in sequence at the current instant; returns how many were allowed. */
    const burst = async (subject: string, spec: LimitSpec, count: number): Promise<number> => {
      let allowed = 0;
      for (let index = 0; index < count; index += 1) if ((await admit(subject, spec)).allowed) allowed += 1;
      return allowed;
    };

    it("a fresh bucket allows exactly the limit at one instant, then refuses with the time to one refill", async () => {
      const spec = limits(60);
      for (let index = 0; index < 60; index += 1) {
        const decision = await admit("acct_a", spec, 10);
        expect(decision).toMatchObject({ allowed: true, limitedBy: null, retryAfterMs: null });
        expect(decision.requests).toEqual({ limit: 60, remaining: 59 - index, resetMs: (index + 1) * 1000 });
      }
      expect(await admit("acct_a", spec, 10)).toEqual({
        allowed: false,
        limitedBy: "requests",
        requests: { limit: 60, remaining: 0, resetMs: 60_000 },
        // 600 tokens taken at 1,000,000 per minute refill in 36 ms.
        tokens: { limit: 1_000_000, remaining: 999_400, resetMs: 36 },
        retryAfterMs: 1000,
      });
    });

    it("refills continuously: one more after the retry time, a full bucket after a minute", async () => {
      const spec = limits(60);
      expect(await burst("acct_a", spec, 60)).toBe(60);
      clock += 999;
      expect(await admit("acct_a", spec)).toMatchObject({ allowed: false, retryAfterMs: 1 });
      clock += 1;
      expect(await admit("acct_a", spec)).toMatchObject({ allowed: true, requests: { remaining: 0, resetMs: 60_000 } });
      expect(await admit("acct_a", spec)).toMatchObject({ allowed: false, retryAfterMs: 1000 });
      clock += 30_000;
      expect(await admit("acct_a", spec)).toMatchObject({ allowed: true, requests: { remaining: 29, resetMs: 31_000 } });
      clock += 60_000;
      expect(await admit("acct_a", spec)).toMatchObject({ allowed: true, requests: { limit: 60, remaining: 59, resetMs: 1000 } });
    });

    it("never refuses requests spread exactly at the refill rate, even when the rate is not a whole number of ms", async () => {
      for (const [subject, limit] of [["acct_odd", 7], ["acct_even", 60]] as const) {
        const interval = Math.ceil(60_000 / limit);
        expect(await burst(subject, limits(limit), limit)).toBe(limit);
        for (let index = 0; index < 3 * limit; index += 1) {
          clock += interval;
          expect((await admit(subject, limits(limit))).allowed).toBe(true);
        }
      }
      // At 60 per minute the spacing is exact, so the bucket is still empty: 1 ms early is too early.
      clock += 999;
      expect(await admit("acct_even", limits(60))).toMatchObject({ allowed: false, retryAfterMs: 1 });
    });

    it("gives exactly the limit to a burst right after a full refill", async () => {
      const spec = limits(25);
      expect(await burst("acct_a", spec, 25)).toBe(25);
      clock += 60_000;
      expect(await burst("acct_a", spec, 40)).toBe(25);
    });

    it("refuses a token reservation larger than what is left and takes nothing, not even the request", async () => {
      const spec = limits(100, 1000);
      expect(await admit("acct_a", spec, 600)).toMatchObject({ allowed: true, tokens: { remaining: 400, resetMs: 36_000 } });
      expect(await admit("acct_a", spec, 500)).toEqual({
        allowed: false,
        limitedBy: "tokens",
        requests: { limit: 100, remaining: 99, resetMs: 600 },
        tokens: { limit: 1000, remaining: 400, resetMs: 36_000 },
        retryAfterMs: 6000,
      });
      expect(await admit("acct_a", spec, 400)).toMatchObject({ allowed: true, requests: { remaining: 98 }, tokens: { remaining: 0 } });
    });

    it("adjustTokens gives tokens back (capped at capacity) and a charge creates debt that delays the next admit", async () => {
      const spec = limits(100, 1000);
      await admit("acct_a", spec, 1000);
      await limiter.adjustTokens("acct_a", spec, -300);
      expect((await admit("acct_a", spec)).tokens).toEqual({ limit: 1000, remaining: 300, resetMs: 42_000 });
      await limiter.adjustTokens("acct_a", spec, -5000);
      expect((await admit("acct_a", spec)).tokens).toEqual({ limit: 1000, remaining: 1000, resetMs: 0 });

      await admit("acct_a", spec, 1000);
      await limiter.adjustTokens("acct_a", spec, 500);
      expect(await admit("acct_a", spec)).toMatchObject({
        allowed: false,
        limitedBy: "tokens",
        tokens: { remaining: 0, resetMs: 90_000 },
        retryAfterMs: 30_000,
      });
      clock += 30_000;
      expect(await admit("acct_a", spec)).toMatchObject({ allowed: true, tokens: { remaining: 0, resetMs: 60_000 } });
    });

    it("adjustTokens on a missing bucket treats it as full and never throws", async () => {
      const spec = limits(100, 1000);
      await expect(limiter.adjustTokens("acct_never_seen", spec, -100)).resolves.toBeUndefined();
      expect((await admit("acct_never_seen", spec)).tokens.remaining).toBe(1000);
      await expect(limiter.adjustTokens("acct_new", spec, 100)).resolves.toBeUndefined();
      expect((await admit("acct_new", spec, 50)).tokens.remaining).toBe(850);
      await expect(limiter.adjustTokens("acct_new", spec, 0)).resolves.toBeUndefined();
    });

    it("clamps the check of a reservation above capacity: it waits for a full bucket, then takes it all as debt", async () => {
      const spec = limits(100, 1000);
      await admit("acct_a", spec, 1);
      expect(await admit("acct_a", spec, 5000)).toMatchObject({ allowed: false, limitedBy: "tokens", retryAfterMs: 60 });
      clock += 60;
      expect(await admit("acct_a", spec, 5000)).toMatchObject({ allowed: true, tokens: { remaining: 0, resetMs: 300_000 } });
      expect(await admit("acct_a", spec, 1)).toMatchObject({ allowed: false, limitedBy: "tokens", retryAfterMs: 240_060 });
      // The response used 1000 tokens: the refund clears the debt.
      await limiter.adjustTokens("acct_a", spec, -4000);
      expect(await admit("acct_a", spec, 0)).toMatchObject({ allowed: true, tokens: { remaining: 0, resetMs: 60_000 } });
    });

    it("checks requests first and reports both states", async () => {
      const spec = limits(2, 100);
      expect((await admit("acct_a", spec, 60)).allowed).toBe(true);
      expect(await admit("acct_a", spec, 60)).toMatchObject({ allowed: false, limitedBy: "tokens", requests: { remaining: 1 } });
      expect((await admit("acct_a", spec, 40)).allowed).toBe(true);
      expect(await admit("acct_a", spec, 1000)).toEqual({
        allowed: false,
        limitedBy: "requests",
        requests: { limit: 2, remaining: 0, resetMs: 60_000 },
        tokens: { limit: 100, remaining: 0, resetMs: 60_000 },
        // A retry needs both one request (30 s) and a full token bucket (60 s).
        retryAfterMs: 60_000,
      });
    });

    it("keeps subjects independent", async () => {
      const spec = limits(3, 100);
      expect(await burst("acct_a", spec, 5)).toBe(3);
      expect(await admit("acct_b", spec, 100)).toMatchObject({ allowed: true, requests: { remaining: 2 }, tokens: { remaining: 0 } });
      expect((await admit("acct_a", spec)).tokens.remaining).toBe(100);
    });

    it("admits exactly the limit out of 100 concurrent calls split over two limiter instances", async () => {
      const spec = limits(30);
      const call = (target: RateLimiter) => target.admit({ subject: "acct_busy", limits: spec, tokens: 1 });
      const decisions = await Promise.all(
        Array.from({ length: 100 }, (_, index) => call(index % 2 === 0 ? opened.limiter : opened.peer)),
      );
      const allowed = decisions.filter((decision) => decision.allowed);
      expect(allowed).toHaveLength(30);
      // Atomic check-and-take: every allowed call saw a different remaining count.
      expect(allowed.map((decision) => decision.requests.remaining).sort((a, b) => a - b)).toEqual(Array.from({ length: 30 }, (_, index) => index));
      expect(decisions.filter((decision) => !decision.allowed).every((decision) => decision.limitedBy === "requests")).toBe(true);
      expect((await call(opened.peer)).tokens.remaining).toBe(1_000_000 - 30);
    });

    it("applies a limit change on the very next call, keeping what was used", async () => {
      expect(await burst("acct_a", limits(10), 11)).toBe(10);
      expect(await admit("acct_a", limits(100))).toMatchObject({ allowed: true, requests: { limit: 100, remaining: 89 } });
      // A downgrade below what was used leaves the bucket in debt: 11 used, 5 allowed.
      expect(await admit("acct_a", limits(5))).toMatchObject({
        allowed: false,
        limitedBy: "requests",
        requests: { limit: 5, remaining: 0, resetMs: 132_000 },
        retryAfterMs: 84_000,
      });
    });

    it("refills nothing when the clock steps back", async () => {
      const spec = limits(2);
      expect(await burst("acct_a", spec, 2)).toBe(2);
      const start = clock;
      clock -= 5000;
      expect(await admit("acct_a", spec)).toMatchObject({ allowed: false, limitedBy: "requests" });
      clock = start + 29_999;
      expect((await admit("acct_a", spec)).allowed).toBe(false);
      clock = start + 30_000;
      expect(await admit("acct_a", spec)).toMatchObject({ allowed: true, requests: { remaining: 0, resetMs: 60_000 } });
    });

    it("stays exact at the largest limits", async () => {
      const spec = limits(MAX_UNITS, MAX_UNITS);
      expect(await admit("acct_big", spec, MAX_UNITS - 1)).toMatchObject({ allowed: true, tokens: { remaining: 1, resetMs: 60_000 } });
      await limiter.adjustTokens("acct_big", spec, MAX_UNITS);
      clock += 1;
      expect(await admit("acct_big", spec, 0)).toMatchObject({
        allowed: false,
        tokens: { remaining: 0, resetMs: 119_999 },
        retryAfterMs: 59_999,
      });
    });

    it("rejects invalid arguments with a RangeError", async () => {
      const valid: AdmitInput = { subject: "acct_a", limits: limits(10, 100), tokens: 1 };
      await expect(limiter.admit({ ...valid, tokens: -1 })).rejects.toThrow(RangeError);
      await expect(limiter.admit({ ...valid, tokens: 1.5 })).rejects.toThrow(RangeError);
      await expect(limiter.admit({ ...valid, tokens: MAX_UNITS + 1 })).rejects.toThrow(RangeError);
      await expect(limiter.admit({ ...valid, limits: limits(0, 100) })).rejects.toThrow(RangeError);
      await expect(limiter.admit({ ...valid, limits: limits(10, Number.NaN) })).rejects.toThrow(RangeError);
      await expect(limiter.admit({ ...valid, subject: "" })).rejects.toThrow(RangeError);
      await expect(limiter.adjustTokens("acct_a", limits(10, 100), 0.5)).rejects.toThrow(RangeError);
    });

    it("refuses calls after close", async () => {
      await limiter.close();
      await expect(admit("acct_a", limits(10))).rejects.toThrow(/closed/);
    });
  });
});
