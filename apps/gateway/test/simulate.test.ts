import { parseCatalog } from "@bentoo/core";
import { type FakeUpstream, startFakeUpstream } from "@bentoo/test-kit";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bearer, createTestApp, parseSse, type TestApp } from "./helpers.js";

/**
 * `Bentoo-Simulate` on test keys: each failure answered as the live path fails,
 * with the official openai SDK as the client (its error classes, its retries).
 */
describe("test-mode failures (Bentoo-Simulate)", () => {
  let upstream: FakeUpstream;
  let t: TestApp;
  let testKey: string;
  let liveKey: string;
  let accountId: string;
  let liveAccountId: string;
  let baseURL: string;

  const sdk = (key: string, failure: string, maxRetries = 0) =>
    new OpenAI({ apiKey: key, baseURL, maxRetries, defaultHeaders: { "Bentoo-Simulate": failure } });
  const ask = { model: "local/model", messages: [{ role: "user" as const, content: "Hello there, sandbox" }] };

  async function records(account: string) {
    await t.services.records.flush();
    const found = [];
    for await (const record of t.services.storage.audit.iterate({ accountId: account, type: "request" })) found.push(record);
    return found;
  }

  beforeAll(async () => {
    upstream = await startFakeUpstream();
    const catalog = parseCatalog({
      providers: [{ id: "local", type: "openai", base_url: upstream.url, api_key_env: null, max_retries: 0 }],
      models: [{ id: "local/model", provider: "local", upstream_model: "fake-model", input_price_per_mtok: 1, output_price_per_mtok: 2, context_length: 8192 }],
    });
    t = await createTestApp({ catalog });
    const seeded = await t.seedAccount({ mode: "test", plan: "pro" });
    testKey = seeded.key;
    accountId = seeded.account.id;
    const live = await t.seedAccount({ mode: "live", balanceMicros: 1_000_000 });
    liveKey = live.key;
    liveAccountId = live.account.id;
    await t.app.listen({ host: "127.0.0.1", port: 0 });
    const address = t.app.server.address();
    if (typeof address !== "object" || address === null) throw new Error("no address");
    baseURL = `http://127.0.0.1:${address.port}/v1`;
  });
  afterAll(async () => {
    await t?.dispose();
    await upstream?.close();
  });

  it("rate_limit: a 429 RateLimitError with Retry-After and exhausted x-ratelimit headers, which the SDK honours by retrying", async () => {
    const before = (await records(accountId)).length;
    const error = await sdk(testKey, "rate_limit", 1)
      .chat.completions.create(ask)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    const failure = error as InstanceType<typeof OpenAI.RateLimitError>;
    expect(failure.status).toBe(429);
    expect(failure.code).toBe("rate_limit_exceeded");
    expect(failure.headers.get("retry-after")).toBe("1");
    expect(failure.headers.get("x-ratelimit-remaining-requests")).toBe("0");
    expect(failure.headers.get("x-ratelimit-limit-requests")).not.toBeNull();
    // The SDK waited and asked again: two requests, each with its record.
    const added = (await records(accountId)).slice(before);
    expect(added.map((record) => [record.status, record.errorCode])).toEqual([
      [429, "rate_limit_exceeded"],
      [429, "rate_limit_exceeded"],
    ]);
  });

  it.each([
    ["insufficient_credits", 402, "insufficient_credits", OpenAI.APIError],
    ["upstream_error", 502, "upstream_error", OpenAI.InternalServerError],
    ["upstream_timeout", 504, "upstream_timeout", OpenAI.InternalServerError],
    ["overloaded", 503, "upstream_unavailable", OpenAI.InternalServerError],
    ["stream_interrupted", 502, "upstream_error", OpenAI.InternalServerError],
  ] as const)("%s: %i %s, as the live path answers it", async (failure, status, code, errorClass) => {
    const before = (await records(accountId)).length;
    const error = await sdk(testKey, failure)
      .chat.completions.create(ask)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(errorClass);
    expect(error).toMatchObject({ status, code });
    expect((error as Error).message).toContain("Bentoo-Simulate");
    const [record] = (await records(accountId)).slice(before);
    expect([record!.status, record!.errorCode, record!.provider]).toEqual([status, code, failure === "insufficient_credits" ? null : "sandbox"]);
  });

  it("stream_interrupted: part of the answer, then an error event instead of [DONE]; the SDK raises it", async () => {
    const stream = await sdk(testKey, "stream_interrupted").chat.completions.create({ ...ask, stream: true });
    let text = "";
    const error = await (async () => {
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect((error as Error).message).toContain("broke off the stream midway");
    expect(text.length).toBeGreaterThan(0);
    const whole = await sdk(testKey, "content_filter").chat.completions.create(ask);
    expect(whole.choices[0]!.finish_reason).toBe("content_filter");
    const complete = await new OpenAI({ apiKey: testKey, baseURL, maxRetries: 0 }).chat.completions.create(ask);
    expect(complete.choices[0]!.message.content!.startsWith(text)).toBe(true);
    expect(complete.choices[0]!.message.content!.length).toBeGreaterThan(text.length);
  });

  it("content_filter: finish_reason content_filter and no text, JSON and streamed", async () => {
    const completion = await sdk(testKey, "content_filter").chat.completions.create(ask);
    expect(completion.choices[0]).toMatchObject({ finish_reason: "content_filter", message: { content: null } });
    const response = await t.app.inject({
      method: "POST",
      url: "/v1/chat/completions",
      headers: { ...bearer(testKey), "bentoo-simulate": "content_filter" },
      payload: { ...ask, stream: true },
    });
    const events = parseSse(response.body);
    expect(events.at(-1)!.data).toBe("[DONE]");
    const chunks = events.slice(0, -1).map((event) => JSON.parse(event.data));
    expect(chunks.map((chunk) => chunk.choices[0]?.finish_reason).filter(Boolean)).toEqual(["content_filter"]);
    expect(chunks.some((chunk) => typeof chunk.choices[0]?.delta?.content === "string" && chunk.choices[0].delta.content !== "")).toBe(false);
  });

  it("an unknown failure is a 400 naming the header and listing the values", async () => {
    const response = await t.app.inject({
      method: "POST",
      url: "/v1/chat/completions",
      headers: { ...bearer(testKey), "bentoo-simulate": "meteor_strike" },
      payload: ask,
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().error).toMatchObject({ code: "invalid_request", param: "Bentoo-Simulate" });
    expect(response.json().error.message).toContain("rate_limit, insufficient_credits");
  });

  it("live keys ignore the header: the request goes to the provider and is charged as usual", async () => {
    const before = upstream.requests.length;
    const completion = await sdk(liveKey, "upstream_error").chat.completions.create(ask);
    expect(completion.choices[0]!.message.content).toBe("Fake answer to: Hello there, sandbox");
    expect(upstream.requests.length).toBe(before + 1);
    const [record] = await records(liveAccountId);
    expect([record!.status, record!.provider]).toEqual([200, "local"]);
    expect(record!.costMicros).toBeGreaterThan(0);
  });
});
