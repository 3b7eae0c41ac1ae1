import { describe, expect, it } from "vitest";
import { type LimitSpec, MemoryAdmission } from "../src/index.js";
import { nextRequestId, StoredBalances, ticketOf } from "./helpers.js";

/** What only the memory implementation promises: decisions made inside the call, and a bounded map that forgets idle accounts first. */
describe("MemoryAdmission", () => {
  const spec: LimitSpec = { requestsPerMinute: 60, tokensPerMinute: 1000 };
  const open = (now: () => number, maxSubjects?: number) => {
    const stored = new StoredBalances();
    const admission = new MemoryAdmission({ loadBalance: stored.load, onError: () => undefined, now, maxSubjects });
    const admit = (accountId: string, tokens = 0, holdMicros = 0) =>
      admission.admit({ requestId: nextRequestId(), accountId, limits: spec, tokens, holdMicros });
    return { admission, stored, admit };
  };

  it("decides inside the call once the balance is loaded: the promise only carries a decision already made", async () => {
    const { admission, stored, admit } = open(() => 0);
    stored.set("acct_a", 1_000);
    const first = admit("acct_a", 10, 300);
    expect(admission.size).toBe(0); // the first hold waits for the balance
    await first;
    expect(admission.size).toBe(1);
    void admit("acct_b", 10, 0);
    void admit("acct_a", 10, 300);
    // Both were taken before anything was awaited.
    expect(admission.size).toBe(2);
    expect(await admission.available("acct_a")).toBe(400);
  });

  it("drops accounts once their buckets are full again, as calls go by", async () => {
    let clock = 0;
    const { admission, admit } = open(() => clock);
    const ticket = ticketOf(await admit("acct_a", 10));
    const other = ticketOf(await admit("acct_b", 10));
    expect(admission.size).toBe(2);
    // Full 1 s later (one request at 60 per minute): any call sweeps them. Settling
    // into a bucket that is full again stores nothing itself.
    clock += 999;
    admission.settle(ticket, { tokens: 9, chargedMicros: 0 });
    expect(admission.size).toBe(2);
    clock += 1;
    admission.settle(other, { tokens: 9, chargedMicros: 0 });
    expect(admission.size).toBe(0);
  });

  it("holds at most maxSubjects accounts, evicting the least recently used", async () => {
    const { admission, admit } = open(() => 0, 2);
    const exhaust = async (accountId: string) => {
      for (let index = 0; index < 60; index += 1) await admit(accountId);
    };
    await exhaust("acct_a");
    await exhaust("acct_b");
    // Touching acct_a (even with a refusal) makes acct_b the least recently used.
    expect((await admit("acct_a")).admitted).toBe(false);
    await admit("acct_c");
    expect(admission.size).toBe(2);
    expect((await admit("acct_a")).admitted).toBe(false);
    // acct_b was forgotten, so it starts again from full buckets (lenient, never stricter).
    expect((await admit("acct_b")).rateLimits.requests.remaining).toBe(59);
  });

  it("keeps the least-recently-used order when the busiest account is updated in place", async () => {
    const { admission, admit } = open(() => 0, 2);
    const first = ticketOf(await admit("acct_a", 1));
    await admit("acct_a", 1); // the newest account: stored in place
    admission.settle(first, { tokens: 2, chargedMicros: 0 });
    await admit("acct_b", 1);
    await admit("acct_a", 1); // moves acct_a after acct_b
    await admit("acct_c", 1); // evicts acct_b, the least recently used
    expect(admission.size).toBe(2);
    expect((await admit("acct_a", 1)).rateLimits.requests.remaining).toBe(56);
    expect((await admit("acct_b", 1)).rateLimits.requests.remaining).toBe(59); // forgotten: full buckets again
    // acct_b's return evicted acct_c, the least recently used since acct_a was just touched.
    expect((await admit("acct_a", 1)).rateLimits.tokens.remaining).toBe(1000 - 6);
    expect((await admit("acct_c", 1)).rateLimits.requests.remaining).toBe(59);
  });

  it("checks its options once, at construction", () => {
    const loadBalance = async () => 0;
    expect(() => new MemoryAdmission({ loadBalance, onError: () => undefined, maxSubjects: 0 })).toThrow(RangeError);
    expect(() => new MemoryAdmission({ loadBalance, onError: () => undefined, maxSubjects: 1.5 })).toThrow(RangeError);
  });
});
