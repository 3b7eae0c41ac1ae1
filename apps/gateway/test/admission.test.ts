import { describe, expect, it } from "vitest";
import pino from "pino";
import { BentooError, DEFAULT_PLAN_LIMITS, type Account } from "@bentoo/core";
import { MemoryRateLimiter } from "@bentoo/ratelimit";
import type { FastifyReply } from "fastify";
import { admit, type Admission } from "../src/chat/admission.js";
import { CreditService } from "../src/credits/credit-service.js";
import { MemoryCreditBank } from "../src/credits/memory-bank.js";
import { createMetrics } from "../src/infra/metrics.js";

/** Admission on the embedded path: decided without a promise once the balance is loaded, with the same outcomes as the awaited path. */
describe("admission with the in-process limiter and bank", () => {
  function setup(balanceMicros: number, requestsPerMinute = 2) {
    const bank = new MemoryCreditBank(async () => balanceMicros);
    const credits = new CreditService(bank, { write: async () => undefined }, { ledger: () => undefined });
    const deps = {
      // A clock that stands still: with the real one, a bucket refills a token every 6 ms (10,000 a minute), and a slow run read one more.
      limiter: new MemoryRateLimiter({ now: () => 1_700_000_000_000 }),
      credits,
      admissions: null,
      plans: DEFAULT_PLAN_LIMITS,
      failOpen: true,
      logger: pino({ level: "silent" }),
      metrics: createMetrics({ auditQueueDepth: () => 0, auditDropped: () => 0, ledgerPending: () => 0 }),
    };
    const headers: Record<string, string> = {};
    const reply = { header: (name: string, value: string) => (headers[name] = value) } as unknown as FastifyReply;
    const account = { id: "acct_admission", plan: "pro", rpmLimit: requestsPerMinute, tpmLimit: 10_000, balanceMicros } as Account;
    const estimate = { promptTokens: 10, maxOutputTokens: 20, tokens: 30, maxCostMicros: 400 };
    return { bank, deps, reply, headers, account, estimate, run: () => admit(deps, reply, account, estimate, true) };
  }

  it("awaits the first admission (the balance loads from storage), then decides synchronously with the same rate-limit state", async () => {
    const { bank, run } = setup(1_000, 5);
    const first = run();
    expect(first).toBeInstanceOf(Promise);
    expect((await first).hold).toMatchObject({ amountMicros: 400 });
    const second = run();
    expect(second).not.toBeInstanceOf(Promise);
    expect((second as Admission).reservedTokens).toBe(30);
    expect((second as Admission).rateLimits?.requests).toMatchObject({ limit: 5, remaining: 3 });
    expect(await bank.available("acct_admission")).toBe(200);
  });

  it("a synchronous refusal by the rate limit gives the hold back before the 429", async () => {
    const { bank, run } = setup(10_000, 1);
    await run(); // loads the balance and takes the only request of the minute
    const refused = run();
    await expect(refused).rejects.toMatchObject({ code: "rate_limit_exceeded" });
    expect(await bank.available("acct_admission")).toBe(10_000 - 400);
  });

  it("a synchronous 402 gives the token reservation back", async () => {
    const { deps, run } = setup(500, 100);
    await run(); // 400 held, 100 left
    let refusal: unknown;
    try {
      run();
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toBeInstanceOf(BentooError);
    expect((refusal as BentooError).code).toBe("insufficient_credits");
    // Only the first request's 30 tokens stay reserved.
    const decision = await deps.limiter.admit({ subject: "acct_admission", limits: { requestsPerMinute: 100, tokensPerMinute: 10_000 }, tokens: 0 });
    expect(decision.tokens.remaining).toBe(10_000 - 30);
  });
});
