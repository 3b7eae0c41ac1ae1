import Anthropic, { type APIError, BadRequestError } from "@anthropic-ai/sdk";
import { type AuditRecord, parseCatalog } from "@bentoo/core";
import { type FakeUpstream, startFakeUpstream } from "@bentoo/test-kit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "./helpers.js";

/**
 * Anthropic's Messages API on live keys whose models an OpenAI-compatible
 * provider serves (the fake upstream of @bentoo/test-kit): requests translated
 * to Chat Completions, answers and streams written back in Anthropic's shapes.
 */

/** 100 micro-dollars per input token and 1,000 per output token. */
const PRICES = { input_price_per_mtok: 100, output_price_per_mtok: 1000, context_length: 128_000 };
const LOOKUP: Anthropic.Tool = { name: "lookup", description: "Looks things up", input_schema: { type: "object", properties: {} } };

async function failure(call: () => Promise<unknown>): Promise<APIError> {
  try {
    await call();
  } catch (error) {
    if (error instanceof Anthropic.APIError) return error;
    throw error;
  }
  throw new Error("expected the call to fail");
}

describe("Messages API through an OpenAI-compatible provider (translated)", () => {
  let upstream: FakeUpstream;
  let t: TestApp;
  let client: Anthropic;
  let accountId: string;

  beforeAll(async () => {
    upstream = await startFakeUpstream();
    t = await createTestApp({
      catalog: parseCatalog({
        providers: [{ id: "compat", type: "openai", base_url: upstream.url, api_key_env: null }],
        models: [
          { id: "compat/chat", provider: "compat", upstream_model: "fake-model", ...PRICES },
          { id: "compat/tools", provider: "compat", upstream_model: "fake-tools", ...PRICES },
        ],
      }),
    });
    const seeded = await t.seedAccount({ mode: "live", balanceMicros: 100_000_000 });
    accountId = seeded.account.id;
    await t.app.listen({ host: "127.0.0.1", port: 0 });
    const address = t.app.server.address() as { port: number };
    client = new Anthropic({ apiKey: seeded.key, baseURL: `http://127.0.0.1:${address.port}`, maxRetries: 0 });
  });
  afterAll(async () => {
    await t?.dispose();
    await upstream?.close();
  });

  it("answers messages.create: the system prompt a system message, the limits and stop sequences carried, the usage Anthropic's", async () => {
    const message = await client.messages.create({
      model: "compat/chat",
      max_tokens: 200,
      system: "Be brief.",
      stop_sequences: ["END"],
      messages: [{ role: "user", content: "Hello there" }],
    });
    expect(message).toMatchObject({
      type: "message",
      model: "compat/chat",
      content: [{ type: "text", text: "Fake answer to: Hello there" }],
      stop_reason: "end_turn",
    });
    expect(upstream.requests.at(-1)!.body).toMatchObject({
      model: "fake-model",
      max_tokens: 200,
      stop: ["END"],
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: "Hello there" },
      ],
    });
    // "Be brief." and "Hello there", 3 each per message; four words answer.
    expect(message.usage).toMatchObject({ input_tokens: 10, output_tokens: 5, cache_read_input_tokens: 0 });
  });

  it("streams a tool call as a tool_use block, and takes the tool_result back as a tool message", async () => {
    const messages: Anthropic.MessageParam[] = [{ role: "user", content: "find it" }];
    const stream = client.messages.stream({ model: "compat/tools", max_tokens: 200, tools: [LOOKUP], messages });
    const first = await stream.finalMessage();
    expect(first.stop_reason).toBe("tool_use");
    const call = first.content[0] as Anthropic.ToolUseBlock;
    expect(call).toMatchObject({ type: "tool_use", name: "lookup", input: {} });

    // The fake's fake-tools model calls the tool on every turn: the next turn goes to a model that answers.
    const second = await client.messages.create({
      model: "compat/chat",
      max_tokens: 200,
      tools: [LOOKUP],
      messages: [
        ...messages,
        { role: "assistant", content: first.content },
        { role: "user", content: [{ type: "tool_result", tool_use_id: call.id, content: "found" }] },
      ],
    });
    expect(second.content[0]!.type).toBe("text");
    const sent = upstream.requests.at(-1)!.body as { messages: unknown[] };
    expect(sent.messages.slice(1)).toEqual([
      { role: "assistant", content: null, tool_calls: [{ id: call.id, type: "function", function: { name: "lookup", arguments: "{}" } }] },
      { role: "tool", tool_call_id: call.id, content: "found" },
    ]);
  });

  it("refuses what Chat Completions cannot carry by name", async () => {
    const refused = await failure(() =>
      client.messages.create({
        model: "compat/chat",
        max_tokens: 10,
        top_k: 5,
        messages: [{ role: "user", content: "x" }],
      } as Anthropic.MessageCreateParamsNonStreaming),
    );
    expect(refused).toBeInstanceOf(BadRequestError);
    expect(refused.message).toContain("top_k");
  });

  it("bills the provider's usage at the catalog's prices: the answer's usage, the ledger and the audit record agree", async () => {
    await t.services.records.flush();
    const before = await t.services.storage.ledger.sum(accountId);
    const request = { model: "compat/chat", max_tokens: 100, messages: [{ role: "user" as const, content: "How much is it?" }] };
    const message = await client.messages.create(request);
    const streamed = await client.messages.stream(request).finalMessage();
    expect(streamed.usage).toMatchObject({ input_tokens: message.usage.input_tokens, output_tokens: message.usage.output_tokens });
    const cost = message.usage.input_tokens * 100 + message.usage.output_tokens * 1000;
    await t.services.records.flush();
    const audited: AuditRecord[] = [];
    for await (const record of t.services.storage.audit.iterate({ accountId, type: "request" })) audited.push(record);
    expect(audited.slice(-2).map((record) => record.costMicros)).toEqual([cost, cost]);
    expect(await t.services.storage.ledger.sum(accountId)).toBe(before - 2 * cost);
  });
});
