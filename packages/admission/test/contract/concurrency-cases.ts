import { expect, it } from "vitest";
import type { Admission, AdmissionTicket } from "../../src/index.js";
import { nextRequestId, seededRandom, ticketOf } from "../helpers.js";
import { type ContractContext, limits } from "./context.js";
import { ReferenceModel, verdictOf } from "./reference-model.js";

/** Many requests at once, on one instance or two sharing the state: never more than the limits and the balance allow. */
export function concurrencyCases(context: ContractContext): void {
  const onEither = (index: number): Admission => (index % 2 === 0 ? context.opened.admission : context.opened.peer);

  it("admits exactly the limit out of 100 concurrent requests split over two instances", async () => {
    const spec = limits(30);
    const decisions = await Promise.all(
      Array.from({ length: 100 }, (_, index) =>
        onEither(index).admit({ requestId: nextRequestId(), accountId: "acct_busy", limits: spec, tokens: 1, holdMicros: 0 }),
      ),
    );
    const admitted = decisions.filter((decision) => decision.admitted);
    expect(admitted).toHaveLength(30);
    // Atomic check-and-take: every admitted request saw a different remaining count.
    expect(admitted.map((decision) => decision.rateLimits.requests.remaining).sort((a, b) => a - b)).toEqual(Array.from({ length: 30 }, (_, index) => index));
    expect(decisions.filter((decision) => !decision.admitted).every((decision) => !decision.admitted && decision.refusedBy === "requests")).toBe(true);
    expect(
      (await context.opened.peer.admit({ requestId: nextRequestId(), accountId: "acct_busy", limits: spec, tokens: 0, holdMicros: 0 })).rateLimits.tokens
        .remaining,
    ).toBe(1_000_000 - 30);
  });

  it("never overspends: a balance for 10 requests, 100 concurrent over two instances → exactly 10 admitted", async () => {
    context.stored.set("acct_race", 40_000);
    const spec = limits(1_000, 1_000_000);
    const decisions = await Promise.all(
      Array.from({ length: 100 }, (_, index) =>
        onEither(index).admit({ requestId: nextRequestId(), accountId: "acct_race", limits: spec, tokens: 10, holdMicros: 4_000 }),
      ),
    );
    const admitted = decisions.filter((decision) => decision.admitted);
    expect(admitted).toHaveLength(10);
    expect(decisions.filter((decision) => !decision.admitted && decision.refusedBy === "credits")).toHaveLength(90);
    // Refused requests took nothing: 10 requests and 100 tokens are in use.
    const next = await context.admit("acct_race", spec, 0, 0);
    expect(next.rateLimits.requests.remaining).toBe(1_000 - 11);
    expect(next.rateLimits.tokens.remaining).toBe(1_000_000 - 100);
    for (const [index, decision] of admitted.entries()) onEither(index).settle(ticketOf(decision), { tokens: 10, chargedMicros: 4_000 });
    await Promise.all([context.opened.admission.flush(), context.opened.peer.flush()]);
    expect(await context.opened.peer.available("acct_race")).toBe(0);
  });

  it("decides as the plain rule would, request after request, on a random workload", async () => {
    const random = seededRandom(20_240_601);
    // One plan per account: after a limit change an implementation may forget a bucket once it is full under the
    // old limit (lenient, never stricter), which the plain rule does not model. Limit changes have a case of their own.
    const accounts = [
      { accountId: "acct_model_a", limits: limits(20, 2_000), model: new ReferenceModel(20_000) },
      { accountId: "acct_model_b", limits: limits(7, 997), model: new ReferenceModel(8_000) },
    ];
    for (const { accountId, model } of accounts) context.stored.set(accountId, model.balanceMicros);
    const seen = new Map<string, number>();
    const inFlight: AdmissionTicket[] = [];
    for (let turn = 0; turn < 150; turn += 1) {
      // The clock moves faster than real time, so Redis' expiry (real time) never drops a bucket early.
      context.clock += random(10) === 0 ? random(60_000) : random(400);
      const batch = Array.from({ length: 1 + random(6) }, () => {
        const { accountId, limits: spec } = accounts[random(accounts.length)]!;
        return {
          requestId: nextRequestId(),
          accountId,
          limits: spec,
          tokens: random(8) === 0 ? random(spec.tokensPerMinute + 200) : random(200),
          holdMicros: random(3) === 0 ? 0 : 100 + random(1_500),
        };
      });
      const decisions = await Promise.all(batch.map((request) => context.admission.admit(request)));
      batch.forEach((request, index) => {
        const expected = modelOf(request.accountId).admit(request, context.clock);
        const decision = decisions[index]!;
        expect(verdictOf(decision), `turn ${turn}, request ${index}`).toEqual(expected);
        const kind = expected.outcome === "admitted" && request.holdMicros === 0 ? "no hold" : expected.outcome;
        seen.set(kind, (seen.get(kind) ?? 0) + 1);
        if (decision.admitted) inFlight.push(decision.ticket);
      });
      // Settle some of what is in flight, one at a time: usage anywhere from none to above the reservation.
      while (inFlight.length > 0 && random(3) !== 0) {
        const ticket = inFlight.splice(random(inFlight.length), 1)[0]!;
        const settlement = { tokens: random(ticket.tokens + 50), chargedMicros: random(ticket.holdMicros + 200) };
        context.admission.settle(ticket, settlement);
        await context.admission.flush();
        modelOf(ticket.accountId).settle(ticket, settlement, context.clock);
      }
    }
    for (const { accountId, model } of accounts) expect(await context.admission.available(accountId)).toBe(model.balanceMicros);
    // The workload reached every outcome (else the comparison proved less than it claims).
    expect([...seen.keys()].sort()).toEqual(["admitted", "credits", "no hold", "requests", "tokens"]);
    for (const [kind, count] of seen) expect(count, kind).toBeGreaterThan(10);

    function modelOf(accountId: string): ReferenceModel {
      return accounts.find((account) => account.accountId === accountId)!.model;
    }
  });
}
