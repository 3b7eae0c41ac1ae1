import { createOpenAI } from "@ai-sdk/openai";
import { parseCatalog } from "@bentoo/core";
import { type FakeAnthropic, type FakeGemini, startFakeAnthropic, startFakeGemini } from "@bentoo/test-kit";
import { type AIMessage, HumanMessage, ToolMessage } from "@langchain/core/messages";
import { tool as langchainTool } from "@langchain/core/tools";
import { ChatOpenAI } from "@langchain/openai";
import { generateObject, generateText, type ModelMessage, stepCountIs, streamText, tool } from "ai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { createTestApp, type TestApp } from "./helpers.js";

const ANTHROPIC_KEY = "sk-ant-fake-upstream-0123456789";
const GEMINI_KEY = "AIza-fake-gemini-key-0123456789";
/** The fake Anthropic calls a forced tool with `{"query": <the question>}`; the sandbox fills the schema in. */
const Lookup = z.object({ query: z.string() });
const Report = z.object({ city: z.string(), celsius: z.number() });

/**
 * The clients people point at OpenAI's Responses API, unmodified, pointed at
 * Bentoo: the Vercel AI SDK's default `openai(model)` provider and LangChain's
 * ChatOpenAI with `useResponsesApi`. On a test key (the sandbox) and on live
 * keys served by an `anthropic` and a `gemini` provider (fake upstreams).
 */
describe("Responses API clients against Bentoo", () => {
  let anthropic: FakeAnthropic;
  let gemini: FakeGemini;
  let t: TestApp;
  let baseURL: string;
  /** The paths the clients called, to show they speak the Responses API. */
  const paths: string[] = [];
  /** The request bodies they sent, to show what they rely on. */
  const bodies: string[] = [];
  const recordingFetch = async (url: string | URL | Request, init?: RequestInit) => {
    paths.push(new URL(url instanceof Request ? url.url : url).pathname);
    bodies.push(typeof init?.body === "string" ? init.body : "");
    return fetch(url, init);
  };

  beforeAll(async () => {
    anthropic = await startFakeAnthropic({ apiKey: ANTHROPIC_KEY });
    gemini = await startFakeGemini({ apiKey: GEMINI_KEY });
    const prices = { input_price_per_mtok: 3, output_price_per_mtok: 15, context_length: 200_000, max_output_tokens: 1000 };
    const catalog = parseCatalog({
      providers: [
        { id: "claude", type: "anthropic", base_url: anthropic.url, api_key_env: "ANTHROPIC_KEY", max_retries: 0 },
        { id: "google", type: "gemini", base_url: gemini.url, api_key_env: "GEMINI_KEY", max_retries: 0 },
      ],
      models: [
        { id: "claude/sonnet", provider: "claude", upstream_model: "claude-test", ...prices },
        { id: "google/flash", provider: "google", upstream_model: "gemini-2.5-flash", ...prices },
      ],
    });
    t = await createTestApp({ catalog, credentials: { ANTHROPIC_KEY, GEMINI_KEY } });
    await t.app.listen({ host: "127.0.0.1", port: 0 });
    const address = t.app.server.address();
    if (typeof address !== "object" || address === null) throw new Error("no address");
    baseURL = `http://127.0.0.1:${address.port}/v1`;
  });
  afterAll(async () => {
    await t?.dispose();
    await anthropic?.close();
    await gemini?.close();
  });

  const cases = [
    { name: "a test key (sandbox)", mode: "test" as const, model: "claude/sonnet", answer: 'Sandbox answer from claude/sonnet to "' },
    { name: "a live key (anthropic provider)", mode: "live" as const, model: "claude/sonnet", answer: "Fake answer to: " },
    { name: "a live key (gemini provider)", mode: "live" as const, model: "google/flash", answer: "Fake Gemini answer to: " },
  ];

  describe.each(cases)("the Vercel AI SDK's default openai provider, on $name", ({ mode, model, answer }) => {
    let openai: ReturnType<typeof createOpenAI>;
    let accountId: string;
    let calls = 0;

    beforeAll(async () => {
      const seeded = await t.seedAccount({ mode, balanceMicros: mode === "live" ? 10_000_000 : undefined });
      accountId = seeded.account.id;
      openai = createOpenAI({
        apiKey: seeded.key,
        baseURL,
        fetch: async (url, init) => {
          calls += 1;
          return recordingFetch(url, init);
        },
      });
    });

    it("generateText and streamText", async () => {
      paths.length = 0;
      const generated = await generateText({ model: openai(model), system: "Be brief.", prompt: "Hello there" });
      expect(generated.text).toContain(`${answer}Hello there`);
      expect(generated.usage.inputTokens).toBeGreaterThan(0);
      expect(generated.finishReason).toBe("stop");
      const streamed = streamText({ model: openai(model), system: "Be brief.", prompt: "Hello there" });
      let text = "";
      for await (const delta of streamed.textStream) text += delta;
      expect(text).toBe(generated.text);
      expect((await streamed.usage).outputTokens).toBe(generated.usage.outputTokens);
      expect(paths).toEqual(["/v1/responses", "/v1/responses"]);
    });

    it("runs a tool and answers with its result, and goes on from an earlier answer (item_reference)", async () => {
      const result = await generateText({
        model: openai(model),
        prompt: "Weather in Paris?",
        tools: { weather: tool({ description: "The weather in a city", inputSchema: Lookup, execute: async ({ query }) => ({ query, celsius: 18 }) }) },
        prepareStep: ({ stepNumber }) => (stepNumber === 0 ? { toolChoice: "required" } : { toolChoice: "none" }),
        stopWhen: stepCountIs(2),
      });
      expect(result.steps).toHaveLength(2);
      expect(result.steps[0]!.toolCalls.map((call) => call.toolName)).toEqual(["weather"]);
      expect(result.steps[0]!.toolResults[0]!.output).toMatchObject({ celsius: 18 });
      expect(result.text).not.toBe("");
      // The next turn carries the earlier assistant message as an item_reference to Bentoo's stored item.
      const first = await generateText({ model: openai(model), prompt: "My name is Ada." });
      const messages: ModelMessage[] = [{ role: "user", content: "My name is Ada." }, ...first.response.messages, { role: "user", content: "And yours?" }];
      const next = await generateText({ model: openai(model), messages });
      expect(JSON.parse(bodies.at(-1)!).input[1]).toEqual({ type: "item_reference", id: expect.stringMatching(/^msg_/) });
      expect(next.text).toContain("And yours?");
    });

    it("generateObject with a schema (text.format json_schema)", async () => {
      const { object } = await generateObject({ model: openai(model), schema: Report, prompt: "Weather in Paris as JSON" });
      expect(Report.parse(object)).toEqual(object);
    });

    it("left one audit record per call", async () => {
      await t.services.records.flush();
      let records = 0;
      for await (const _record of t.services.storage.audit.iterate({ accountId, type: "request" })) records += 1;
      expect(records).toBe(calls);
    });
  });

  describe.each(cases)("LangChain's ChatOpenAI with useResponsesApi, on $name", ({ mode, model, answer }) => {
    let chat: ChatOpenAI;

    beforeAll(async () => {
      const { key } = await t.seedAccount({ mode, balanceMicros: mode === "live" ? 10_000_000 : undefined });
      chat = new ChatOpenAI({ model, apiKey: key, useResponsesApi: true, maxRetries: 0, configuration: { baseURL, fetch: recordingFetch } });
    });

    it("invokes and streams", async () => {
      paths.length = 0;
      const message = await chat.invoke("Hello there");
      expect(message.text).toContain(`${answer}Hello there`);
      expect(message.usage_metadata?.input_tokens).toBeGreaterThan(0);
      let streamed = "";
      for await (const chunk of await chat.stream("Hello there")) streamed += chunk.text;
      expect(streamed).toBe(message.text);
      expect(new Set(paths)).toEqual(new Set(["/v1/responses"]));
    });

    it("calls a bound tool and answers with its result", async () => {
      const weather = langchainTool(async ({ query }) => JSON.stringify({ query, celsius: 18 }), {
        name: "weather",
        description: "The weather in a city",
        schema: Lookup,
      });
      const question = new HumanMessage("Weather in Paris?");
      // By name: this LangChain version drops a string tool_choice such as "required" on the Responses API.
      const called = (await chat.bindTools([weather], { tool_choice: "weather" }).invoke([question])) as AIMessage;
      expect(called.tool_calls?.map((call) => call.name)).toEqual(["weather"]);
      const call = called.tool_calls![0]!;
      const result = new ToolMessage({ tool_call_id: call.id!, content: await weather.invoke(call.args as z.infer<typeof Lookup>) });
      const final = await chat.bindTools([weather]).invoke([question, called, result]);
      expect(final.text).not.toBe("");
    });

    it("returns structured output", async () => {
      const report = await chat.withStructuredOutput(Report, { name: "report" }).invoke("Weather in Paris as JSON");
      expect(Report.parse(report)).toEqual(report);
    });
  });
});
