import { parseCatalog } from "@bentoo/core";
import { parseConfig } from "@bentoo/gateway";
import { sql } from "kysely";
import OpenAI from "openai";
import { zodTextFormat } from "openai/helpers/zod";
import type { ResponseInputItem, ResponseStreamEvent } from "openai/resources/responses/responses";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { bearer, createTestApp, parseSse, type TestApp } from "./helpers.js";

const MODEL = "test/model";
/** One model; test keys never reach its provider. */
const CATALOG = parseCatalog({
  providers: [{ id: "upstream", type: "openai", base_url: "http://127.0.0.1:9/v1", api_key_env: null }],
  models: [{ id: MODEL, provider: "upstream", upstream_model: "m", input_price_per_mtok: 1, output_price_per_mtok: 2, context_length: 128_000 }],
});
const WEATHER = {
  type: "function" as const,
  name: "weather",
  description: "The weather in a city",
  parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"], additionalProperties: false },
  strict: true,
};

async function listen(t: TestApp): Promise<string> {
  await t.app.listen({ host: "127.0.0.1", port: 0 });
  const address = t.app.server.address();
  if (typeof address !== "object" || address === null) throw new Error("no address");
  return `http://127.0.0.1:${address.port}/v1`;
}

async function requestRecords(t: TestApp, accountId: string) {
  await t.services.records.flush();
  const found = [];
  for await (const record of t.services.storage.audit.iterate({ accountId, type: "request" })) found.push(record);
  return found;
}

/** The official `openai` package, unmodified, on test keys: the sandbox answers through the Responses API's writer. */
describe("the Responses API on test keys, through the openai SDK", () => {
  let t: TestApp;
  let client: OpenAI;
  let other: OpenAI;
  let accountId: string;
  /** Requests this suite's client made: each must leave exactly one audit record. */
  let requests = 0;

  beforeAll(async () => {
    t = await createTestApp({ catalog: CATALOG });
    const seeded = await t.seedAccount({ mode: "test" });
    accountId = seeded.account.id;
    const baseURL = await listen(t);
    const count = async (url: string | URL | Request, init?: RequestInit) => {
      requests += 1;
      return fetch(url, init);
    };
    client = new OpenAI({ apiKey: seeded.key, baseURL, maxRetries: 0, fetch: count });
    other = new OpenAI({ apiKey: (await t.seedAccount({ mode: "test" })).key, baseURL, maxRetries: 0 });
  });
  afterAll(async () => {
    await t?.dispose();
  });

  it.each([
    ["rate_limit", OpenAI.RateLimitError, 429, "rate_limit_exceeded"],
    ["insufficient_credits", OpenAI.APIError, 402, "insufficient_credits"],
    ["upstream_error", OpenAI.InternalServerError, 502, "upstream_error"],
    ["upstream_timeout", OpenAI.InternalServerError, 504, "upstream_timeout"],
    ["overloaded", OpenAI.InternalServerError, 503, "upstream_unavailable"],
  ] as const)("simulates %s as the live path fails it, raised by the SDK", async (failure, errorClass, status, code) => {
    const raised = await client.responses
      .create({ model: MODEL, input: "Fail for me" }, { headers: { "Bentoo-Simulate": failure } })
      .catch((error: unknown) => error);
    expect(raised).toBeInstanceOf(errorClass);
    expect(raised).toMatchObject({ status, code });
    if (failure === "rate_limit") expect((raised as InstanceType<typeof OpenAI.RateLimitError>).headers.get("retry-after")).toBe("1");
  });

  it("creates a response: output items, output_text, usage with every token class, the request id", async () => {
    const { data, request_id } = await client.responses
      .create({ model: MODEL, instructions: "Be brief.", input: "Hello there", metadata: { topic: "greeting" } })
      .withResponse();
    expect(data).toMatchObject({
      object: "response",
      status: "completed",
      model: MODEL,
      instructions: "Be brief.",
      metadata: { topic: "greeting" },
      store: true,
    });
    expect(data.id).toMatch(/^resp_[0-9A-Za-z]{20}$/);
    expect(data.output).toHaveLength(1);
    expect(data.output[0]).toMatchObject({ type: "message", role: "assistant", status: "completed" });
    expect(data.output_text).toContain('Sandbox answer from test/model to "Hello there"');
    expect(data.usage).toMatchObject({ input_tokens_details: { cached_tokens: 0 }, output_tokens_details: { reasoning_tokens: 0 } });
    expect(data.usage!.total_tokens).toBe(data.usage!.input_tokens + data.usage!.output_tokens);
    expect(data.usage!.output_tokens).toBeGreaterThan(0);
    expect(request_id).toMatch(/^req_/);
  });

  it("streams semantic events numbered in order, the deltas adding up to the completed response", async () => {
    const stream = await client.responses.create({ model: MODEL, input: "Stream this", stream: true });
    const events: ResponseStreamEvent[] = [];
    for await (const event of stream) events.push(event);
    expect(events.map((event) => event.sequence_number)).toEqual(events.map((_, index) => index));
    expect(events.slice(0, 2).map((event) => event.type)).toEqual(["response.created", "response.in_progress"]);
    const last = events.at(-1)!;
    if (last.type !== "response.completed") throw new Error(`ended with ${last.type}`);
    const deltas = events.flatMap((event) => (event.type === "response.output_text.delta" ? [event.delta] : []));
    expect(deltas.length).toBeGreaterThan(3);
    const message = last.response.output[0];
    if (message?.type !== "message" || message.content[0]?.type !== "output_text") throw new Error("no text message");
    expect(deltas.join("")).toBe(message.content[0].text);
    expect(message.content[0].text).toContain('to "Stream this"');
    expect(last.response.usage!.output_tokens).toBeGreaterThan(0);
  });

  it("serves the SDK's responses.stream helper: text snapshots and the final response", async () => {
    const snapshots: string[] = [];
    const stream = client.responses.stream({ model: MODEL, input: "Helper stream" });
    stream.on("response.output_text.delta", (event) => snapshots.push(event.snapshot));
    const final = await stream.finalResponse();
    expect(final.output_text).toContain('to "Helper stream"');
    expect(snapshots.at(-1)).toBe(final.output_text);
    expect(snapshots.length).toBeGreaterThan(3);
  });

  it("calls a function tool and takes its output back (function_call_output), JSON and streamed", async () => {
    const first = await client.responses.create({ model: MODEL, input: "Weather in Paris?", tools: [WEATHER], tool_choice: "required" });
    const call = first.output.find((item) => item.type === "function_call");
    if (call?.type !== "function_call") throw new Error("no function call");
    expect(call).toMatchObject({ name: "weather", status: "completed" });
    expect(call.call_id).toMatch(/^call_/);
    expect(JSON.parse(call.arguments)).toEqual({ city: expect.any(String) });
    const input: ResponseInputItem[] = [
      { role: "user", content: "Weather in Paris?" },
      ...first.output,
      { type: "function_call_output", call_id: call.call_id, output: '{"celsius": 18}' },
    ];
    const second = await client.responses.create({ model: MODEL, input, tools: [WEATHER], store: false });
    expect(second.output_text).toContain('to "Weather in Paris?"');
    const streamed = await client.responses
      .stream({ model: MODEL, input: "Weather in Oslo?", tools: [WEATHER], tool_choice: { type: "function", name: "weather" } })
      .finalResponse();
    expect(streamed.output[0]).toMatchObject({ type: "function_call", name: "weather" });
  });

  it("answers in the json_schema text format, parsed by the SDK", async () => {
    const Reply = z.object({ city: z.string(), celsius: z.number() });
    const parsed = await client.responses.parse({ model: MODEL, input: "Weather as JSON", text: { format: zodTextFormat(Reply, "weather_reply") } });
    expect(Reply.parse(parsed.output_parsed)).toEqual(parsed.output_parsed);
  });

  it("continues a stored response with previous_response_id exactly as if the conversation had been sent whole", async () => {
    const first = await client.responses.create({ model: MODEL, input: "My name is Ada." });
    const continued = await client.responses.create({ model: MODEL, input: "What is my name?", previous_response_id: first.id });
    expect(continued.previous_response_id).toBe(first.id);
    const whole = await client.responses.create({
      model: MODEL,
      input: [{ role: "user", content: "My name is Ada." }, ...(first.output as ResponseInputItem[]), { role: "user", content: "What is my name?" }],
      store: false,
    });
    // The sandbox's answer is a function of the request: the same conversation, the same answer and counts.
    expect(continued.output_text).toBe(whole.output_text);
    expect(continued.usage).toEqual(whole.usage);
    expect(continued.usage!.input_tokens).toBeGreaterThan(first.usage!.input_tokens + first.usage!.output_tokens);
    // A chain: the third turn carries the first two.
    const third = await client.responses.create({ model: MODEL, input: "Thanks.", previous_response_id: continued.id });
    expect(third.usage!.input_tokens).toBeGreaterThan(continued.usage!.input_tokens + continued.usage!.output_tokens);
    // An item_reference to a stored output item stands for the item itself.
    const referenced = await client.responses.create({
      model: MODEL,
      input: [
        { role: "user", content: "My name is Ada." },
        { type: "item_reference", id: first.output[0]!.id! },
        { role: "user", content: "What is my name?" },
      ],
      store: false,
    });
    expect(referenced.output_text).toBe(whole.output_text);
  });

  it("retrieves and deletes a stored response; a deleted one is gone", async () => {
    const created = await client.responses.create({ model: MODEL, input: "Keep this" });
    const retrieved = await client.responses.retrieve(created.id);
    expect(retrieved).toEqual(created);
    await client.responses.delete(created.id);
    const missing = await client.responses.retrieve(created.id).catch((error: unknown) => error);
    expect(missing).toBeInstanceOf(OpenAI.NotFoundError);
    expect((missing as InstanceType<typeof OpenAI.NotFoundError>).code).toBe("response_not_found");
    const again = await client.responses.delete(created.id).catch((error: unknown) => error);
    expect(again).toBeInstanceOf(OpenAI.NotFoundError);
    const continued = await client.responses.create({ model: MODEL, input: "x", previous_response_id: created.id }).catch((error: unknown) => error);
    expect(continued).toBeInstanceOf(OpenAI.BadRequestError);
    expect((continued as InstanceType<typeof OpenAI.BadRequestError>).code).toBe("previous_response_not_found");
  });

  it("keeps nothing with store: false", async () => {
    const created = await client.responses.create({ model: MODEL, input: "Forget this", store: false });
    expect(created.store).toBe(false);
    expect(await client.responses.retrieve(created.id).catch((error: unknown) => error)).toBeInstanceOf(OpenAI.NotFoundError);
  });

  it("never shows or lets another account touch a response: 404 as if it did not exist, and it stays for its owner", async () => {
    const created = await client.responses.create({ model: MODEL, input: "Private" });
    for (const attempt of [other.responses.retrieve(created.id), other.responses.delete(created.id)]) {
      const error = await attempt.catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(OpenAI.NotFoundError);
      expect((error as InstanceType<typeof OpenAI.NotFoundError>).error).toEqual({
        message: `There is no stored response "${created.id}" for this account.`,
        type: "not_found_error",
        param: "response_id",
        code: "response_not_found",
      });
    }
    const continued = await other.responses.create({ model: MODEL, input: "x", previous_response_id: created.id }).catch((error: unknown) => error);
    expect((continued as InstanceType<typeof OpenAI.BadRequestError>).code).toBe("previous_response_not_found");
    const reference = await other.responses
      .create({ model: MODEL, input: [{ type: "item_reference", id: created.output[0]!.id! }] })
      .catch((error: unknown) => error);
    expect((reference as InstanceType<typeof OpenAI.BadRequestError>).code).toBe("previous_response_not_found");
    expect((await client.responses.retrieve(created.id)).id).toBe(created.id);
  });

  it("refuses built-in tools with a 400 that names them, in OpenAI's envelope", async () => {
    const error = await client.responses
      .create({ model: MODEL, input: "Search", tools: [{ type: "web_search" }, WEATHER, { type: "code_interpreter", container: { type: "auto" } }] })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    const bad = error as InstanceType<typeof OpenAI.BadRequestError>;
    expect([bad.code, bad.param, bad.type]).toEqual(["invalid_request", "tools", "invalid_request_error"]);
    expect(bad.message).toContain("web_search, code_interpreter");
    const missing = await client.responses.create({ model: "nope/nope", input: "x" }).catch((caught: unknown) => caught);
    expect(missing).toBeInstanceOf(OpenAI.NotFoundError);
  });

  it("leaves exactly one audit record per request, reads and deletes included, and charges test keys nothing", async () => {
    const records = await requestRecords(t, accountId);
    expect(records).toHaveLength(requests);
    expect(records.every((record) => record.costMicros === null || record.costMicros === 0)).toBe(true);
    const created = records.filter((record) => record.model === MODEL && record.status === 200);
    expect(created.every((record) => record.provider === "sandbox" && (record.promptTokens ?? 0) > 0)).toBe(true);
    expect(records.map((record) => record.metadata?.path)).toContain("/v1/responses/:id");
  });
});

describe("the Responses API with storing off or failing", () => {
  it("with BENTOO_RESPONSES_STORE=false answers store: false, keeps nothing, and refuses previous_response_id with a 400 that says so", async () => {
    const t = await createTestApp({ catalog: CATALOG, env: { BENTOO_RESPONSES_STORE: "false" } });
    try {
      const { key, account } = await t.seedAccount({ mode: "test" });
      const client = new OpenAI({ apiKey: key, baseURL: await listen(t), maxRetries: 0 });
      const created = await client.responses.create({ model: MODEL, input: "Hello" });
      expect(created.store).toBe(false);
      expect(await client.responses.retrieve(created.id).catch((error: unknown) => error)).toBeInstanceOf(OpenAI.NotFoundError);
      const continued = await client.responses.create({ model: MODEL, input: "x", previous_response_id: created.id }).catch((error: unknown) => error);
      expect(continued).toBeInstanceOf(OpenAI.BadRequestError);
      const bad = continued as InstanceType<typeof OpenAI.BadRequestError>;
      expect([bad.code, bad.param]).toEqual(["invalid_request", "previous_response_id"]);
      expect(bad.message).toContain("BENTOO_RESPONSES_STORE=false");
      expect(await t.services.storage.responses.get(account.id, created.id)).toBeNull();
    } finally {
      await t.dispose();
    }
  });

  it("still answers when the response cannot be written, and logs that without the conversation", async () => {
    const t = await createTestApp({ catalog: CATALOG });
    try {
      const { key } = await t.seedAccount({ mode: "test" });
      const client = new OpenAI({ apiKey: key, baseURL: await listen(t), maxRetries: 0 });
      await sql`drop table responses`.execute(t.opened.storage.db);
      const secret = "the launch code is swordfish";
      const json = await client.responses.create({ model: MODEL, input: secret });
      expect(json.output_text).toContain(secret);
      const streamed = await client.responses.stream({ model: MODEL, input: secret }).finalResponse();
      expect(streamed.output_text).toContain(secret);
      expect(t.logs.text()).toContain("a response could not be stored");
      expect(t.logs.text()).not.toContain("swordfish");
    } finally {
      await t.dispose();
    }
  });
});

describe("the Responses API's edges on test keys", () => {
  let t: TestApp;
  let key: string;
  let accountId: string;

  beforeAll(async () => {
    t = await createTestApp({ catalog: CATALOG });
    const seeded = await t.seedAccount({ mode: "test", plan: "pro" });
    key = seeded.key;
    accountId = seeded.account.id;
  });
  afterAll(async () => {
    await t?.dispose();
  });

  const post = (payload: object, headers: Record<string, string> = {}) =>
    t.app.inject({ method: "POST", url: "/v1/responses", headers: { ...bearer(key), ...headers }, payload });

  it("names input and max_output_tokens when the prompt or the limit does not fit the context", async () => {
    const limit = await post({ model: MODEL, input: "Hello", max_output_tokens: 1_000_000 });
    expect([limit.statusCode, limit.json().error.code, limit.json().error.param]).toEqual([400, "context_length_exceeded", "max_output_tokens"]);
    expect(limit.json().error.message).toContain("lower max_output_tokens");
  });

  it("answers a simulated stream_interrupted with error and response.failed, and stores nothing", async () => {
    const answer = await post({ model: MODEL, input: "Break for me", stream: true }, { "bentoo-simulate": "stream_interrupted" });
    expect(answer.statusCode).toBe(200);
    const events = parseSse(answer.body).map((event) => JSON.parse(event.data) as { type: string; response?: { id: string; status: string } });
    expect(events.slice(-2).map((event) => event.type)).toEqual(["error", "response.failed"]);
    const failed = events.at(-1)!.response!;
    expect(failed.status).toBe("failed");
    expect(await t.services.storage.responses.get(accountId, failed.id)).toBeNull();
  });

  it("answers a simulated content_filter as incomplete, with the reason", async () => {
    const answer = await post({ model: MODEL, input: "Filter me" }, { "bentoo-simulate": "content_filter" });
    expect(answer.json()).toMatchObject({ status: "incomplete", incomplete_details: { reason: "content_filter" } });
  });

  it("refuses a BENTOO_RESPONSES_STORE that is neither true nor false, naming it", () => {
    expect(() => parseConfig({ BENTOO_RESPONSES_STORE: "off" })).toThrow(/BENTOO_RESPONSES_STORE must be "true" or "false"/);
    expect(parseConfig({}).responsesStore).toBe(true);
    expect(parseConfig({ BENTOO_RESPONSES_STORE: "false" }).responsesStore).toBe(false);
  });
});
