import { expect, it } from "vitest";
import { type AdmissionDecision, type AdmissionTicket, MAX_UNITS } from "../../src/index.js";
import { ticketOf } from "../helpers.js";
import { type ContractContext, limits } from "./context.js";

/** What a decision says, in a line a failing test prints readably. */
function summary(decision: AdmissionDecision) {
  return {
    outcome: decision.admitted ? "admitted" : decision.refusedBy,
    requests: decision.rateLimits.requests.remaining,
    tokens: decision.rateLimits.tokens.remaining,
    available: !decision.admitted && decision.refusedBy === "credits" ? decision.availableMicros : null,
  };
}

/** The credit hold, admitted with the rate limits and settled with them. */
export function creditCases(context: ContractContext): void {
  it("decides an account's requests in order; a refused request takes nothing", async () => {
    context.stored.set("acct_joint", 1_000);
    const spec = limits(3, 100);
    const decisions = await Promise.all(
      [
        [10, 300],
        [10, 800], // does not fit the 700 left: neither the request nor its tokens are taken
        [10, 700], // exactly what is left
        [10, 0], // a test key: no hold
        [10, 300], // the fourth request of a 3-a-minute limit: no hold is taken either
      ].map(([tokens, hold]) => context.admit("acct_joint", spec, tokens, hold)),
    );
    expect(decisions.map(summary)).toEqual([
      { outcome: "admitted", requests: 2, tokens: 90, available: null },
      { outcome: "credits", requests: 2, tokens: 90, available: 700 },
      { outcome: "admitted", requests: 1, tokens: 80, available: null },
      { outcome: "admitted", requests: 0, tokens: 70, available: null },
      { outcome: "requests", requests: 0, tokens: 70, available: null },
    ]);
    expect(decisions[4]).toMatchObject({ retryAfterMs: 20_000 });
    expect(await context.admission.available("acct_joint")).toBe(0);
    expect(ticketOf(decisions[3]!).holdMicros).toBe(0);

    // 0 + (300 − 100) + (700 − 700); 30 tokens taken, corrected by −5 + 20 − 10: 35 in use of 100.
    const [first, , third, fourth] = decisions.map((decision) => (decision.admitted ? decision.ticket : null));
    context.admission.settle(first!, { tokens: 5, chargedMicros: 100 });
    context.admission.settle(third!, { tokens: 30, chargedMicros: 700 });
    context.admission.settle(fourth!, { tokens: 0, chargedMicros: 0 });
    await context.admission.flush();
    expect(await context.admission.available("acct_joint")).toBe(200);
    expect((await context.admit("acct_joint", limits(4, 100))).rateLimits.tokens.remaining).toBe(65);
  });

  it("a request refused for credits counts against neither the requests nor the tokens limit", async () => {
    context.stored.set("acct_poor", 50);
    const spec = limits(2, 1_000);
    for (let attempt = 0; attempt < 5; attempt += 1) {
      expect(await context.admit("acct_poor", spec, 400, 100)).toEqual({
        admitted: false,
        refusedBy: "credits",
        rateLimits: { requests: { limit: 2, remaining: 2, resetMs: 0 }, tokens: { limit: 1_000, remaining: 1_000, resetMs: 0 } },
        keyRateLimits: null,
        availableMicros: 50,
      });
    }
    expect(await context.admit("acct_poor", spec, 400, 50)).toMatchObject({
      admitted: true,
      rateLimits: { requests: { remaining: 1 }, tokens: { remaining: 600 } },
    });
  });

  it("a hold ends with the unused part back in the balance; a charge above the hold takes the difference", async () => {
    context.stored.set("acct_hold", 1_000);
    const spec = limits(100, 10_000);
    const held = await context.admit("acct_hold", spec, 10, 300);
    expect(held).toMatchObject({ admitted: true, ticket: { accountId: "acct_hold", tokens: 10, holdMicros: 300 } });
    expect(await context.admission.available("acct_hold")).toBe(700);
    await context.settle(ticketOf(held), 10, 100);
    expect(await context.admission.available("acct_hold")).toBe(900);

    await context.settle(ticketOf(await context.admit("acct_hold", spec, 10, 300)), 10, 500);
    expect(await context.admission.available("acct_hold")).toBe(400);
    await context.settle(ticketOf(await context.admit("acct_hold", spec, 10, 400)), 10, 0);
    expect(await context.admission.available("acct_hold")).toBe(400);
  });

  it("a ticket settles once: settling it again changes neither the balance nor the tokens", async () => {
    context.stored.set("acct_once", 1_000);
    const spec = limits(100, 1_000);
    const ticket = ticketOf(await context.admit("acct_once", spec, 100, 300));
    await context.settle(ticket, 40, 200);
    await context.settle(ticket, 0, 0);
    await context.settle(ticket, 100, 900);
    expect(await context.admission.available("acct_once")).toBe(800);
    expect((await context.admit("acct_once", spec)).rateLimits.tokens.remaining).toBe(1_000 - 40);
  });

  it("recover takes a replayed charge storage lacked from the balance, and leaves one storage had", async () => {
    context.stored.set("acct_replayed", 1_000);
    await context.settle(ticketOf(await context.admit("acct_replayed", limits(100, 1_000), 1, 100)), 1, 0);
    const charge = { accountId: "acct_replayed", requestId: "req_replayed_lacked", chargedMicros: 300, written: true };
    await context.admission.recover({ instanceIds: [], charges: [charge, { ...charge, requestId: "req_replayed_had", chargedMicros: 200, written: false }] });
    expect(await context.admission.available("acct_replayed")).toBe(700);
    await expect(context.admission.recover({ instanceIds: [], charges: [{ ...charge, chargedMicros: -1 }] })).rejects.toThrow(RangeError);
    await expect(context.admission.recover({ instanceIds: [""], charges: [] })).rejects.toThrow(RangeError);
  });

  it("loads the balance from storage once, lazily, and never for a request that holds nothing", async () => {
    context.stored.set("acct_lazy", 5_000);
    const spec = limits(100, 10_000);
    expect((await context.admit("acct_lazy", spec, 10, 0)).admitted).toBe(true);
    expect(context.stored.loads.get("acct_lazy")).toBeUndefined();
    await Promise.all([context.admit("acct_lazy", spec, 10, 1_000), context.admit("acct_lazy", spec, 10, 1_000)]);
    context.stored.set("acct_lazy", 1); // storage moves on; the copy of the balance keeps its own account
    expect(await context.admission.available("acct_lazy")).toBe(3_000);
    expect(context.stored.loads.get("acct_lazy")).toBe(1);
  });

  it("rejects when the balance cannot be loaded, takes nothing, and tries again on the next call", async () => {
    context.stored.set("acct_unloadable", 1_000);
    context.stored.failure = new Error("storage is down");
    const spec = limits(100, 10_000);
    await expect(context.admit("acct_unloadable", spec, 10, 100)).rejects.toThrow("storage is down");
    context.stored.failure = null;
    expect(await context.admit("acct_unloadable", spec, 10, 100)).toMatchObject({
      admitted: true,
      rateLimits: { requests: { remaining: 99 }, tokens: { remaining: 9_990 } },
    });
    expect(await context.admission.available("acct_unloadable")).toBe(900);
  });

  it("credits granted after the balance was loaded are available at once; before, storage has them", async () => {
    context.stored.set("acct_grant", 1_000);
    const spec = limits(100, 10_000);
    await context.admit("acct_grant", spec, 10, 100);
    context.stored.set("acct_grant", 1_500); // the ledger has the grant
    await context.admission.granted("acct_grant", 500);
    expect(await context.admission.available("acct_grant")).toBe(1_400);
    expect(await context.admit("acct_grant", spec, 10, 1_400)).toMatchObject({ admitted: true });

    context.stored.set("acct_fresh", 2_000);
    await context.admission.granted("acct_fresh", 1_000); // already in storage's 2,000
    expect(await context.admission.available("acct_fresh")).toBe(2_000);
  });

  it("rejects invalid requests with a RangeError, and reports an invalid settlement, leaving the hold taken", async () => {
    const valid = { requestId: "req_valid", accountId: "acct_a", limits: limits(10, 100), tokens: 1, holdMicros: 0 };
    const { admission } = context;
    await expect(admission.admit({ ...valid, tokens: -1 })).rejects.toThrow(RangeError);
    await expect(admission.admit({ ...valid, tokens: 1.5 })).rejects.toThrow(RangeError);
    await expect(admission.admit({ ...valid, tokens: MAX_UNITS + 1 })).rejects.toThrow(RangeError);
    await expect(admission.admit({ ...valid, limits: limits(0, 100) })).rejects.toThrow(RangeError);
    await expect(admission.admit({ ...valid, limits: limits(10, Number.NaN) })).rejects.toThrow(RangeError);
    await expect(admission.admit({ ...valid, accountId: "" })).rejects.toThrow(RangeError);
    await expect(admission.admit({ ...valid, holdMicros: -5 })).rejects.toThrow(RangeError);
    await expect(admission.admit({ ...valid, holdMicros: 0.5 })).rejects.toThrow(RangeError);
    await expect(admission.admit({ ...valid, requestId: "" })).rejects.toThrow(RangeError);
    await expect(admission.admit({ ...valid, requestId: "req with spaces" })).rejects.toThrow(RangeError);
    await expect(admission.admit({ ...valid, requestId: "r".repeat(129) })).rejects.toThrow(RangeError);

    context.stored.set("acct_a", 1_000);
    const ticket: AdmissionTicket = ticketOf(await admission.admit({ ...valid, holdMicros: 300 }));
    expect(() => admission.settle(ticket, { tokens: -1, chargedMicros: 0 })).not.toThrow();
    expect(() => admission.settle(ticket, { tokens: 1, chargedMicros: Number.NaN })).not.toThrow();
    await admission.flush();
    expect(context.opened.errors.map(({ error, failure }) => [error instanceof RangeError, failure.accountId, failure.heldMicros])).toEqual([
      [true, "acct_a", 300],
      [true, "acct_a", 300],
    ]);
    expect(await admission.available("acct_a")).toBe(700);
  });

  it("refuses calls after close", async () => {
    await context.admission.close();
    await expect(context.admit("acct_a", limits(10))).rejects.toThrow(/closed/);
    await expect(context.admission.available("acct_a")).rejects.toThrow(/closed/);
  });
}
