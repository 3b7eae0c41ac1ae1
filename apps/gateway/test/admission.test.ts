import { MemoryAdmission } from "@bentoo/admission";
import { type Account, type ApiKeyRecord, DEFAULT_KEY_SCOPES, DEFAULT_PLAN_LIMITS, type KeyControls } from "@bentoo/core";
import type { FastifyReply } from "fastify";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { CreditService } from "../src/credits/credit-service.js";
import { LogThrottle } from "../src/infra/log-throttle.js";
import { createMetrics } from "../src/infra/metrics.js";
import { type AdmissionDeps, admit } from "../src/pipeline/admit.js";

/** The chat path's admission over the in-process implementation: status codes, messages and headers. */
describe("admission of a chat request", () => {
  const NOW = 1_700_000_000_000;
  function setup(
    options: { balanceMicros?: number; requestsPerMinute?: number; failOpen?: boolean; loadFails?: boolean; key?: KeyControls; spentMicros?: number } = {},
  ) {
    const { balanceMicros = 1_000, requestsPerMinute = 2, failOpen = true, loadFails = false, spentMicros = 0 } = options;
    const admission = new MemoryAdmission({
      // A clock that stands still: with the real one, a bucket refills a token every 6 ms (10,000 a minute), and a slow run reads one more.
      now: () => NOW,
      loadBalance: async () => {
        if (loadFails) throw new Error("storage is down");
        return balanceMicros;
      },
      loadSpent: async () => spentMicros,
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
      now: () => NOW,
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
    const key = {
      id: "key_admission",
      accountId: account.id,
      last4: "Adm1",
      scopes: DEFAULT_KEY_SCOPES,
      rpmLimit: null,
      tpmLimit: null,
      spendCap: null,
      models: null,
      lineageId: "key_admission",
      ...options.key,
    } as ApiKeyRecord;
    const estimate = { promptTokens: 10, maxOutputTokens: 20, choices: 1, tokens: 30, maxCostMicros: 400 };
    return { admission, headers, run: (spends = true) => admit(deps, reply, { key, account }, estimate, spends) };
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

  it("a key's spend cap refuses with 402 key_spend_cap_reached, naming what is left and when the period starts again; the balance keeps the rest", async () => {
    const { admission, run } = setup({ balanceMicros: 10_000, key: { spendCap: { amountMicros: 1_000, period: "month" } }, spentMicros: 500 });
    expect((await run()).ticket).toMatchObject({ holdMicros: 400, budgetId: "key_admission:1698796800000:1701388800000" });
    await expect(run()).rejects.toMatchObject({
      code: "key_spend_cap_reached",
      status: 402,
      message: expect.stringContaining(
        "$0.001000 per month, $0.000100 left, and this request may cost up to $0.000400. The period starts again at 2023-12-01T00:00:00.000Z",
      ),
    });
    expect(await admission.available("acct_admission")).toBe(10_000 - 400);
    // A request that spends nothing (a test key) is not capped.
    expect((await run(false)).ticket).toMatchObject({ holdMicros: 0, budgetId: "" });
  });

  it("the headers show the key's own bucket when it is the tighter one, and a 429 by it names the key", async () => {
    const { headers, run } = setup({ requestsPerMinute: 100, key: { rpmLimit: 1 } });
    const admitted = await run(false);
    expect(admitted.keyRateLimits?.requests).toMatchObject({ limit: 1, remaining: 0 });
    await expect(run(false)).rejects.toMatchObject({
      code: "rate_limit_exceeded",
      message: expect.stringContaining("requests per minute (limit 1) on this key (key ID ••••Adm1)"),
      headers: { "retry-after": "60" },
    });
    expect(headers).toMatchObject({ "x-ratelimit-limit-requests": "1", "x-ratelimit-remaining-requests": "0", "x-ratelimit-limit-tokens": "10000" });
  });
});
