import { parseCatalog } from "@bentoo/core";
import {
  type FakeAnthropic,
  type FakeGemini,
  type FakeUpstream,
  startFakeAnthropic,
  startFakeGemini,
  startFakeUpstream,
  storageTargets,
} from "@bentoo/test-kit";
import OpenAI from "openai";
import type { Response as OpenAIResponse, ResponseUsage } from "openai/resources/responses/responses";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { bearer, createTestApp, type TestApp } from "./helpers.js";

const ANTHROPIC_KEY = "sk-ant-fake-upstream-0123456789";
const GEMINI_KEY = "AIza-fake-gemini-key-0123456789";
/** 100 micro-dollars per input token, 1,000 per output token. */
const INPUT_MICROS = 100;
const OUTPUT_MICROS = 1_000;
const WEATHER = {
  type: "function" as const,
  name: "weather",
  description: "The weather in a city",
  parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
  strict: false,
};

function catalogFor(anthropic: FakeAnthropic, gemini: FakeGemini, openai: FakeUpstream) {
  const prices = { input_price_per_mtok: INPUT_MICROS, output_price_per_mtok: OUTPUT_MICROS, context_length: 100_000, max_output_tokens: 1000 };
  const model = (id: string, provider: string, upstream: string) => ({ id, provider, upstream_model: upstream, ...prices });
  return parseCatalog({
    providers: [
      { id: "claude", type: "anthropic", base_url: anthropic.url, api_key_env: "ANTHROPIC_KEY", max_retries: 0 },
      { id: "google", type: "gemini", base_url: gemini.url, api_key_env: "GEMINI_KEY", max_retries: 0 },
      { id: "compatible", type: "openai", base_url: openai.url, api_key_env: null, max_retries: 0 },
    ],
    models: [
      model("claude/sonnet", "claude", "claude-test"),
      model("claude/tools", "claude", "fake-tools"),
      model("claude/drop", "claude", "fake-drop-stream"),
      model("claude/slow", "claude", "fake-slow-stream"),
      model("google/flash", "google", "gemini-2.5-flash"),
      model("google/tools", "google", "fake-tools"),
      model("google/drop", "google", "fake-drop-stream"),
      model("compatible/chat", "compatible", "gpt-4o-mini"),
      model("compatible/tools", "compatible", "fake-tools"),
      model("compatible/drop", "compatible", "fake-drop-stream"),
    ],
  });
}

/** What a reported usage costs at the catalog's prices. */
const costOf = (usage: ResponseUsage) => usage.input_tokens * INPUT_MICROS + usage.output_tokens * OUTPUT_MICROS;
const costMicros = (usage: ResponseUsage | undefined) => (usage as unknown as { cost_micros: number }).cost_micros;

interface SseEvent {
  type: string;
  [member: string]: unknown;
}

function sseEvents(body: string): SseEvent[] {
  return body
    .split("\n\n")
    .filter((block) => block.trim() !== "")
    .map(
      (block) =>
        JSON.parse(
          block
            .split("\n")
            .find((line) => line.startsWith("data: "))!
            .slice(6),
        ) as SseEvent,
    );
}

/**
 * Each provider type's fake answers the tool's output with it (`afterTool`), except the
 * OpenAI-compatible one, which answers the last user message; only the Anthropic and
 * Gemini fakes honour a JSON schema.
 */
const PROVIDERS = [
  {
    name: "anthropic",
    id: "claude",
    chat: "claude/sonnet",
    tools: "claude/tools",
    drop: "claude/drop",
    answer: "Fake answer to: ",
    afterTool: "eighteen degrees",
    schemas: true,
  },
  {
    name: "gemini",
    id: "google",
    chat: "google/flash",
    tools: "google/tools",
    drop: "google/drop",
    answer: "Fake Gemini answer to: ",
    afterTool: "eighteen degrees",
    schemas: true,
  },
  {
    name: "openai",
    id: "compatible",
    chat: "compatible/chat",
    tools: "compatible/tools",
    drop: "compatible/drop",
    answer: "Fake answer to: ",
    afterTool: "Weather in Paris?",
    schemas: false,
  },
] as const;

/** Live keys through the Responses API, served by every provider type, translated (fake upstreams). */
describe("the Responses API on live keys, translated for anthropic, gemini and openai providers", () => {
  let anthropic: FakeAnthropic;
  let gemini: FakeGemini;
  let openai: FakeUpstream;
  let t: TestApp;
  let baseURL: string;

  beforeAll(async () => {
    anthropic = await startFakeAnthropic({ apiKey: ANTHROPIC_KEY, chunkIntervalMs: 100 });
    gemini = await startFakeGemini({ apiKey: GEMINI_KEY });
    openai = await startFakeUpstream();
    t = await createTestApp({ catalog: catalogFor(anthropic, gemini, openai), credentials: { ANTHROPIC_KEY, GEMINI_KEY } });
    await t.app.listen({ host: "127.0.0.1", port: 0 });
    const address = t.app.server.address();
    if (typeof address !== "object" || address === null) throw new Error("no address");
    baseURL = `http://127.0.0.1:${address.port}/v1`;
  });
  afterAll(async () => {
    await t?.dispose();
    await anthropic?.close();
    await gemini?.close();
    await openai?.close();
  });

  async function requestRecords(accountId: string) {
    await t.services.records.flush();
    const found = [];
    for await (const record of t.services.storage.audit.iterate({ accountId, type: "request" })) found.push(record);
    return found;
  }

  /** One audit record per request; Σ audit costs = Σ ledger charges = Σ what the answers' usage costs; the balance moved by exactly that. */
  async function expectExactBooks(accountId: string, granted: number, requests: number, answered: number[]) {
    const audit = await requestRecords(accountId);
    expect(audit).toHaveLength(requests);
    const ledger = await t.services.storage.ledger.list(accountId, { limit: 1000 });
    const charged = ledger.filter((row) => row.kind === "charge").reduce((sum, row) => sum - row.amountMicros, 0);
    expect(audit.reduce((sum, record) => sum + (record.costMicros ?? 0), 0)).toBe(charged);
    expect(charged).toBe(answered.reduce((sum, cost) => sum + cost, 0));
    expect((await t.services.storage.accounts.get(accountId))!.balanceMicros).toBe(granted - charged);
    return audit;
  }

  describe.each(PROVIDERS)("through $name", (provider) => {
    let client: OpenAI;
    let key: string;
    let accountId: string;
    const granted = 50_000_000;
    let requests = 0;
    const answered: number[] = [];
    const upstream = () => ({ anthropic: anthropic.requests, gemini: gemini.requests, openai: openai.requests })[provider.name];

    beforeAll(async () => {
      const seeded = await t.seedAccount({ mode: "live", balanceMicros: granted });
      key = seeded.key;
      accountId = seeded.account.id;
      client = new OpenAI({
        apiKey: key,
        baseURL,
        maxRetries: 0,
        fetch: async (url: string | URL | Request, init?: RequestInit) => {
          requests += 1;
          return fetch(url, init);
        },
      });
    });

    /** Each answer read whole is charged exactly its usage at the catalog's prices. */
    function charged(response: OpenAIResponse): OpenAIResponse {
      expect(costMicros(response.usage)).toBe(costOf(response.usage!));
      answered.push(costOf(response.usage!));
      return response;
    }

    it("answers JSON and streamed alike, with the provider's usage at the catalog's prices", async () => {
      const json = charged(await client.responses.create({ model: provider.chat, instructions: "Be brief.", input: "Hello there" }));
      expect(json.output_text).toBe(`${provider.answer}Hello there`);
      expect(json.usage!.input_tokens).toBeGreaterThan(0);
      const streamed = charged(await client.responses.stream({ model: provider.chat, instructions: "Be brief.", input: "Hello there" }).finalResponse());
      expect(streamed.output_text).toBe(json.output_text);
      expect(streamed.usage).toEqual(json.usage);
    });

    it("round-trips a function call through previous_response_id: the provider gets the call and its output", async () => {
      const first = charged(await client.responses.create({ model: provider.tools, input: "Weather in Paris?", tools: [WEATHER] }));
      const call = first.output.find((item) => item.type === "function_call");
      if (call?.type !== "function_call") throw new Error(`no function call in ${JSON.stringify(first.output)}`);
      expect(call.name).toBe("weather");
      const second = charged(
        await client.responses
          .stream({
            model: provider.chat,
            previous_response_id: first.id,
            input: [{ type: "function_call_output", call_id: call.call_id, output: "eighteen degrees" }],
            tools: [WEATHER],
          })
          .finalResponse(),
      );
      expect(second.output_text).toContain(provider.afterTool);
      const sent = JSON.stringify(upstream().at(-1)!.body);
      for (const expected of ["Weather in Paris?", "weather", "eighteen degrees"]) expect(sent).toContain(expected);
    });

    it.runIf(provider.schemas)("answers in a json_schema text format", async () => {
      const schema = {
        type: "object",
        properties: { city: { type: "string" }, celsius: { type: "number" } },
        required: ["city", "celsius"],
        additionalProperties: false,
      };
      const response = charged(
        await client.responses.create({
          model: provider.chat,
          input: "Weather as JSON",
          text: { format: { type: "json_schema", name: "reply", schema, strict: true } },
        }),
      );
      expect(JSON.parse(response.output_text)).toEqual({ city: expect.any(String), celsius: expect.any(Number) });
    });

    it("ends a stream the provider broke with an error event and response.failed, stores nothing, and bills what was delivered", async () => {
      requests += 1; // this one bypasses the SDK and its counting fetch
      const answer = await fetch(`${baseURL}/responses`, {
        method: "POST",
        headers: { ...bearer(key), "content-type": "application/json" },
        body: JSON.stringify({ model: provider.drop, input: "Cut me off", stream: true }),
      });
      const events = sseEvents(await answer.text());
      expect(events.slice(-2).map((event) => event.type)).toEqual(["error", "response.failed"]);
      const failed = events.at(-1)!.response as OpenAIResponse;
      expect(failed.status).toBe("failed");
      expect(failed.error?.code).toBe("server_error");
      answered.push(costOf(failed.usage!));
      expect(await client.responses.retrieve(failed.id).catch((error: unknown) => error)).toBeInstanceOf(OpenAI.NotFoundError);
      const record = (await requestRecords(accountId)).find((entry) => entry.requestId === answer.headers.get("x-request-id"));
      expect([record?.status, record?.errorCode, record?.costMicros]).toEqual([200, "upstream_error", costOf(failed.usage!)]);
    });

    it("leaves exactly one audit record per request, and moves the balance by exactly what the answers cost", async () => {
      const audit = await expectExactBooks(accountId, granted, requests, answered);
      expect(new Set(audit.filter((record) => record.model !== null).map((record) => record.provider))).toEqual(new Set([provider.id]));
    });
  });

  it("records a client that leaves mid-stream once (499), charged for what was delivered, and stores nothing", async () => {
    const granted = 10_000_000;
    const { key, account } = await t.seedAccount({ mode: "live", balanceMicros: granted });
    const controller = new AbortController();
    const answer = await fetch(`${baseURL}/responses`, {
      method: "POST",
      headers: { ...bearer(key), "content-type": "application/json" },
      body: JSON.stringify({ model: "claude/slow", input: "Take your time with this one", stream: true }),
      signal: controller.signal,
    });
    const reader = answer.body!.getReader();
    let received = "";
    while (!received.includes("response.output_text.delta")) received += new TextDecoder().decode((await reader.read()).value);
    controller.abort();
    const created = sseEvents(received.slice(0, received.indexOf("\n\n") + 2))[0]!.response as OpenAIResponse;
    await vi.waitFor(async () => expect(await requestRecords(account.id)).toHaveLength(1), { timeout: 10_000, interval: 50 });
    const [record] = await requestRecords(account.id);
    expect([record!.status, record!.errorCode]).toEqual([499, "client_closed_request"]);
    expect(record!.costMicros).toBe((record!.promptTokens ?? 0) * INPUT_MICROS + (record!.completionTokens ?? 0) * OUTPUT_MICROS);
    expect(record!.costMicros).toBeGreaterThan(0);
    await expectExactBooks(account.id, granted, 1, [record!.costMicros!]);
    expect(await t.services.storage.responses.get(account.id, created.id)).toBeNull();
  });
});

/** A response stored by one instance is there for the next request on any other (the write completes before the answer goes out). */
describe.each(storageTargets())("stored responses across instances on $name", (target) => {
  let first: TestApp;
  let second: TestApp;

  beforeAll(async () => {
    const catalog = parseCatalog({
      providers: [{ id: "upstream", type: "openai", base_url: "http://127.0.0.1:9/v1", api_key_env: null }],
      models: [{ id: "test/model", provider: "upstream", upstream_model: "m", input_price_per_mtok: 1, output_price_per_mtok: 2, context_length: 8192 }],
    });
    first = await createTestApp({ target, catalog });
    second = await createTestApp({ shareStorageWith: first, catalog });
  });
  afterAll(async () => {
    await second?.dispose();
    await first?.dispose();
  });

  it("continues on one instance the response the other just answered, and reads and deletes it there", async () => {
    const { key } = await first.seedAccount({ mode: "test" });
    const created = await first.app.inject({
      method: "POST",
      url: "/v1/responses",
      headers: bearer(key),
      payload: { model: "test/model", input: "Hi" },
    });
    expect(created.statusCode).toBe(200);
    const id = created.json().id as string;
    const continued = await second.app.inject({
      method: "POST",
      url: "/v1/responses",
      headers: bearer(key),
      payload: { model: "test/model", input: "Again", previous_response_id: id, stream: true },
    });
    expect(continued.statusCode).toBe(200);
    expect(sseEvents(continued.body).at(-1)!.type).toBe("response.completed");
    const read = await second.app.inject({ method: "GET", url: `/v1/responses/${id}`, headers: bearer(key) });
    expect(read.json()).toEqual(created.json());
    expect((await second.app.inject({ method: "DELETE", url: `/v1/responses/${id}`, headers: bearer(key) })).json()).toEqual({
      id,
      object: "response",
      deleted: true,
    });
    expect((await first.app.inject({ method: "GET", url: `/v1/responses/${id}`, headers: bearer(key) })).statusCode).toBe(404);
  });
});
