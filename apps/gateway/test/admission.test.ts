import { MemoryAdmission } from "@bentoo/admission";
import { type Account, DEFAULT_PLAN_LIMITS } from "@bentoo/core";
import type { FastifyReply } from "fastify";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { CreditService } from "../src/credits/credit-service.js";
import { LogThrottle } from "../src/infra/log-throttle.js";
import { createMetrics } from "../src/infra/metrics.js";
import { type AdmissionDeps, admit } from "../src/pipeline/admit.js";

/** The chat path's admission over the in-process implementation: status codes, messages and headers. */
describe("admission of a chat request", () => {
  function setup(options: { balanceMicros?: number; requestsPerMinute?: number; failOpen?: boolean; loadFails?: boolean } = {}) {
    const { balanceMicros = 1_000, requestsPerMinute = 2, failOpen = true, loadFails = false } = options;
    const admission = new MemoryAdmission({
      // A clock that stands still: with the real one, a bucket refills a token every 6 ms (10,000 a minute), and a slow run reads one more.
      now: () => 1_700_000_000_000,
      loadBalance: async () => {
        if (loadFails) throw new Error("storage is down");
        return balanceMicros;
      },
      onError: () => undefined,
    });
    const deps: AdmissionDeps = {
      admission,
      credits: new CreditService(admission, { write: async () => undefined }, { ledger: () => undefined }),
      plans: DEFAULT_PLAN_LIMITS,
      failOpen,
      logger: pino({ level: "silent" }),
      outageLog: new LogThrottle(),
      metrics: createMetrics({ auditQueueDepth: () => 0, auditDropped: () => 0, ledgerPending: () => 0, keyStoreLookups: () => ({ miss: 0, bypass: 0 }) }),
    };
    const headers: Record<string, string> = {};
    let requests = 0;
    const reply = {
      header: (name: string, value: string) => (headers[name] = value),
      get request() {
        requests += 1;
        return { id: `req_admission_${requests}` };
      },
    } as unknown as FastifyReply;
    const account = { id: "acct_admission", plan: "pro", rpmLimit: requestsPerMinute, tpmLimit: 10_000, balanceMicros } as Account;
    const estimate = { promptTokens: 10, maxOutputTokens: 20, tokens: 30, maxCostMicros: 400 };
    return { admission, headers, run: (spends = true) => admit(deps, reply, account, estimate, spends) };
  }

  it("admits with the hold and the rate-limit state for the headers", async () => {
    const { admission, run } = setup({ requestsPerMinute: 5 });
    const admitted = await run();
    expect(admitted.ticket).toMatchObject({ accountId: "acct_admission", tokens: 30, holdMicros: 400 });
    expect(admitted.rateLimits?.requests).toMatchObject({ limit: 5, remaining: 4 });
    expect(await admission.available("acct_admission")).toBe(600);
  });

  it("a 402 names the amount and the balance, and counts against neither the requests nor the tokens limit", async () => {
    const { headers, run } = setup({ balanceMicros: 500, requestsPerMinute: 2 });
    await run(); // 400 held, 100 left
    await expect(run()).rejects.toMatchObject({
      code: "insufficient_credits",
      message: expect.stringContaining("$0.000400 and the available balance is $0.000100"),
    });
    expect(headers["x-ratelimit-remaining-requests"]).toBe("1");
    // The second of the two requests a minute is still there for a request that spends nothing.
    const free = await run(false);
    expect(free.rateLimits?.requests.remaining).toBe(0);
    expect(free.rateLimits?.tokens.remaining).toBe(10_000 - 60);
  });

  it("a 429 carries Retry-After, retry-after-ms and the headers, and holds nothing", async () => {
    const { admission, headers, run } = setup({ balanceMicros: 10_000, requestsPerMinute: 1 });
    await run();
    await expect(run()).rejects.toMatchObject({
      code: "rate_limit_exceeded",
      message: expect.stringContaining("requests per minute (limit 1)"),
      headers: { "retry-after": "60", "retry-after-ms": "60000" },
    });
    expect(headers["x-ratelimit-remaining-requests"]).toBe("0");
    expect(await admission.available("acct_admission")).toBe(10_000 - 400);
  });

  it("when the balance cannot be loaded, credits fail closed; a request that spends nothing passes only when failing open", async () => {
    const open = setup({ loadFails: true });
    await expect(open.run()).rejects.toMatchObject({ code: "service_unavailable", message: expect.stringContaining("credit balance cannot be checked") });
    expect(await open.run(false)).toMatchObject({ ticket: { holdMicros: 0 } });
    const closed = setup({ loadFails: true, failOpen: false });
    await expect(closed.run()).rejects.toMatchObject({ code: "service_unavailable", message: expect.stringContaining("Rate limits cannot be checked") });
  });
});
