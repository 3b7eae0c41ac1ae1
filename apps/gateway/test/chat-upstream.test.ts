import type { AddressInfo } from "node:net";
import { parseCatalog } from "@bentoo/core";
import { type FakeUpstream, startFakeUpstream } from "@bentoo/test-kit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bearer, createTestApp, parseSse, type TestApp } from "./helpers.js";

const UPSTREAM_KEY = "sk-fake-upstream-secret-0123456789";

function catalogFor(upstream: FakeUpstream, deadPort: number) {
  const model = (id: string, upstreamModel: string, extra: Record<string, unknown> = {}) => ({
    id,
    provider: "fake",
    upstream_model: upstreamModel,
    input_price_per_mtok: 1,
    output_price_per_mtok: 2,
    context_length: 8192,
    ...extra,
  });
  return parseCatalog({
    providers: [
      { id: "fake", type: "openai", base_url: upstream.url, api_key_env: "FAKE_API_KEY", timeout_ms: 500 },
      { id: "dead", type: "openai", base_url: `http://127.0.0.1:${deadPort}/v1`, api_key_env: null, timeout_ms: 500 },
      { id: "unset", type: "openai", base_url: "http://127.0.0.1:9/v1", api_key_env: "UNSET_PROVIDER_KEY" },
    ],
    models: [
      model("fake/ok", "fake-model"),
      model("fake/500", "fake-error-500"),
      model("fake/429", "fake-error-429"),
      model("fake/400", "fake-error-400"),
      model("fake/401", "fake-error-401"),
      model("fake/slow", "fake-slow"),
      model("fake/drop", "fake-drop"),
      model("fake/drop-stream", "fake-drop-stream"),
      model("fake/no-usage", "fake-no-usage"),
      model("fake/unset", "x", { provider: "unset" }),
      {
        ...model("fake/fallback", "x"),
        provider: undefined,
        providers: [{ provider: "unset" }, { provider: "dead", upstream_model: "fake-model" }, { provider: "fake", upstream_model: "fake-model" }],
      },
      {
        ...model("fake/fallback-500", "x"),
        provider: undefined,
        providers: [
          { provider: "fake", upstream_model: "fake-error-500" },
          { provider: "fake", upstream_model: "fake-model" },
        ],
      },
      {
        ...model("fake/no-fallback-400", "x"),
        provider: undefined,
        providers: [
          { provider: "fake", upstream_model: "fake-error-400" },
          { provider: "fake", upstream_model: "fake-model" },
        ],
      },
    ],
  });
}

describe("chat completions through an OpenAI-compatible upstream (live keys)", () => {
  let upstream: FakeUpstream;
  let t: TestApp;
  let key: string;
  let accountId: string;

  beforeAll(async () => {
    upstream = await startFakeUpstream({ apiKey: UPSTREAM_KEY, slowMs: 3000 });
    t = await createTestApp({ catalog: catalogFor(upstream, 1), credentials: { FAKE_API_KEY: UPSTREAM_KEY } });
    const seeded = await t.seedAccount({ mode: "live", balanceMicros: 10_000_000 });
    key = seeded.key;
    accountId = seeded.account.id;
  });
  afterAll(async () => {
    await t?.dispose();
    await upstream?.close();
  });

  const chat = (model: string, extra: Record<string, unknown> = {}) =>
    t.app.inject({
      method: "POST",
      url: "/v1/chat/completions",
      headers: bearer(key),
      payload: { model, messages: [{ role: "user", content: "one two three" }], ...extra },
    });

  it("proxies JSON: upstream model and credentials sent, unknown fields passed through, usage and cost returned", async () => {
    upstream.requests.length = 0;
    const response = await chat("fake/ok", { vendor_extension: { a: 1 }, temperature: 0.2 });
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body.model).toBe("fake/ok");
    expect(body.choices[0].message.content).toBe("Fake answer to: one two three");
    // fake upstream: 3 words + 3 per message = 6 prompt tokens; the answer has 6 words.
    // Cost: 6 × $1/Mtok + 6 × $2/Mtok = 18 micro-dollars.
    expect(body.usage).toEqual({ prompt_tokens: 6, completion_tokens: 6, total_tokens: 12, cost: 0.000018, cost_micros: 18 });
    const sent = upstream.requests.at(-1)!;
    expect(sent.headers.authorization).toBe(`Bearer ${UPSTREAM_KEY}`);
    expect(sent.body).toMatchObject({ model: "fake-model", vendor_extension: { a: 1 }, temperature: 0.2 });
    expect(JSON.stringify(sent)).not.toContain(key);
  });

  it("streams bytes through with the catalog's model id, asks the upstream for usage, and ends with [DONE]", async () => {
    upstream.requests.length = 0;
    const response = await chat("fake/ok", { stream: true, stream_options: { include_usage: true } });
    expect(response.statusCode).toBe(200);
    expect(upstream.requests.at(-1)!.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
    const events = parseSse(response.body);
    expect(events.at(-1)!.data).toBe("[DONE]");
    const chunks = events.slice(0, -1).map((event) => JSON.parse(event.data));
    expect(chunks.every((chunk) => chunk.model === "fake/ok")).toBe(true);
    expect(chunks.map((chunk) => chunk.choices[0]?.delta?.content ?? "").join("")).toBe("Fake answer to: one two three");
    // The usage chunk gains the cost, like JSON answers; every other event passes through untouched.
    expect(chunks.at(-1).usage).toEqual({ prompt_tokens: 6, completion_tokens: 6, total_tokens: 12, cost: 0.000018, cost_micros: 18 });
  });

  it("meters a stream whose client did not ask for usage, without sending it the usage chunk", async () => {
    upstream.requests.length = 0;
    const { account, key: ownKey } = await t.seedAccount({ mode: "live", balanceMicros: 10_000_000 });
    const response = await t.app.inject({
      method: "POST",
      url: "/v1/chat/completions",
      headers: bearer(ownKey),
      payload: { model: "fake/ok", stream: true, messages: [{ role: "user", content: "one two three" }] },
    });
    expect(response.statusCode).toBe(200);
    // Bentoo still asks the upstream for usage, to charge from its count.
    expect(upstream.requests.at(-1)!.body).toMatchObject({ stream_options: { include_usage: true } });
    const events = parseSse(response.body);
    expect(events.at(-1)!.data).toBe("[DONE]");
    const chunks = events.slice(0, -1).map((event) => JSON.parse(event.data));
    expect(chunks.every((chunk) => Array.isArray(chunk.choices) && chunk.choices.length > 0)).toBe(true);
    await t.services.records.flush();
    const records = [];
    for await (const record of t.services.storage.audit.iterate({ accountId: account.id, type: "request" })) records.push(record);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ promptTokens: 6, completionTokens: 6, costMicros: 18, usageEstimated: false });
  });

  it("estimates usage with the tokenizer when the upstream reports none, and says so", async () => {
    const body = (await chat("fake/no-usage")).json();
    expect(body.usage.estimated).toBe(true);
    expect(body.usage.prompt_tokens).toBeGreaterThan(3);
    expect(body.usage.completion_tokens).toBeGreaterThan(3);
  });

  it.each([
    ["fake/500", 502, "upstream_error"],
    ["fake/429", 503, "upstream_unavailable"],
    ["fake/401", 502, "upstream_auth_failed"],
    ["fake/400", 400, "upstream_rejected_request"],
    ["fake/slow", 504, "upstream_timeout"],
    ["fake/drop", 502, "upstream_unreachable"],
    ["fake/unset", 503, "provider_not_configured"],
  ])("%s → %i %s, naming the provider, never leaking its key", async (model, status, code) => {
    const response = await chat(model);
    expect(response.statusCode).toBe(status);
    const { error } = response.json();
    expect(error.code).toBe(code);
    expect(error.message).toMatch(/provider "(fake|unset)"/);
    expect(response.body).not.toContain(UPSTREAM_KEY);
    if (code === "provider_not_configured") expect(error.message).toContain("UNSET_PROVIDER_KEY");
    if (code === "upstream_auth_failed") expect(error.message).toContain("FAKE_API_KEY");
  });

  it("a stream the upstream cuts midway ends with an error event, not [DONE]", async () => {
    const response = await chat("fake/drop-stream", { stream: true });
    expect(response.statusCode).toBe(200);
    const events = parseSse(response.body);
    expect(events.some((event) => event.data === "[DONE]")).toBe(false);
    const last = JSON.parse(events.at(-1)!.data);
    expect(last.error).toMatchObject({ code: "upstream_error", type: "upstream_error" });
    expect(last.error.message).toContain('provider "fake"');
    expect(events.length).toBeGreaterThan(1);
  });

  it("over a real socket, a stream's audit record carries its usage and cost, and a cut stream's its error", async () => {
    // The response ends before the route settles the stream (its last bytes leave with the end);
    // the audit hook, which runs on the response's "finish", must still see the metering.
    const { account, key: ownKey } = await t.seedAccount({ mode: "live", balanceMicros: 10_000_000 });
    const address = await t.app.listen({ host: "127.0.0.1", port: 0 });
    expect((t.app.server.address() as AddressInfo).port).toBeGreaterThan(0);
    const stream = async (model: string) => {
      const response = await fetch(`${address}/v1/chat/completions`, {
        method: "POST",
        headers: { ...bearer(ownKey), "content-type": "application/json" },
        body: JSON.stringify({ model, stream: true, messages: [{ role: "user", content: "one two three" }] }),
      });
      return { status: response.status, requestId: response.headers.get("x-request-id"), events: parseSse(await response.text()) };
    };
    const complete = await stream("fake/ok");
    const cut = await stream("fake/drop-stream");
    expect(complete.status).toBe(200);
    expect(complete.events.at(-1)!.data).toBe("[DONE]");
    expect(JSON.parse(cut.events.at(-1)!.data).error.code).toBe("upstream_error");
    await t.services.records.flush();
    const records = new Map<string | null, Record<string, unknown>>();
    for await (const record of t.services.storage.audit.iterate({ accountId: account.id }))
      records.set(record.requestId, record as unknown as Record<string, unknown>);
    expect(records.get(complete.requestId)).toMatchObject({
      status: 200,
      errorCode: null,
      model: "fake/ok",
      provider: "fake",
      promptTokens: 6,
      completionTokens: 6,
      totalTokens: 12,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      reasoningTokens: 0,
      endpoint: "/v1/chat/completions",
      costMicros: 18,
      usageEstimated: false,
    });
    expect(records.get(cut.requestId)).toMatchObject({ status: 200, errorCode: "upstream_error", model: "fake/drop-stream", provider: "fake" });
    expect(records.get(cut.requestId)!.completionTokens).toEqual(expect.any(Number));
  });

  it("falls back in order past unconfigured and unreachable providers, and past a 5xx", async () => {
    const fallback = await chat("fake/fallback");
    expect(fallback.statusCode).toBe(200);
    expect(fallback.json().choices[0].message.content).toBe("Fake answer to: one two three");
    expect((await chat("fake/fallback-500")).statusCode).toBe(200);
  });

  it("records the provider that answered, or the one whose failure the client got", async () => {
    const sent = {
      fallback: (await chat("fake/fallback")).headers["x-request-id"],
      unreachable: (await chat("fake/drop")).headers["x-request-id"],
      unconfigured: (await chat("fake/unset")).headers["x-request-id"],
    };
    await t.services.records.flush();
    const providers = new Map<string | null, string | null>();
    for await (const record of t.services.storage.audit.iterate({ accountId })) providers.set(record.requestId, record.provider);
    expect(providers.get(sent.fallback as string)).toBe("fake");
    expect(providers.get(sent.unreachable as string)).toBe("fake");
    // An unconfigured provider is never called: no provider was tried.
    expect(providers.get(sent.unconfigured as string)).toBeNull();
  });

  it("does not fall back on a client error (the next provider would refuse it too)", async () => {
    upstream.requests.length = 0;
    const response = await chat("fake/no-fallback-400");
    expect(response.statusCode).toBe(400);
    expect(upstream.requests).toHaveLength(1);
  });

  it("a streaming request that fails before the first byte gets a JSON error with the right status", async () => {
    const response = await chat("fake/500", { stream: true });
    expect(response.statusCode).toBe(502);
    expect(response.json().error.code).toBe("upstream_error");
  });
});
