import { parseCatalog } from "@bentoo/core";
import { type FakeUpstream, startFakeUpstream } from "@bentoo/test-kit";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "./helpers.js";

/** The official `openai` npm package, unmodified, pointed at a running Bentoo. */
describe("the official openai SDK against Bentoo", () => {
  let t: TestApp;
  let upstream: FakeUpstream;
  let baseURL: string;
  let testKey: string;
  let liveKey: string;

  beforeAll(async () => {
    upstream = await startFakeUpstream({ apiKey: "sk-upstream" });
    const catalog = parseCatalog({
      providers: [{ id: "local", type: "openai", base_url: upstream.url, api_key_env: "LOCAL_KEY" }],
      models: [{ id: "local/model", provider: "local", upstream_model: "m", input_price_per_mtok: 1, output_price_per_mtok: 1, context_length: 4096 }],
    });
    t = await createTestApp({ catalog, credentials: { LOCAL_KEY: "sk-upstream" } });
    testKey = (await t.seedAccount({ mode: "test" })).key;
    liveKey = (await t.seedAccount({ mode: "live", balanceMicros: 1_000_000 })).key;
    await t.app.listen({ host: "127.0.0.1", port: 0 });
    const address = t.app.server.address();
    if (typeof address !== "object" || address === null) throw new Error("no address");
    baseURL = `http://127.0.0.1:${address.port}/v1`;
  });
  afterAll(async () => {
    await t?.dispose();
    await upstream?.close();
  });

  it("lists and retrieves models", async () => {
    const client = new OpenAI({ apiKey: testKey, baseURL });
    const ids: string[] = [];
    for await (const model of client.models.list()) ids.push(model.id);
    expect(ids).toEqual(["local/model"]);
    const model = await client.models.retrieve("local/model");
    expect(model.id).toBe("local/model");
  });

  it("creates a chat completion (sandbox) and reads the request id", async () => {
    const client = new OpenAI({ apiKey: testKey, baseURL });
    const { data, request_id } = await client.chat.completions.create({ model: "local/model", messages: [{ role: "user", content: "Hello" }] }).withResponse();
    expect(data.choices[0]!.message.content).toContain("Hello");
    expect(data.usage!.total_tokens).toBeGreaterThan(0);
    expect(request_id).toMatch(/^req_/);
  });

  it("streams a chat completion with include_usage (sandbox and live upstream)", async () => {
    for (const [key, expected] of [
      [testKey, "Hello"],
      [liveKey, "Fake answer to: Hello"],
    ] as const) {
      const client = new OpenAI({ apiKey: key, baseURL });
      const stream = await client.chat.completions.create({
        model: "local/model",
        messages: [{ role: "user", content: "Hello" }],
        stream: true,
        stream_options: { include_usage: true },
      });
      let text = "";
      let usage: OpenAI.CompletionUsage | null | undefined;
      for await (const chunk of stream) {
        text += chunk.choices[0]?.delta?.content ?? "";
        if (chunk.usage) usage = chunk.usage;
      }
      expect(text).toContain(expected);
      expect(usage?.total_tokens).toBeGreaterThan(0);
    }
  });

  it("calls tools through the SDK", async () => {
    const client = new OpenAI({ apiKey: testKey, baseURL });
    const completion = await client.chat.completions.create({
      model: "local/model",
      messages: [{ role: "user", content: "weather in Paris" }],
      tools: [{ type: "function", function: { name: "weather", parameters: { type: "object", properties: { city: { type: "string" } } } } }],
      tool_choice: "required",
    });
    const call = completion.choices[0]!.message.tool_calls![0]!;
    expect(call.type === "function" && call.function.name).toBe("weather");
  });

  it("raises AuthenticationError for a bad key, NotFoundError for an unknown model", async () => {
    const bad = new OpenAI({ apiKey: "btoo_sk_live_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", baseURL, maxRetries: 0 });
    const failure = await bad.models.list().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(OpenAI.AuthenticationError);
    expect((failure as InstanceType<typeof OpenAI.AuthenticationError>).code).toBe("malformed_api_key");
    const client = new OpenAI({ apiKey: testKey, baseURL, maxRetries: 0 });
    const missing = await client.chat.completions.create({ model: "nope/nope", messages: [{ role: "user", content: "x" }] }).catch((error: unknown) => error);
    expect(missing).toBeInstanceOf(OpenAI.NotFoundError);
  });
});
