import Anthropic, { APIError, BadRequestError, ServiceUnavailableError } from "@anthropic-ai/sdk";
import { type AuditRecord, parseCatalog } from "@bentoo/core";
import { type FakeGemini, MEDIA_TOKENS, startFakeGemini } from "@bentoo/test-kit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "./helpers.js";

/**
 * Anthropic's Messages API on live keys whose models a native `gemini` provider
 * serves (the fake Gemini of @bentoo/test-kit): requests translated to Gemini's,
 * answers and streams written back in Anthropic's shapes by the Messages dialect.
 */

const GEMINI_KEY = "AIza-fake-gemini-key-0123456789";
/** 100 micro-dollars per input token and 1,000 per output token. */
const INPUT_MICROS = 100;
const OUTPUT_MICROS = 1_000;
const PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";
const WEATHER: Anthropic.Tool = {
  name: "weather",
  description: "Weather by city",
  input_schema: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
};

function geminiCatalog(gemini: FakeGemini) {
  const prices = { input_price_per_mtok: INPUT_MICROS, output_price_per_mtok: OUTPUT_MICROS, context_length: 1_000_000 };
  const model = (id: string, upstreamModel: string) => ({ id, provider: "google", upstream_model: upstreamModel, ...prices });
  return parseCatalog({
    providers: [{ id: "google", type: "gemini", base_url: gemini.url, api_key_env: "GEMINI_API_KEY", max_retries: 0 }],
    models: [
      model("google/flash", "gemini-2.5-flash"),
      model("google/tools", "fake-tools"),
      model("google/thinking", "fake-thinking"),
      model("google/busy", "fake-error-429"),
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

describe("Messages API through a native Gemini provider (translated)", () => {
  let gemini: FakeGemini;
  let t: TestApp;
  let client: Anthropic;
  let accountId: string;

  const records = async (): Promise<AuditRecord[]> => {
    await t.services.records.flush();
    const found: AuditRecord[] = [];
    for await (const record of t.services.storage.audit.iterate({ accountId, type: "request" })) found.push(record);
    return found;
  };

  beforeAll(async () => {
    gemini = await startFakeGemini({ apiKey: GEMINI_KEY });
    t = await createTestApp({ catalog: geminiCatalog(gemini), credentials: { GEMINI_API_KEY: GEMINI_KEY } });
    const seeded = await t.seedAccount({ mode: "live", balanceMicros: 1_000_000_000 });
    accountId = seeded.account.id;
    await t.app.listen({ host: "127.0.0.1", port: 0 });
    const address = t.app.server.address() as { port: number };
    client = new Anthropic({ apiKey: seeded.key, baseURL: `http://127.0.0.1:${address.port}`, maxRetries: 0 });
  });
  afterAll(async () => {
    await t?.dispose();
    await gemini?.close();
  });

  it("answers messages.create: system, limits and stop sequences translated, the answer a Message with Gemini's usage", async () => {
    const message = await client.messages.create({
      model: "google/flash",
      max_tokens: 200,
      system: [{ type: "text", text: "Be brief.", cache_control: { type: "ephemeral" } }],
      stop_sequences: ["END"],
      messages: [{ role: "user", content: "Hello there" }],
    });
    expect(message).toMatchObject({
      type: "message",
      model: "google/flash",
      content: [{ type: "text", text: "Fake Gemini answer to: Hello there" }],
      stop_reason: "end_turn",
      stop_sequence: null,
    });
    expect(message.id).toMatch(/^msg_/);
    const sent = gemini.requests.at(-1)!.body as { systemInstruction: unknown; generationConfig: Record<string, unknown> };
    expect(sent.systemInstruction).toEqual({ parts: [{ text: "Be brief." }] });
    expect(sent.generationConfig).toMatchObject({ maxOutputTokens: 200, stopSequences: ["END"] });
    // "Hello there" + "Be brief." are the fake's prompt; its answer has 6 words.
    expect(message.usage).toMatchObject({ input_tokens: 4, output_tokens: 6, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 });
  });

  it("streams a tool call as a tool_use block with input_json_delta, and takes the tool_result back", async () => {
    const messages: Anthropic.MessageParam[] = [{ role: "user", content: "weather in Paris" }];
    const stream = client.messages.stream({ model: "google/tools", max_tokens: 200, tools: [WEATHER], messages });
    const deltas: string[] = [];
    for await (const event of stream) if (event.type === "content_block_delta") deltas.push(event.delta.type);
    const first = await stream.finalMessage();
    expect(deltas).toEqual(["input_json_delta"]);
    expect(first.stop_reason).toBe("tool_use");
    const call = first.content[0] as Anthropic.ToolUseBlock;
    expect(call).toMatchObject({ type: "tool_use", name: "weather", input: { city: "fake" } });

    const second = await client.messages.create({
      model: "google/tools",
      max_tokens: 200,
      tools: [WEATHER],
      messages: [
        ...messages,
        { role: "assistant", content: first.content },
        { role: "user", content: [{ type: "tool_result", tool_use_id: call.id, content: "18 degrees" }] },
      ],
    });
    expect(second.content).toEqual([{ type: "text", text: 'Fake Gemini answer to: weather returned {"output":"18 degrees"}' }]);
  });

  it("shows Gemini's thoughts as a thinking block (thinking_delta when streamed), billed as output", async () => {
    const params = {
      model: "google/thinking",
      max_tokens: 4000,
      thinking: { type: "enabled" as const, budget_tokens: 1024 },
      messages: [{ role: "user" as const, content: "Think" }],
    };
    const message = await client.messages.create(params);
    expect(message.content.map((block) => block.type)).toEqual(["thinking", "text"]);
    expect(message.content[0]).toMatchObject({ thinking: "Thinking about how to answer this briefly.", signature: "" });
    expect((message.usage as unknown as { output_tokens_details: unknown }).output_tokens_details).toEqual({ thinking_tokens: 7 });
    expect((gemini.requests.at(-1)!.body as { generationConfig: unknown }).generationConfig).toMatchObject({
      thinkingConfig: { includeThoughts: true, thinkingBudget: 1024 },
    });
    const stream = client.messages.stream(params);
    const deltas: string[] = [];
    for await (const event of stream) if (event.type === "content_block_delta") deltas.push(event.delta.type);
    expect(deltas[0]).toBe("thinking_delta");
    expect((await stream.finalMessage()).content).toEqual(message.content);
  });

  it("sends images as inline data", async () => {
    const message = await client.messages.create({
      model: "google/flash",
      max_tokens: 100,
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "What is this?" },
            { type: "image", source: { type: "base64", media_type: "image/png", data: PNG } },
          ],
        },
      ],
    });
    expect(message.content).toEqual([{ type: "text", text: "Fake Gemini answer to: What is this? (with 1 media part)" }]);
    expect(message.usage.input_tokens).toBe(3 + MEDIA_TOKENS);
  });

  it("bills Gemini's usage at the catalog's prices: the answer's usage, the ledger and the audit record agree", async () => {
    await t.services.records.flush();
    const before = await t.services.storage.ledger.sum(accountId);
    const message = await client.messages.create({ model: "google/flash", max_tokens: 100, messages: [{ role: "user", content: "How much?" }] });
    const streamed = await client.messages
      .stream({ model: "google/flash", max_tokens: 100, messages: [{ role: "user", content: "How much?" }] })
      .finalMessage();
    expect(streamed.usage).toMatchObject(message.usage);
    const cost = message.usage.input_tokens * INPUT_MICROS + message.usage.output_tokens * OUTPUT_MICROS;
    const audited = (await records()).slice(-2);
    expect(audited.map((record) => record.costMicros)).toEqual([cost, cost]);
    expect(await t.services.storage.ledger.sum(accountId)).toBe(before - 2 * cost);
  });

  it("refuses what Gemini cannot serve by name, and maps Gemini's refusals to Anthropic's shape", async () => {
    const serverTool = await failure(() =>
      client.messages.create({
        model: "google/flash",
        max_tokens: 100,
        tools: [{ type: "web_search_20250305", name: "web_search" } as never],
        messages: [{ role: "user", content: "news?" }],
      }),
    );
    expect(serverTool).toBeInstanceOf(BadRequestError);
    expect(serverTool.message).toContain("tools[0] (Anthropic's web_search_20250305 tool)");
    const busy = await failure(() => client.messages.create({ model: "google/busy", max_tokens: 10, messages: [{ role: "user", content: "x" }] }));
    expect(busy).toBeInstanceOf(ServiceUnavailableError);
    expect([busy.type, busy.errorCode]).toEqual(["overloaded_error", "upstream_unavailable"]);
  });
});
