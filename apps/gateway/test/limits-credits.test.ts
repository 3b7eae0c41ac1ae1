import { type FakeUpstream, startFakeUpstream, storageTargets } from "@bentoo/test-kit";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { ADMIN_TOKEN, bearer, createTestApp, pricedCatalog, type TestApp } from "./helpers.js";

describe.each(storageTargets())("rate limits and credits (embedded limiter) on $name", (target) => {
  let upstream: FakeUpstream;
  let t: TestApp;

  beforeAll(async () => {
    upstream = await startFakeUpstream({ chunkIntervalMs: 30 });
    t = await createTestApp({ target, catalog: pricedCatalog(upstream) });
  });
  afterAll(async () => {
    await t?.dispose();
    await upstream?.close();
  });

  const chat = (key: string, extra: Record<string, unknown> = {}) =>
    t.app.inject({
      method: "POST",
      url: "/v1/chat/completions",
      headers: bearer(key),
      payload: { model: "fake/chat", messages: [{ role: "user", content: "hi" }], max_tokens: 4, ...extra },
    });

  /** Writes what the finished requests queued (their charges), then compares the ledger with the balance. */
  const ledgerMatchesBalance = async (accountId: string) => {
    await t.services.records.flush();
    const balance = (await t.services.storage.accounts.get(accountId))!.balanceMicros;
    expect(await t.services.storage.ledger.sum(accountId)).toBe(balance);
    return balance;
  };

  it("sets OpenAI's rate-limit headers on every chat response", async () => {
    const { key } = await t.seedAccount({ mode: "test" });
    const response = await chat(key);
    expect(response.statusCode).toBe(200);
    expect(response.headers).toMatchObject({
      "x-ratelimit-limit-requests": "60",
      "x-ratelimit-remaining-requests": "59",
      "x-ratelimit-limit-tokens": "200000",
    });
    expect(response.headers["x-ratelimit-reset-requests"]).toMatch(/^\d+(\.\d+)?(ms|s)$/);
    expect(Number(response.headers["x-ratelimit-remaining-tokens"])).toBeLessThan(200_000);
    const streamed = await chat(key, { stream: true });
    expect(streamed.headers["x-ratelimit-remaining-requests"]).toBe("58");
  });

  it("refuses the request over the per-minute limit with 429, Retry-After and retry-after-ms", async () => {
    const { account, key } = await t.seedAccount({ mode: "test" });
    await t.app.inject({ method: "PATCH", url: `/admin/v1/accounts/${account.id}`, headers: bearer(ADMIN_TOKEN), payload: { rpm_limit: 3 } });
    for (let index = 0; index < 3; index += 1) expect((await chat(key)).statusCode).toBe(200);
    const refused = await chat(key);
    expect(refused.statusCode).toBe(429);
    expect(refused.json().error).toMatchObject({ code: "rate_limit_exceeded", type: "rate_limit_error" });
    expect(refused.json().error.message).toContain("requests per minute (limit 3)");
    expect(Number(refused.headers["retry-after"])).toBeGreaterThanOrEqual(1);
    expect(Number(refused.headers["retry-after-ms"])).toBeGreaterThan(10_000);
    expect(refused.headers["x-ratelimit-remaining-requests"]).toBe("0");
  });

  it("serves again once Retry-After has passed, one request per 20 s at 3 per minute", async () => {
    const { account, key } = await t.seedAccount({ mode: "test" });
    await t.app.inject({ method: "PATCH", url: `/admin/v1/accounts/${account.id}`, headers: bearer(ADMIN_TOKEN), payload: { rpm_limit: 3 } });
    for (let index = 0; index < 3; index += 1) expect((await chat(key)).statusCode).toBe(200);
    const refused = await chat(key);
    expect(refused.statusCode).toBe(429);
    const waitMs = Number(refused.headers["retry-after-ms"]);
    expect(waitMs).toBe(20_000);
    t.clock.advance(waitMs - 1);
    expect((await chat(key)).statusCode).toBe(429);
    t.clock.advance(1);
    const served = await chat(key);
    expect(served.statusCode).toBe(200);
    expect(served.headers["x-ratelimit-remaining-requests"]).toBe("0");
    expect((await chat(key)).statusCode).toBe(429);
    t.clock.advance(60_000);
    expect((await chat(key)).headers["x-ratelimit-remaining-requests"]).toBe("2");
  });

  it("refuses on tokens per minute, naming that limit", async () => {
    const { account, key } = await t.seedAccount({ mode: "test" });
    await t.app.inject({ method: "PATCH", url: `/admin/v1/accounts/${account.id}`, headers: bearer(ADMIN_TOKEN), payload: { tpm_limit: 100 } });
    expect((await chat(key, { max_tokens: 60 })).statusCode).toBe(200); // reserves 67 of 100, keeps what it used (7 + its answer)
    const refused = await chat(key, { max_tokens: 90 }); // 97 would fit a full bucket, not this one
    expect(refused.statusCode).toBe(429);
    expect(refused.json().error.message).toContain("tokens per minute (limit 100");
    const tooLarge = await chat(key, { max_tokens: 200 });
    expect(tooLarge.statusCode).toBe(429);
    expect(tooLarge.json().error.message).toContain("Request too large");
  });

  it("charges the actual cost in integer micro-dollars, reports it in usage, and keeps the ledger equal to the balance", async () => {
    const { account, key } = await t.seedAccount({ mode: "live", balanceMicros: 100_000 });
    const body = (await chat(key)).json();
    // The fake upstream answers 4 words for max_tokens 4: 4 output tokens × 1,000 micros.
    expect(body.usage).toMatchObject({ completion_tokens: 4, cost_micros: 4000, cost: 0.004 });
    expect(await ledgerMatchesBalance(account.id)).toBe(96_000);
    const rows = await t.services.storage.ledger.list(account.id, { limit: 10 });
    expect(rows.map((row) => [row.kind, row.amountMicros]).sort()).toEqual(
      [
        ["charge", -4000],
        ["grant", 100_000],
      ].sort(),
    );
  });

  it("holds the maximum cost and releases what was not used", async () => {
    const { account, key } = await t.seedAccount({ mode: "live", balanceMicros: 100_000 });
    const body = (await chat(key, { max_tokens: 20 })).json();
    expect(body.usage.cost_micros).toBe(4000); // the answer has 4 words
    expect(await ledgerMatchesBalance(account.id)).toBe(96_000);
    const rows = await t.services.storage.ledger.list(account.id, { limit: 10 });
    // One row for the request: the 20,000 held are not in the ledger, only the 4,000 spent.
    expect(rows.filter((row) => row.requestId !== null).map((row) => [row.kind, row.amountMicros])).toEqual([["charge", -4000]]);
    expect(await t.services.admission.available(account.id)).toBe(96_000);
  });

  it("holds and charges every answer of a request asking for several (n)", async () => {
    // max_tokens 4 at 1,000 micros per output token: each answer may cost 4,000, three 12,000.
    const short = await t.seedAccount({ mode: "live", balanceMicros: 11_999 });
    const refused = await chat(short.key, { n: 3 });
    expect(refused.statusCode).toBe(402);
    expect(refused.json().error.message).toContain("$0.012000");
    const { account, key } = await t.seedAccount({ mode: "live", balanceMicros: 100_000 });
    const response = await chat(key, { n: 3 });
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body.choices).toHaveLength(3);
    expect(body.usage).toMatchObject({ completion_tokens: 12, cost_micros: 12_000 });
    expect(await ledgerMatchesBalance(account.id)).toBe(88_000);
    await t.services.records.flush();
    const records = [];
    for await (const record of t.services.storage.audit.iterate({ accountId: account.id, type: "request" })) records.push(record);
    expect(records.map((record) => [record.completionTokens, record.costMicros])).toEqual([[12, 12_000]]);
  });

  it("402 insufficient_credits names the balance and the amount needed; nothing is spent", async () => {
    const { account, key } = await t.seedAccount({ mode: "live", balanceMicros: 3_999 });
    const refused = await chat(key);
    expect(refused.statusCode).toBe(402);
    expect(refused.json().error).toMatchObject({ code: "insufficient_credits", type: "billing_error" });
    expect(refused.json().error.message).toContain("$0.004000");
    expect(refused.json().error.message).toContain("$0.003999");
    expect(await ledgerMatchesBalance(account.id)).toBe(3_999);
  });

  it("an upstream failure releases the whole hold", async () => {
    const { account, key } = await t.seedAccount({ mode: "live", balanceMicros: 50_000 });
    expect((await chat(key, { model: "fake/error" })).statusCode).toBe(502);
    expect(await ledgerMatchesBalance(account.id)).toBe(50_000);
    expect(await t.services.admission.available(account.id)).toBe(50_000);
  });

  it("test-mode keys never spend", async () => {
    const { account, key } = await t.seedAccount({ mode: "test", balanceMicros: 10_000 });
    for (let index = 0; index < 3; index += 1) expect((await chat(key)).json().usage.cost_micros).toBe(0);
    expect(await ledgerMatchesBalance(account.id)).toBe(10_000);
  });

  it("a full stream is charged the upstream-reported usage", async () => {
    const { account, key } = await t.seedAccount({ mode: "live", balanceMicros: 100_000 });
    const response = await chat(key, { stream: true });
    expect(response.body).toContain("data: [DONE]");
    expect(await ledgerMatchesBalance(account.id)).toBe(96_000);
  });

  it("a stream without upstream usage is charged an estimate, marked as such", async () => {
    const { account, key } = await t.seedAccount({ mode: "live", balanceMicros: 100_000 });
    await chat(key, { model: "fake/no-usage", stream: true });
    const balance = await ledgerMatchesBalance(account.id);
    expect(balance).toBeLessThan(100_000);
    const charge = (await t.services.storage.ledger.list(account.id, { limit: 10 })).find((row) => row.kind === "charge");
    expect(charge?.estimated).toBe(true);
  });

  it("a stream the client aborts halfway is charged only for what was delivered", async () => {
    const { account, key } = await t.seedAccount({ mode: "live", balanceMicros: 1_000_000 });
    await t.app.listen({ host: "127.0.0.1", port: 0 });
    const address = t.app.server.address();
    if (typeof address !== "object" || address === null) throw new Error("no address");
    const controller = new AbortController();
    const response = await fetch(`http://127.0.0.1:${address.port}/v1/chat/completions`, {
      method: "POST",
      headers: { ...bearer(key), "content-type": "application/json" },
      body: JSON.stringify({ model: "fake/slow-stream", messages: [{ role: "user", content: "count" }], max_tokens: 40, stream: true }),
      signal: controller.signal,
    });
    const reader = response.body!.getReader();
    let received = "";
    while ((received.match(/"content":" ?word\d+/g) ?? []).length < 10) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`the stream ended before 10 words:\n${received}`);
      received += new TextDecoder().decode(value);
    }
    controller.abort();
    // A real socket's disconnect reaches the server when it does; the sign that the server has
    // finished with the request is its charge in the ledger (bounded wait).
    await vi.waitFor(
      async () => {
        await t.services.records.flush();
        expect(await t.services.storage.ledger.list(account.id, { limit: 10 })).toContainEqual(expect.objectContaining({ kind: "charge" }));
      },
      { timeout: 5_000, interval: 5 },
    );
    const spent = 1_000_000 - (await ledgerMatchesBalance(account.id));
    // 40 words would cost 40,000; about 10 were delivered before the abort.
    expect(spent).toBeGreaterThanOrEqual(9_000);
    expect(spent).toBeLessThan(25_000);
    const charge = (await t.services.storage.ledger.list(account.id, { limit: 10 })).find((row) => row.kind === "charge");
    expect(charge?.estimated).toBe(true);
  });
});
