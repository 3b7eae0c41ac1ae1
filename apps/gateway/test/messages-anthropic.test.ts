import Anthropic, { APIError, BadRequestError, ServiceUnavailableError } from "@anthropic-ai/sdk";
import { type AuditRecord, parseCatalog } from "@bentoo/core";
import { type FakeAnthropic, SLOW_STREAM_WORDS, startFakeAnthropic } from "@bentoo/test-kit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bearer, createTestApp, type TestApp } from "./helpers.js";

/**
 * Anthropic's Messages API on live keys whose models a native `anthropic`
 * provider serves (the fake Anthropic of @bentoo/test-kit): the client's body,
 * its answer and its stream pass through, with only the model renamed.
 */

const ANTHROPIC_KEY = "sk-ant-fake-upstream-0123456789";
/** $3 input, $15 output, $0.30 cache reads, $3.75 cache writes per million tokens: 3, 15, 0.3 and 3.75 micro-dollars per token. */
const PRICES = {
  input_price_per_mtok: 3,
  output_price_per_mtok: 15,
  cache_read_price_per_mtok: 0.3,
  cache_write_price_per_mtok: 3.75,
  context_length: 200_000,
};
const WEATHER: Anthropic.Tool = {
  name: "weather",
  description: "Weather by city",
  input_schema: { type: "object", properties: { query: { type: "string" } } },
};

function catalogFor(anthropic: FakeAnthropic) {
  const claude = (id: string, upstreamModel: string) => ({ id, provider: "claude", upstream_model: upstreamModel, max_output_tokens: 4096, ...PRICES });
  return parseCatalog({
    providers: [{ id: "claude", type: "anthropic", base_url: anthropic.url, api_key_env: "ANTHROPIC_KEY", max_retries: 0 }],
    models: [
      claude("claude/sonnet", "claude-test"),
      claude("claude/cached", "fake-cache"),
      claude("claude/tools", "fake-tools"),
      claude("claude/slow", "fake-slow-stream"),
      claude("claude/stream-error", "fake-stream-error"),
      claude("claude/rejects", "fake-error-400"),
      claude("claude/busy", "fake-error-429"),
      claude("claude/overloaded", "fake-error-529"),
    ],
  });
}

async function failure(call: () => Promise<unknown>): Promise<APIError> {
  try {
    await call();
  } catch (error) {
    if (error instanceof APIError) return error;
    throw error;
  }
  throw new Error("expected the call to fail");
}

describe("Messages API through a native Anthropic upstream (passthrough)", () => {
  let anthropic: FakeAnthropic;
  let t: TestApp;
  let origin: string;
  let key: string;
  let accountId: string;
  let client: Anthropic;
  /** Bodies the client sent, in order, and the API version it asked for. */
  const sent: string[] = [];
  const versions: Array<string | null> = [];

  const records = async (id = accountId): Promise<AuditRecord[]> => {
    await t.services.records.flush();
    const found: AuditRecord[] = [];
    for await (const record of t.services.storage.audit.iterate({ accountId: id, type: "request" })) found.push(record);
    return found;
  };

  beforeAll(async () => {
    anthropic = await startFakeAnthropic({ apiKey: ANTHROPIC_KEY, chunkIntervalMs: 40 });
    t = await createTestApp({ catalog: catalogFor(anthropic), credentials: { ANTHROPIC_KEY } });
    const seeded = await t.seedAccount({ mode: "live", balanceMicros: 10_000_000 });
    key = seeded.key;
    accountId = seeded.account.id;
    await t.app.listen({ host: "127.0.0.1", port: 0 });
    const address = t.app.server.address() as { port: number };
    origin = `http://127.0.0.1:${address.port}`;
    client = new Anthropic({
      apiKey: key,
      baseURL: origin,
      maxRetries: 0,
      fetch: async (url: string | URL | Request, init?: RequestInit) => {
        if (typeof init?.body === "string") sent.push(init.body);
        versions.push(new Headers(init?.headers).get("anthropic-version"));
        return fetch(url, init);
      },
    });
  });
  afterAll(async () => {
    await t?.dispose();
    await anthropic?.close();
  });

  it("forwards the client's body as sent but for the model, with its version and beta headers, and renames the model in the answer", async () => {
    const message = await client.messages.create(
      {
        model: "claude/sonnet",
        max_tokens: 1000,
        system: [{ type: "text", text: "Be brief.", cache_control: { type: "ephemeral" } }],
        metadata: { user_id: "user-7" },
        messages: [{ role: "user", content: "Hello there" }],
      },
      { headers: { "anthropic-beta": "context-management-2025-06-27" } },
    );
    const upstream = anthropic.requests.at(-1)!;
    expect(upstream.path).toBe("/v1/messages");
    expect(upstream.raw).toBe(sent.at(-1)!.replace('"model":"claude/sonnet"', '"model":"claude-test"'));
    expect(upstream.headers).toMatchObject({ "x-api-key": ANTHROPIC_KEY, "anthropic-beta": "context-management-2025-06-27" });
    // The client's own API version goes upstream: the answer is in the version the client reads.
    expect(upstream.headers["anthropic-version"]).toBe(versions.at(-1));
    expect(versions.at(-1)).not.toBe("2023-06-01");
    expect(upstream.headers.authorization).toBeUndefined();
    expect(upstream.raw).not.toContain(key);
    expect(message).toMatchObject({
      model: "claude/sonnet",
      content: [{ type: "text", text: "Fake answer to: Hello there" }],
      stop_reason: "end_turn",
      // "Hello there" + 3, and "Be brief.": the fake's own counts, as it reported them.
      usage: { input_tokens: 7, output_tokens: 5, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
    });
    expect(message.id).toMatch(/^msg_fake_/);
  });

  it("relays the stream as the provider sent it, the model renamed in message_start, ping and signature events included", async () => {
    const response = await fetch(`${origin}/v1/messages`, {
      method: "POST",
      headers: { ...bearer(key), "content-type": "application/json", "anthropic-version": "2023-06-01" },
      body: JSON.stringify({
        model: "claude/sonnet",
        max_tokens: 3000,
        stream: true,
        thinking: { type: "enabled", budget_tokens: 1024 },
        messages: [{ role: "user", content: "Think it over" }],
      }),
    });
    expect(response.headers.get("content-type")).toContain("text/event-stream");
    const text = await response.text();
    const names = [...text.matchAll(/^event: (\S+)$/gm)].map((match) => match[1]);
    // The fake's events: a thinking block (6 words, then the signature) and a text block (6 words).
    const deltas = (count: number) => Array<string>(count).fill("content_block_delta");
    expect(names).toEqual([
      "message_start",
      "ping",
      "content_block_start",
      ...deltas(7),
      "content_block_stop",
      "content_block_start",
      ...deltas(6),
      "content_block_stop",
      "message_delta",
      "message_stop",
    ]);
    expect(text).toContain('"model":"claude/sonnet"');
    expect(text).not.toContain("claude-test");
    expect(text).toContain('"type":"signature_delta"');
    expect(text).toContain('"output_tokens_details":{"thinking_tokens":6}');
  });

  it("streams tool use with messages.stream: input_json_delta pieces add up to the tool's input", async () => {
    const stream = client.messages.stream({
      model: "claude/tools",
      max_tokens: 500,
      tools: [WEATHER],
      messages: [{ role: "user", content: "weather in Paris" }],
    });
    let json = "";
    stream.on("inputJson", (partial) => {
      json += partial;
    });
    const message = await stream.finalMessage();
    expect(message.model).toBe("claude/tools");
    expect(message.stop_reason).toBe("tool_use");
    expect(message.content).toEqual([{ type: "tool_use", id: expect.stringMatching(/^toolu_fake_/), name: "weather", input: { query: "weather in Paris" } }]);
    expect(JSON.parse(json)).toEqual({ query: "weather in Paris" });
  });

  it("makes a tool round trip: the tool_use and its tool_result reach the provider as the client wrote them", async () => {
    const messages: Anthropic.MessageParam[] = [{ role: "user", content: "weather in Paris" }];
    const first = await client.messages.create({ model: "claude/tools", max_tokens: 500, tools: [WEATHER], messages });
    const call = first.content[0] as Anthropic.ToolUseBlock;
    const second = await client.messages.create({
      model: "claude/tools",
      max_tokens: 500,
      tools: [WEATHER],
      messages: [
        ...messages,
        { role: "assistant", content: first.content },
        { role: "user", content: [{ type: "tool_result", tool_use_id: call.id, content: "18 degrees" }] },
      ],
    });
    expect(second.content).toEqual([{ type: "text", text: "Fake answer to: 18 degrees" }]);
    expect((anthropic.requests.at(-1)!.body as { messages: unknown[] }).messages[2]).toEqual({
      role: "user",
      content: [{ type: "tool_result", tool_use_id: call.id, content: "18 degrees" }],
    });
  });

  it("passes thinking blocks with their signatures and stop sequences through", async () => {
    const thought = await client.messages.create({
      model: "claude/sonnet",
      max_tokens: 3000,
      thinking: { type: "enabled", budget_tokens: 1024 },
      messages: [{ role: "user", content: "Think" }],
    });
    expect(thought.content[0]).toMatchObject({
      type: "thinking",
      thinking: "Fake thinking about: Think",
      signature: expect.stringMatching(/^fake-signature-/),
    });
    const stopped = await client.messages.create({
      model: "claude/sonnet",
      max_tokens: 100,
      stop_sequences: ["to:"],
      messages: [{ role: "user", content: "Hi" }],
    });
    expect(stopped).toMatchObject({ stop_reason: "stop_sequence", stop_sequence: "to:", content: [{ type: "text", text: "Fake answer" }] });
  });

  it("forwards count_tokens to the provider, counts with the tokenizer when the provider cannot, and relays a refusal", async () => {
    const request = { model: "claude/sonnet", system: "Be brief.", messages: [{ role: "user" as const, content: "Hello there" }] };
    const counted = await client.messages.countTokens(request);
    expect(counted).toEqual({ input_tokens: 7 });
    const upstream = anthropic.requests.at(-1)!;
    expect(upstream.path).toBe("/v1/messages/count_tokens");
    expect(upstream.raw).toBe(sent.at(-1)!.replace('"model":"claude/sonnet"', '"model":"claude-test"'));

    const before = anthropic.requests.length;
    const fallback = await client.messages.countTokens({ ...request, model: "claude/overloaded" });
    expect(anthropic.requests.length).toBe(before + 1);
    expect(fallback.input_tokens).toBeGreaterThan(0);

    const refused = await failure(() => client.messages.countTokens({ ...request, model: "claude/rejects" }));
    expect(refused).toBeInstanceOf(BadRequestError);
    expect(refused.errorCode).toBe("upstream_rejected_request");
    expect(refused.message).toContain("fake anthropic rejected the request");

    const counts = (await records()).filter((record) => record.endpoint === "/v1/messages/count_tokens");
    expect(counts.map((record) => [record.status, record.costMicros, record.provider])).toEqual([
      [200, 0, "claude"],
      [200, 0, null],
      [400, 0, "claude"],
    ]);
  });

  it("bills the provider's usage, cache tokens included, at the catalog's prices: balance, ledger and audit agree", async () => {
    const { account, key: ownKey } = await t.seedAccount({ mode: "live", balanceMicros: 1_000_000 });
    const own = new Anthropic({ apiKey: ownKey, baseURL: origin, maxRetries: 0 });
    // input_tokens 4 ("Hello" + 3), 1000 read from the cache, 200 written; 4 output words:
    // 4 × 3 + 1000 × 0.3 + 200 × 3.75 + 4 × 15 = 12 + 300 + 750 + 60 = 1122 micro-dollars.
    const expected = 1122;
    const request = { model: "claude/cached", max_tokens: 100, messages: [{ role: "user" as const, content: "Hello" }] };
    const message = await own.messages.create(request);
    expect(message.usage).toMatchObject({ input_tokens: 4, cache_read_input_tokens: 1000, cache_creation_input_tokens: 200, output_tokens: 4 });
    const streamed = await own.messages.stream(request).finalMessage();
    expect(streamed.usage).toMatchObject({ input_tokens: 4, cache_read_input_tokens: 1000, cache_creation_input_tokens: 200, output_tokens: 4 });

    const audited = await records(account.id);
    expect(
      audited.map((record) => [
        record.endpoint,
        record.costMicros,
        record.promptTokens,
        record.cacheReadTokens,
        record.cacheWriteTokens,
        record.completionTokens,
      ]),
    ).toEqual([
      ["/v1/messages", expected, 1204, 1000, 200, 4],
      ["/v1/messages", expected, 1204, 1000, 200, 4],
    ]);
    const ledger = await t.services.storage.ledger.list(account.id, { limit: 10 });
    expect(ledger.filter((row) => row.kind === "charge").map((row) => -row.amountMicros)).toEqual([expected, expected]);
    expect(await t.services.storage.ledger.sum(account.id)).toBe(1_000_000 - 2 * expected);
  });

  it("ends a stream the provider broke with one error event in Anthropic's shape, which the SDK raises", async () => {
    const response = await fetch(`${origin}/v1/messages`, {
      method: "POST",
      headers: { ...bearer(key), "content-type": "application/json" },
      body: JSON.stringify({ model: "claude/stream-error", max_tokens: 100, stream: true, messages: [{ role: "user", content: "Hello" }] }),
    });
    const text = await response.text();
    expect(text.match(/^event: error$/gm)).toHaveLength(1);
    expect(text).not.toContain("message_stop");
    const last = JSON.parse(text.trim().split("\n").at(-1)!.slice("data: ".length)) as { error: { type: string; message: string; details: unknown } };
    expect(last).toMatchObject({ type: "error", error: { type: "api_error", details: { error_code: "upstream_error" } } });
    expect(last.error.message).toContain('provider "claude" reported an error mid-stream: Overloaded');

    const stream = client.messages.stream({ model: "claude/stream-error", max_tokens: 100, messages: [{ role: "user", content: "Hello" }] });
    const raised = await stream.finalMessage().catch((error: unknown) => error);
    expect(raised).toBeInstanceOf(Anthropic.APIError);
    expect((raised as APIError).type).toBe("api_error");
  });

  it("maps the provider's refusals before a stream to Anthropic's shape and the SDK's classes", async () => {
    const rejected = await failure(() => client.messages.create({ model: "claude/rejects", max_tokens: 10, messages: [{ role: "user", content: "x" }] }));
    expect(rejected).toBeInstanceOf(BadRequestError);
    expect([rejected.type, rejected.errorCode]).toEqual(["invalid_request_error", "upstream_rejected_request"]);
    const busy = await failure(() =>
      client.messages.create({ model: "claude/busy", max_tokens: 10, stream: true, messages: [{ role: "user", content: "x" }] }),
    );
    expect(busy).toBeInstanceOf(ServiceUnavailableError);
    expect([busy.status, busy.type, busy.errorCode]).toEqual([503, "overloaded_error", "upstream_unavailable"]);
  });

  it("records a client that leaves mid-stream once, as 499, charged for what was delivered", async () => {
    const { account, key: ownKey } = await t.seedAccount({ mode: "live", balanceMicros: 1_000_000 });
    const controller = new AbortController();
    const response = await fetch(`${origin}/v1/messages`, {
      method: "POST",
      headers: { ...bearer(ownKey), "content-type": "application/json" },
      body: JSON.stringify({ model: "claude/slow", max_tokens: 100, stream: true, messages: [{ role: "user", content: "Count slowly" }] }),
      signal: controller.signal,
    });
    const reader = response.body!.getReader();
    let received = "";
    while (!received.includes("word3")) received += new TextDecoder().decode((await reader.read()).value);
    controller.abort();
    let audited: AuditRecord[] = [];
    for (let attempt = 0; attempt < 100 && audited.length === 0; attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      audited = await records(account.id);
    }
    expect(audited).toHaveLength(1);
    const record = audited[0]!;
    expect(record).toMatchObject({ status: 499, errorCode: "client_closed_request", usageEstimated: true });
    // The input the provider reported ("Count slowly" + 3), and some of the 40 words, counted.
    expect(record.promptTokens).toBe(5);
    expect(record.completionTokens).toBeGreaterThanOrEqual(3);
    expect(record.completionTokens).toBeLessThan(SLOW_STREAM_WORDS);
    expect(record.costMicros).toBe(5 * 3 + record.completionTokens! * 15);
    expect(await t.services.storage.ledger.sum(account.id)).toBe(1_000_000 - record.costMicros!);
  });
});
