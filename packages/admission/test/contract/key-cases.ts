import { expect, it } from "vitest";
import type { Admission, AdmissionDecision, BudgetSpec, KeyLimitSpec } from "../../src/index.js";
import { nextRequestId, ticketOf } from "../helpers.js";
import { type ContractContext, limits, START } from "./context.js";

const DAY = 86_400_000;

function key(keyId: string, controls: Partial<Omit<KeyLimitSpec, "keyId">> = {}): KeyLimitSpec {
  return { keyId, requestsPerMinute: null, tokensPerMinute: null, budget: null, ...controls };
}

function budget(lineageId: string, capMicros: number, start = START, end: number | null = START + DAY): BudgetSpec {
  return { lineageId, start, end, capMicros };
}

/** What a decision says, in a line a failing test prints readably. */
function outcome(decision: AdmissionDecision): string {
  return decision.admitted ? "admitted" : decision.refusedBy;
}

/** A key's own limits and its spend cap, decided with its account's in one atomic step. */
export function keyCases(context: ContractContext): void {
  const admitWith = (spec: KeyLimitSpec | null, tokens = 1, holdMicros = 0, accountId = "acct_keyed", on: Admission = context.admission) =>
    on.admit({ requestId: nextRequestId(), accountId, limits: limits(100, 10_000), tokens, holdMicros, key: spec });

  it("a key's own requests per minute refuse below the account's, name the key's limit, and leave other keys alone", async () => {
    const limited = key("key_rpm", { requestsPerMinute: 2 });
    expect(await admitWith(limited)).toMatchObject({
      admitted: true,
      rateLimits: { requests: { limit: 100, remaining: 99 } },
      keyRateLimits: { requests: { limit: 2, remaining: 1, resetMs: 30_000 }, tokens: null },
    });
    expect((await admitWith(limited)).admitted).toBe(true);
    const refused = await admitWith(limited);
    expect(refused).toEqual({
      admitted: false,
      refusedBy: "key_requests",
      rateLimits: { requests: { limit: 100, remaining: 98, resetMs: 1_200 }, tokens: { limit: 10_000, remaining: 9_998, resetMs: 12 } },
      keyRateLimits: { requests: { limit: 2, remaining: 0, resetMs: 60_000 }, tokens: null },
      retryAfterMs: 30_000,
    });
    // Another key of the account, and the account itself, still pass.
    expect(await admitWith(key("key_other", { requestsPerMinute: 2 }))).toMatchObject({ admitted: true, rateLimits: { requests: { remaining: 97 } } });
    expect(await admitWith(null)).toMatchObject({ admitted: true, keyRateLimits: null, rateLimits: { requests: { remaining: 96 } } });
    context.clock += 30_000;
    expect((await admitWith(limited)).admitted).toBe(true);
  });

  it("a key's own tokens per minute: the reservation is checked and settled against the key's bucket too", async () => {
    const limited = key("key_tpm", { tokensPerMinute: 100 });
    const first = await admitWith(limited, 60);
    expect(first).toMatchObject({ admitted: true, keyRateLimits: { requests: null, tokens: { limit: 100, remaining: 40 } } });
    expect(await admitWith(limited, 60)).toMatchObject({ admitted: false, refusedBy: "key_tokens", rateLimits: { tokens: { remaining: 9_940 } } });
    await context.settle(ticketOf(first), 10);
    expect(await admitWith(limited, 60)).toMatchObject({
      admitted: true,
      rateLimits: { tokens: { remaining: 10_000 - 70 } },
      keyRateLimits: { tokens: { remaining: 30 } },
    });
  });

  it("a spend cap holds like the balance: it starts from storage's spend, refuses what does not fit, and settles to the charge", async () => {
    context.stored.set("acct_keyed", 1_000_000);
    context.stored.setSpent("key_capped", START, 300);
    const capped = key("key_capped", { budget: budget("key_capped", 1_000) });
    const first = await admitWith(capped, 1, 500);
    expect(first).toMatchObject({ admitted: true, ticket: { holdMicros: 500 } });
    // 300 spent + 500 held: a hold of 300 does not fit, and takes nothing.
    expect(await admitWith(capped, 1, 300)).toMatchObject({ admitted: false, refusedBy: "key_budget", availableMicros: 200 });
    expect(await context.admission.available("acct_keyed")).toBe(1_000_000 - 500);
    expect((await admitWith(capped, 1, 200)).admitted).toBe(true);
    // The first request cost 100 of its 500: 400 back to the cap.
    await context.settle(ticketOf(first), 1, 100);
    expect(await admitWith(capped, 1, 401)).toMatchObject({ admitted: false, refusedBy: "key_budget", availableMicros: 400 });
    expect((await admitWith(capped, 1, 400)).admitted).toBe(true);
    expect(await admitWith(capped, 1, 1)).toMatchObject({ admitted: false, refusedBy: "key_budget", availableMicros: 0 });
    // The cap travels with every call: raised, it applies at once.
    expect((await admitWith(key("key_capped", { budget: budget("key_capped", 1_100) }), 1, 100)).admitted).toBe(true);
    // A request that holds nothing (a test key) never consults the cap.
    expect((await admitWith(capped, 1, 0)).admitted).toBe(true);
    expect(context.stored.loads.get("acct_keyed")).toBe(1);
  });

  it("a refusal by the spend cap takes neither the request nor the tokens, of the account or of the key", async () => {
    context.stored.set("acct_keyed", 1_000_000);
    const capped = key("key_strict", { requestsPerMinute: 10, tokensPerMinute: 1_000, budget: budget("key_strict", 50) });
    for (let attempt = 0; attempt < 3; attempt += 1) {
      expect(await admitWith(capped, 100, 60)).toMatchObject({
        admitted: false,
        refusedBy: "key_budget",
        rateLimits: { requests: { remaining: 100 }, tokens: { remaining: 10_000 } },
        keyRateLimits: { requests: { remaining: 10 }, tokens: { remaining: 1_000 } },
      });
    }
  });

  it("the balance is checked after the cap: a key under its cap is still refused for credits", async () => {
    context.stored.set("acct_keyed", 100);
    const capped = key("key_poor", { budget: budget("key_poor", 1_000) });
    expect(await admitWith(capped, 1, 200)).toMatchObject({ admitted: false, refusedBy: "credits", availableMicros: 100 });
    // …and that refusal held nothing from the cap.
    context.stored.set("acct_keyed", 10_000);
    await context.admission.granted("acct_keyed", 9_900);
    expect((await admitWith(capped, 1, 1_000)).admitted).toBe(true);
  });

  it("a new window starts from storage again: the period reset lets the key spend", async () => {
    context.stored.set("acct_keyed", 1_000_000);
    const today = key("key_daily", { budget: budget("key_daily", 500) });
    const held = await admitWith(today, 1, 500);
    expect(held.admitted).toBe(true);
    expect(outcome(await admitWith(today, 1, 1))).toBe("key_budget");
    context.stored.setSpent("key_daily", START + DAY, 0);
    const tomorrow = key("key_daily", { budget: budget("key_daily", 500, START + DAY, START + 2 * DAY) });
    expect((await admitWith(tomorrow, 1, 500)).admitted).toBe(true);
    expect(outcome(await admitWith(tomorrow, 1, 1))).toBe("key_budget");
    // Yesterday's hold settles into yesterday: today's count does not move.
    await context.settle(ticketOf(held), 1, 0);
    expect(outcome(await admitWith(tomorrow, 1, 1))).toBe("key_budget");
    expect(context.stored.spendLoads.get(`key_daily:${START + DAY}`)).toBeGreaterThanOrEqual(1);
  });

  it("never overspends a cap: room for 10 holds, 100 concurrent over two instances → exactly 10 admitted", async () => {
    context.stored.set("acct_cap_race", 10_000_000);
    const capped = key("key_race", { budget: budget("key_race", 40_000) });
    const decisions = await Promise.all(
      Array.from({ length: 100 }, (_, index) =>
        admitWith(capped, 10, 4_000, "acct_cap_race", index % 2 === 0 ? context.opened.admission : context.opened.peer),
      ),
    );
    expect(decisions.filter((decision) => decision.admitted)).toHaveLength(10);
    expect(decisions.filter((decision) => outcome(decision) === "key_budget")).toHaveLength(90);
    // Settled at what they held: the cap is spent; settled lower, the difference is free again.
    const tickets = decisions.flatMap((decision) => (decision.admitted ? [decision.ticket] : []));
    for (const [index, ticket] of tickets.entries()) context.opened.admission.settle(ticket, { tokens: 10, chargedMicros: index === 0 ? 1_000 : 4_000 });
    await Promise.all([context.opened.admission.flush(), context.opened.peer.flush()]);
    expect(await admitWith(capped, 10, 3_001, "acct_cap_race", context.opened.peer)).toMatchObject({ admitted: false, availableMicros: 3_000 });
    expect((await admitWith(capped, 10, 3_000, "acct_cap_race", context.opened.peer)).admitted).toBe(true);
    expect(await context.opened.peer.available("acct_cap_race")).toBe(10_000_000 - 40_000);
  });

  it("rejects invalid key controls with a RangeError", async () => {
    const valid = key("key_valid", { requestsPerMinute: 5 });
    await expect(admitWith({ ...valid, keyId: "" })).rejects.toThrow(RangeError);
    await expect(admitWith({ ...valid, keyId: "key:colon" })).rejects.toThrow(RangeError);
    await expect(admitWith({ ...valid, requestsPerMinute: 0 })).rejects.toThrow(RangeError);
    await expect(admitWith({ ...valid, tokensPerMinute: 1.5 })).rejects.toThrow(RangeError);
    await expect(admitWith({ ...valid, budget: budget("key_valid", -1) })).rejects.toThrow(RangeError);
    await expect(admitWith({ ...valid, budget: budget("key_valid", 10, START, START) })).rejects.toThrow(RangeError);
  });
}
