import { parseCatalog } from "@bentoo/core";
import { FAKE_CACHE_READ_TOKENS, FAKE_CACHE_WRITE_TOKENS, type FakeAnthropic, startFakeAnthropic, storageTargets } from "@bentoo/test-kit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bearer, createTestApp, type TestApp } from "./helpers.js";

const ANTHROPIC_KEY = "sk-ant-fake-upstream-0123456789";

function catalogFor(anthropic: FakeAnthropic) {
  const prices = {
    input_price_per_mtok: 3,
    output_price_per_mtok: 15,
    cache_read_price_per_mtok: 0.3,
    cache_write_price_per_mtok: 3.75,
    context_length: 200_000,
  };
  return parseCatalog({
    providers: [{ id: "claude", type: "anthropic", base_url: anthropic.url, api_key_env: "ANTHROPIC_KEY" }],
    models: [
      { id: "claude/cached", provider: "claude", upstream_model: "fake-cache", max_output_tokens: 8000, ...prices },
      { id: "claude/sonnet", provider: "claude", upstream_model: "claude-test", max_output_tokens: 8000, ...prices },
    ],
  });
}

type Json = Record<string, unknown>;

/** The test clock stands still, so an export names its range (the default one ends at now, exclusive). */
const RANGE = "start=2000-01-01T00:00:00Z&end=2100-01-01T00:00:00Z";

/** The audit record keeps every token class of a request's usage and the route that served it, on every store. */
describe.each(storageTargets())("audit token classes and endpoint on $name", (target) => {
  let anthropic: FakeAnthropic;
  let t: TestApp;
  let key: string;

  async function chat(body: Json): Promise<number> {
    const response = await t.app.inject({ method: "POST", url: "/v1/chat/completions?trace=1", headers: bearer(key), payload: body });
    return response.statusCode;
  }

  async function logs(query: string): Promise<Json[]> {
    const response = await t.app.inject({ url: `/v1/audit/logs?${query}`, headers: bearer(key) });
    expect(response.statusCode, response.body).toBe(200);
    return (response.json() as { data: Json[] }).data;
  }

  beforeAll(async () => {
    anthropic = await startFakeAnthropic({ apiKey: ANTHROPIC_KEY });
    t = await createTestApp({ target, catalog: catalogFor(anthropic), credentials: { ANTHROPIC_KEY } });
    // The key also reads its account's audit log.
    ({ key } = await t.seedAccount({ mode: "live", balanceMicros: 10_000_000, scopes: ["inference", "audit:read", "key:read"] }));
    expect(await chat({ model: "claude/cached", messages: [{ role: "user", content: "Hello" }] })).toBe(200);
    expect(await chat({ model: "claude/cached", messages: [{ role: "user", content: "Hello" }], stream: true, stream_options: { include_usage: true } })).toBe(
      200,
    );
    expect(await chat({ model: "claude/sonnet", messages: [{ role: "user", content: "Think" }], reasoning_effort: "high", max_completion_tokens: 4000 })).toBe(
      200,
    );
    expect(await chat({ model: "no/such-model", messages: [{ role: "user", content: "x" }] })).toBe(404);
    expect((await t.app.inject({ url: "/v1/models", headers: bearer(key) })).statusCode).toBe(200);
    const messages = await t.app.inject({
      method: "POST",
      url: "/v1/messages",
      headers: { "x-api-key": key, "anthropic-version": "2023-06-01" },
      payload: { model: "claude/cached", max_tokens: 100, messages: [{ role: "user", content: "Hello" }] },
    });
    expect(messages.statusCode, messages.body).toBe(200);
    await t.services.records.flush();
  });
  afterAll(async () => {
    await t?.dispose();
    await anthropic?.close();
  });

  it("stores the cache reads and writes of a cached answer, streamed or not, and the reasoning tokens of a thinking answer", async () => {
    const records = await logs("model=claude/cached&endpoint=/v1/chat/completions");
    expect(records).toHaveLength(2);
    for (const record of records) {
      expect(record).toMatchObject({
        endpoint: "/v1/chat/completions",
        prompt_tokens: 4 + FAKE_CACHE_READ_TOKENS + FAKE_CACHE_WRITE_TOKENS,
        completion_tokens: 4,
        cache_read_tokens: FAKE_CACHE_READ_TOKENS,
        cache_write_tokens: FAKE_CACHE_WRITE_TOKENS,
        reasoning_tokens: 0,
      });
    }
    const [thinking] = await logs("model=claude/sonnet");
    expect(thinking).toMatchObject({ cache_read_tokens: 0, cache_write_tokens: 0, reasoning_tokens: 4 });
  });

  it("leaves the token classes null where a request has no usage, and names the route without its query", async () => {
    const [missing] = await logs("status=404");
    expect(missing).toMatchObject({ status: 404, endpoint: "/v1/chat/completions", cache_read_tokens: null, cache_write_tokens: null, reasoning_tokens: null });
    const [models] = await logs("endpoint=/v1/models");
    expect(models).toMatchObject({ status: 200, endpoint: "/v1/models", model: null, cache_read_tokens: null });
  });

  it("names every surface's route: a Messages request is recorded under /v1/messages with its cache tokens", async () => {
    const [message] = await logs("endpoint=/v1/messages");
    expect(message).toMatchObject({
      status: 200,
      model: "claude/cached",
      cache_read_tokens: FAKE_CACHE_READ_TOKENS,
      cache_write_tokens: FAKE_CACHE_WRITE_TOKENS,
    });
  });

  it("filters by endpoint, and refuses an endpoint that is not a path with a 400 naming the parameter", async () => {
    const chats = await logs("endpoint=/v1/chat/completions");
    expect(chats.map((record) => record.status)).toEqual([200, 200, 200, 404]);
    expect(await logs("endpoint=/v1/embeddings")).toEqual([]);
    const bad = await t.app.inject({ url: "/v1/audit/logs?endpoint=chat", headers: bearer(key) });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ error: { type: "invalid_request_error", param: "endpoint" } });
    expect(bad.json().error.message).toContain("/v1/chat/completions");
  });

  it("exports the token classes and the endpoint as JSONL and CSV columns, filtered by endpoint", async () => {
    const jsonl = await t.app.inject({
      url: `/v1/audit/logs/export?${RANGE}&format=jsonl&endpoint=/v1/chat/completions&model=claude/cached`,
      headers: bearer(key),
    });
    expect(jsonl.statusCode).toBe(200);
    const lines = jsonl.body
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as Json);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({
      endpoint: "/v1/chat/completions",
      cache_read_tokens: FAKE_CACHE_READ_TOKENS,
      cache_write_tokens: FAKE_CACHE_WRITE_TOKENS,
      reasoning_tokens: 0,
    });

    const csv = await t.app.inject({ url: `/v1/audit/logs/export?${RANGE}&format=csv&endpoint=/v1/models`, headers: bearer(key) });
    expect(csv.statusCode).toBe(200);
    const [header, row, ...rest] = csv.body.split("\r\n");
    expect(rest).toEqual([""]);
    const columns = header!.split(",");
    for (const column of ["endpoint", "cache_read_tokens", "cache_write_tokens", "reasoning_tokens"]) expect(columns).toContain(column);
    // The metadata before them is quoted JSON with commas; these columns come last and hold none.
    const cell = (line: string, column: string) => line.split(",").at(columns.indexOf(column) - columns.length);
    expect(cell(row!, "endpoint")).toBe("/v1/models");
    expect(cell(row!, "cache_read_tokens")).toBe("");

    const cachedCsv = await t.app.inject({ url: `/v1/audit/logs/export?${RANGE}&format=csv&model=claude/cached`, headers: bearer(key) });
    const cachedRow = cachedCsv.body.split("\r\n")[1]!;
    expect(cell(cachedRow, "endpoint")).toBe("/v1/chat/completions");
    expect(cell(cachedRow, "cache_read_tokens")).toBe(String(FAKE_CACHE_READ_TOKENS));
    expect(cell(cachedRow, "cache_write_tokens")).toBe(String(FAKE_CACHE_WRITE_TOKENS));
  });
});
