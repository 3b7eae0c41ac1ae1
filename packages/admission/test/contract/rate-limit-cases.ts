import { expect, it } from "vitest";
import { MAX_UNITS } from "../../src/index.js";
import { ticketOf } from "../helpers.js";
import { burst, type ContractContext, limits } from "./context.js";

/** Requests and tokens per minute: token buckets with continuous refill, both taken or neither. */
export function rateLimitCases(context: ContractContext): void {
  it("a fresh bucket admits exactly the limit at one instant, then refuses with the time to one refill", async () => {
    const spec = limits(60);
    for (let index = 0; index < 60; index += 1) {
      const decision = await context.admit("acct_a", spec, 10);
      expect(decision.admitted).toBe(true);
      expect(decision.rateLimits.requests).toEqual({ limit: 60, remaining: 59 - index, resetMs: (index + 1) * 1000 });
    }
    expect(await context.admit("acct_a", spec, 10)).toEqual({
      admitted: false,
      refusedBy: "requests",
      rateLimits: {
        requests: { limit: 60, remaining: 0, resetMs: 60_000 },
        // 600 tokens taken at 1,000,000 per minute refill in 36 ms.
        tokens: { limit: 1_000_000, remaining: 999_400, resetMs: 36 },
      },
      keyRateLimits: null,
      retryAfterMs: 1000,
    });
  });

  it("refills continuously: one more after the retry time, a full bucket after a minute", async () => {
    const spec = limits(60);
    expect(await burst(context, "acct_a", spec, 60)).toBe(60);
    context.clock += 999;
    expect(await context.admit("acct_a", spec)).toMatchObject({ admitted: false, retryAfterMs: 1 });
    context.clock += 1;
    expect(await context.admit("acct_a", spec)).toMatchObject({ admitted: true, rateLimits: { requests: { remaining: 0, resetMs: 60_000 } } });
    expect(await context.admit("acct_a", spec)).toMatchObject({ admitted: false, retryAfterMs: 1000 });
    context.clock += 30_000;
    expect(await context.admit("acct_a", spec)).toMatchObject({ admitted: true, rateLimits: { requests: { remaining: 29, resetMs: 31_000 } } });
    context.clock += 60_000;
    expect(await context.admit("acct_a", spec)).toMatchObject({ admitted: true, rateLimits: { requests: { limit: 60, remaining: 59, resetMs: 1000 } } });
  });

  it("never refuses requests spread exactly at the refill rate, even when the rate is not a whole number of ms", async () => {
    for (const [accountId, limit] of [
      ["acct_odd", 7],
      ["acct_even", 60],
    ] as const) {
      const interval = Math.ceil(60_000 / limit);
      expect(await burst(context, accountId, limits(limit), limit)).toBe(limit);
      for (let index = 0; index < 3 * limit; index += 1) {
        context.clock += interval;
        expect((await context.admit(accountId, limits(limit))).admitted).toBe(true);
      }
    }
    // At 60 per minute the spacing is exact, so the bucket is still empty: 1 ms early is too early.
    context.clock += 999;
    expect(await context.admit("acct_even", limits(60))).toMatchObject({ admitted: false, retryAfterMs: 1 });
  });

  it("gives exactly the limit to a burst right after a full refill", async () => {
    const spec = limits(25);
    expect(await burst(context, "acct_a", spec, 25)).toBe(25);
    context.clock += 60_000;
    expect(await burst(context, "acct_a", spec, 40)).toBe(25);
  });

  it("refuses a token reservation larger than what is left and takes nothing, not even the request", async () => {
    const spec = limits(100, 1000);
    expect(await context.admit("acct_a", spec, 600)).toMatchObject({ admitted: true, rateLimits: { tokens: { remaining: 400, resetMs: 36_000 } } });
    expect(await context.admit("acct_a", spec, 500)).toEqual({
      admitted: false,
      refusedBy: "tokens",
      rateLimits: { requests: { limit: 100, remaining: 99, resetMs: 600 }, tokens: { limit: 1000, remaining: 400, resetMs: 36_000 } },
      keyRateLimits: null,
      retryAfterMs: 6000,
    });
    expect(await context.admit("acct_a", spec, 400)).toMatchObject({ admitted: true, rateLimits: { requests: { remaining: 98 }, tokens: { remaining: 0 } } });
  });

  it("settling corrects the reservation to the tokens used: unused ones come back (never above capacity), extra ones are debt", async () => {
    const spec = limits(100, 1000);
    await context.settle(ticketOf(await context.admit("acct_a", spec, 1000)), 700);
    expect((await context.admit("acct_a", spec)).rateLimits.tokens).toEqual({ limit: 1000, remaining: 300, resetMs: 42_000 });

    // Half a minute later 500 have refilled (200 in use); giving back the whole 1,000 leaves a full bucket, not more.
    const reserved = ticketOf(await context.admit("acct_b", spec, 1000));
    context.clock += 30_000;
    await context.settle(reserved, 0);
    expect((await context.admit("acct_b", spec)).rateLimits.tokens).toEqual({ limit: 1000, remaining: 1000, resetMs: 0 });

    await context.settle(ticketOf(await context.admit("acct_c", spec, 1000)), 1500);
    expect(await context.admit("acct_c", spec)).toMatchObject({
      admitted: false,
      refusedBy: "tokens",
      rateLimits: { tokens: { remaining: 0, resetMs: 90_000 } },
      retryAfterMs: 30_000,
    });
    context.clock += 30_000;
    expect(await context.admit("acct_c", spec)).toMatchObject({ admitted: true, rateLimits: { tokens: { remaining: 0, resetMs: 60_000 } } });
  });

  it("settling after the bucket is full again (or forgotten) treats it as full", async () => {
    const spec = limits(100, 1000);
    const early = ticketOf(await context.admit("acct_a", spec, 100));
    const late = ticketOf(await context.admit("acct_a", spec, 100));
    context.clock += 60_000;
    await context.settle(early, 0);
    expect((await context.admit("acct_a", spec)).rateLimits.tokens.remaining).toBe(1000);
    await context.settle(late, 200);
    expect((await context.admit("acct_a", spec, 50)).rateLimits.tokens.remaining).toBe(850);
  });

  it("gives back a settlement's unused tokens before taking another's extra ones, so the bucket is the stricter", async () => {
    const spec = limits(100, 1000);
    const large = ticketOf(await context.admit("acct_a", spec, 30));
    context.clock += 1_200; // 20 tokens refilled: 10 in use
    const small = ticketOf(await context.admit("acct_a", spec, 0));
    // −30 empties the bucket (never below full), +5 leaves 5 in use. Summed, they would leave it full.
    context.admission.settle(large, { tokens: 0, chargedMicros: 0 });
    context.admission.settle(small, { tokens: 5, chargedMicros: 0 });
    await context.admission.flush();
    expect((await context.admit("acct_a", spec)).rateLimits.tokens.remaining).toBe(995);
  });

  it("checks a reservation above capacity against the capacity: it waits for a full bucket, then takes it all as debt", async () => {
    const spec = limits(100, 1000);
    await context.admit("acct_a", spec, 1);
    expect(await context.admit("acct_a", spec, 5000)).toMatchObject({ admitted: false, refusedBy: "tokens", retryAfterMs: 60 });
    context.clock += 60;
    const large = await context.admit("acct_a", spec, 5000);
    expect(large).toMatchObject({ admitted: true, rateLimits: { tokens: { remaining: 0, resetMs: 300_000 } } });
    expect(await context.admit("acct_a", spec, 1)).toMatchObject({ admitted: false, refusedBy: "tokens", retryAfterMs: 240_060 });
    // The response used 1,000 tokens: settling clears the debt.
    await context.settle(ticketOf(large), 1000);
    expect(await context.admit("acct_a", spec, 0)).toMatchObject({ admitted: true, rateLimits: { tokens: { remaining: 0, resetMs: 60_000 } } });
  });

  it("checks requests first and reports both states", async () => {
    const spec = limits(2, 100);
    expect((await context.admit("acct_a", spec, 60)).admitted).toBe(true);
    expect(await context.admit("acct_a", spec, 60)).toMatchObject({ admitted: false, refusedBy: "tokens", rateLimits: { requests: { remaining: 1 } } });
    expect((await context.admit("acct_a", spec, 40)).admitted).toBe(true);
    expect(await context.admit("acct_a", spec, 1000)).toEqual({
      admitted: false,
      refusedBy: "requests",
      rateLimits: { requests: { limit: 2, remaining: 0, resetMs: 60_000 }, tokens: { limit: 100, remaining: 0, resetMs: 60_000 } },
      keyRateLimits: null,
      // A retry needs both one request (30 s) and a full token bucket (60 s).
      retryAfterMs: 60_000,
    });
  });

  it("keeps accounts independent", async () => {
    const spec = limits(3, 100);
    expect(await burst(context, "acct_a", spec, 5)).toBe(3);
    expect(await context.admit("acct_b", spec, 100)).toMatchObject({ admitted: true, rateLimits: { requests: { remaining: 2 }, tokens: { remaining: 0 } } });
    expect((await context.admit("acct_a", spec)).rateLimits.tokens.remaining).toBe(100);
  });

  it("applies a limit change on the very next call, keeping what was used, even within one turn", async () => {
    expect(await burst(context, "acct_a", limits(10), 11)).toBe(10);
    expect(await context.admit("acct_a", limits(100))).toMatchObject({ admitted: true, rateLimits: { requests: { limit: 100, remaining: 89 } } });
    // A downgrade below what was used leaves the bucket in debt: 11 used, 5 allowed.
    expect(await context.admit("acct_a", limits(5))).toMatchObject({
      admitted: false,
      refusedBy: "requests",
      rateLimits: { requests: { limit: 5, remaining: 0, resetMs: 132_000 } },
      retryAfterMs: 84_000,
    });
    const [before, after] = await Promise.all([context.admit("acct_b", limits(2, 100), 1), context.admit("acct_b", limits(50, 100), 1)]);
    expect(before.rateLimits.requests).toMatchObject({ limit: 2, remaining: 1 });
    expect(after.rateLimits.requests).toMatchObject({ limit: 50, remaining: 48 });
  });

  it("refills nothing when the clock steps back", async () => {
    const spec = limits(2);
    expect(await burst(context, "acct_a", spec, 2)).toBe(2);
    const start = context.clock;
    context.clock -= 5000;
    expect(await context.admit("acct_a", spec)).toMatchObject({ admitted: false, refusedBy: "requests" });
    context.clock = start + 29_999;
    expect((await context.admit("acct_a", spec)).admitted).toBe(false);
    context.clock = start + 30_000;
    expect(await context.admit("acct_a", spec)).toMatchObject({ admitted: true, rateLimits: { requests: { remaining: 0, resetMs: 60_000 } } });
  });

  it("stays exact at the largest limits", async () => {
    const spec = limits(MAX_UNITS, MAX_UNITS);
    const first = await context.admit("acct_big", spec, MAX_UNITS - 1);
    expect(first).toMatchObject({ admitted: true, rateLimits: { tokens: { remaining: 1, resetMs: 60_000 } } });
    await context.settle(ticketOf(first), MAX_UNITS);
    context.clock += 1;
    // 10^9 used, 10^9 / 60,000 per ms refilled for 1 ms.
    expect(await context.admit("acct_big", spec, 0)).toMatchObject({ admitted: true, rateLimits: { tokens: { remaining: 16_666, resetMs: 59_999 } } });
    expect(await context.admit("acct_big", spec, MAX_UNITS)).toMatchObject({ admitted: false, refusedBy: "tokens", retryAfterMs: 59_999 });
  });
}
