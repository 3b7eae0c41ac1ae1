import { parseCatalog } from "@bentoo/core";
import { type FakeGemini, type FakeUpstream, MEDIA_TOKENS, startFakeGemini, startFakeUpstream, UNKNOWN_SIGNATURE } from "@bentoo/test-kit";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "./helpers.js";

const GEMINI_KEY = "AIza-fake-gemini-key-0123456789";
/** 100 micro-dollars per input token and 1,000 per output token: every token class shows in the money. */
const INPUT_MICROS = 100;
const OUTPUT_MICROS = 1_000;
const RED_DOT = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";

function geminiCatalog(gemini: FakeGemini, openai: FakeUpstream) {
  const prices = { input_price_per_mtok: INPUT_MICROS, output_price_per_mtok: OUTPUT_MICROS, context_length: 1_000_000 };
  const model = (id: string, upstreamModel: string) => ({ id, provider: "google", upstream_model: upstreamModel, ...prices });
  return parseCatalog({
    providers: [
      // No retries on the same route, except on "google-patient", so that fallbacks are immediate.
      { id: "google", type: "gemini", base_url: gemini.url, api_key_env: "GEMINI_API_KEY", max_retries: 0 },
      { id: "google-patient", type: "gemini", base_url: gemini.url, api_key_env: "GEMINI_API_KEY", max_retries: 1 },
      { id: "compat", type: "openai", base_url: openai.url, api_key_env: null },
    ],
    models: [
      model("google/flash", "gemini-2.5-flash"),
      model("google/signed", "fake-signed-tools"),
      model("google/thinking", "fake-thinking"),
      model("google/safety", "fake-safety"),
      model("google/blocked", "fake-prompt-blocked"),
      model("google/cached", "fake-cached"),
      model("google/busy", "fake-error-429"),
      model("google/rejects", "fake-error-400"),
      { ...model("google/busy-patient", "fake-error-429"), provider: "google-patient" },
      {
        id: "google/fallback",
        providers: [
          { provider: "google", upstream_model: "fake-error-503" },
          { provider: "google", upstream_model: "gemini-2.5-flash" },
        ],
        ...prices,
      },
      {
        id: "mixed/flash",
        providers: [
          { provider: "google", upstream_model: "gemini-2.5-flash" },
          { provider: "compat", upstream_model: "fake-model" },
        ],
        ...prices,
      },
    ],
  });
}

/** What a reported usage costs at the catalog's prices. */
const costOf = (usage: OpenAI.CompletionUsage) => usage.prompt_tokens * INPUT_MICROS + usage.completion_tokens * OUTPUT_MICROS;
const costMicros = (usage: OpenAI.CompletionUsage | undefined) => (usage as unknown as { cost_micros: number }).cost_micros;

/** The official `openai` npm package, unmodified, against Bentoo serving models of a `gemini` provider. */
describe("Chat Completions through a native Gemini provider (official openai SDK)", () => {
  let gemini: FakeGemini;
  let openai: FakeUpstream;
  let t: TestApp;
  let client: OpenAI;
  let accountId: string;

  beforeAll(async () => {
    gemini = await startFakeGemini({ apiKey: GEMINI_KEY });
    openai = await startFakeUpstream();
    t = await createTestApp({ catalog: geminiCatalog(gemini, openai), credentials: { GEMINI_API_KEY: GEMINI_KEY } });
    const seeded = await t.seedAccount({ mode: "live", balanceMicros: 1_000_000_000 });
    accountId = seeded.account.id;
    await t.app.listen({ host: "127.0.0.1", port: 0 });
    const address = t.app.server.address();
    if (typeof address !== "object" || address === null) throw new Error("no address");
    client = new OpenAI({ apiKey: seeded.key, baseURL: `http://127.0.0.1:${address.port}/v1`, maxRetries: 0 });
  });
  afterAll(async () => {
    await t?.dispose();
    await gemini?.close();
    await openai?.close();
  });

  const lastSent = () => gemini.requests.at(-1)!;

  it("chat: the system prompt as systemInstruction, the key in x-goog-api-key, Gemini's answer and usage with its cost", async () => {
    const completion = await client.chat.completions.create({
      model: "google/flash",
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: "Hello there" },
      ],
      temperature: 0.3,
      max_completion_tokens: 100,
    });
    expect(completion.model).toBe("google/flash");
    expect(completion.choices[0]!.message).toMatchObject({ role: "assistant", content: "Fake Gemini answer to: Hello there" });
    expect(completion.choices[0]!.finish_reason).toBe("stop");
    // The fake counts words: 2 + 2 in the prompt, 6 in the answer.
    expect(completion.usage).toMatchObject({ prompt_tokens: 4, completion_tokens: 6, total_tokens: 10 });
    expect(costMicros(completion.usage)).toBe(4 * INPUT_MICROS + 6 * OUTPUT_MICROS);
    const sent = lastSent();
    expect(sent.path).toBe("/v1beta/models/gemini-2.5-flash:generateContent");
    expect(sent.headers["x-goog-api-key"]).toBe(GEMINI_KEY);
    expect(sent.body).toEqual({
      contents: [{ role: "user", parts: [{ text: "Hello there" }] }],
      systemInstruction: { parts: [{ text: "Be brief." }] },
      generationConfig: { maxOutputTokens: 100, temperature: 0.3 },
    });
    expect(t.logs.text()).not.toContain(GEMINI_KEY);
  });

  it("streams: text deltas, finish_reason, the usage chunk when asked, [DONE]", async () => {
    const stream = await client.chat.completions.create({
      model: "google/flash",
      messages: [{ role: "user", content: "Stream this please" }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = "";
    const finishes: Array<string | null> = [];
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const chunk of stream) {
      expect(chunk.model).toBe("google/flash");
      const choice = chunk.choices[0];
      if (choice !== undefined) {
        text += choice.delta.content ?? "";
        if (choice.finish_reason !== null) finishes.push(choice.finish_reason);
      }
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe("Fake Gemini answer to: Stream this please");
    expect(finishes).toEqual(["stop"]);
    expect(usage).toMatchObject({ prompt_tokens: 3, completion_tokens: 7 });
    expect(costMicros(usage)).toBe(costOf(usage!));
    expect(lastSent().path).toBe("/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse");
  });

  it("a tool round trip on a model that checks thought signatures: the signature Gemini issued comes back with the call", async () => {
    const tools: OpenAI.ChatCompletionTool[] = [
      {
        type: "function",
        function: { name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] } },
      },
    ];
    const question: OpenAI.ChatCompletionMessageParam = { role: "user", content: "Weather in Paris?" };
    // The call streams, as agents usually ask for it.
    const stream = await client.chat.completions.create({ model: "google/signed", messages: [question], tools, tool_choice: "required", stream: true });
    const call = { id: "", name: "", arguments: "" };
    let finish: string | null = null;
    for await (const chunk of stream) {
      for (const delta of chunk.choices[0]?.delta.tool_calls ?? []) {
        call.id += delta.id ?? "";
        call.name += delta.function?.name ?? "";
        call.arguments += delta.function?.arguments ?? "";
      }
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    expect(finish).toBe("tool_calls");
    expect(call.name).toBe("get_weather");
    expect(JSON.parse(call.arguments)).toEqual({ city: "fake" });
    expect(lastSent().body).toMatchObject({ toolConfig: { functionCallingConfig: { mode: "ANY" } } });

    const answer = await client.chat.completions.create({
      model: "google/signed",
      tools,
      messages: [
        question,
        { role: "assistant", content: null, tool_calls: [{ id: call.id, type: "function", function: { name: call.name, arguments: call.arguments } }] },
        { role: "tool", tool_call_id: call.id, content: "sunny, 21 °C" },
      ],
    });
    expect(answer.choices[0]!.message.content).toBe('Fake Gemini answer to: get_weather returned {"output":"sunny, 21 °C"}');
    const contents = (lastSent().body as { contents: Array<{ role: string; parts: Array<Record<string, unknown>> }> }).contents;
    expect(contents[1]).toEqual({
      role: "model",
      parts: [{ functionCall: { name: "get_weather", args: { city: "fake" } }, thoughtSignature: gemini.signatures.at(-1) }],
    });
    expect(contents[2]).toEqual({ role: "user", parts: [{ functionResponse: { name: "get_weather", response: { output: "sunny, 21 °C" } } }] });

    // A call Gemini never made (written by the client) goes with the documented placeholder, and Gemini 3 accepts it.
    const handMade = await client.chat.completions.create({
      model: "google/signed",
      tools,
      messages: [
        question,
        {
          role: "assistant",
          content: null,
          tool_calls: [{ id: "call_1", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } }],
        },
        { role: "tool", tool_call_id: "call_1", content: "rain" },
      ],
    });
    expect(handMade.choices[0]!.finish_reason).toBe("stop");
    expect((lastSent().body as { contents: Array<{ parts: Array<{ thoughtSignature?: string }> }> }).contents[1]!.parts[0]!.thoughtSignature).toBe(
      UNKNOWN_SIGNATURE,
    );
  });

  it("response_format json_schema: Gemini is asked for JSON with the schema; the content parses", async () => {
    const schema = { type: "object", properties: { city: { type: "string" }, population: { type: "integer" } }, required: ["city", "population"] };
    const completion = await client.chat.completions.create({
      model: "google/flash",
      messages: [{ role: "user", content: "Largest city in France?" }],
      response_format: { type: "json_schema", json_schema: { name: "city", schema, strict: true } },
    });
    expect(JSON.parse(completion.choices[0]!.message.content!)).toEqual({ city: "fake", population: 42 });
    expect(lastSent().body).toMatchObject({ generationConfig: { responseMimeType: "application/json", responseJsonSchema: schema } });
  });

  it("an image part goes as inlineData and is counted in the prompt", async () => {
    const completion = await client.chat.completions.create({
      model: "google/flash",
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "What is this?" },
            { type: "image_url", image_url: { url: `data:image/png;base64,${RED_DOT}` } },
          ],
        },
      ],
    });
    expect(completion.choices[0]!.message.content).toBe("Fake Gemini answer to: What is this? (with 1 media part)");
    expect(completion.usage!.prompt_tokens).toBe(3 + MEDIA_TOKENS);
    expect(lastSent().body).toMatchObject({
      contents: [{ role: "user", parts: [{ text: "What is this?" }, { inlineData: { mimeType: "image/png", data: RED_DOT } }] }],
    });
    // A URL Gemini cannot fetch is refused before any upstream call, naming the part.
    const before = gemini.requests.length;
    const refused = await client.chat.completions
      .create({ model: "google/flash", messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: "http://intranet/cat.png" } }] }] })
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(OpenAI.BadRequestError);
    expect((refused as InstanceType<typeof OpenAI.BadRequestError>).message).toMatch(/message 1 \(user\).*"http:"/);
    expect(gemini.requests).toHaveLength(before);
  });

  it("a safety block finishes with content_filter and says why, JSON and streamed; a blocked prompt too", async () => {
    const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: "user", content: "Tell me something risky" }];
    const filtered = await client.chat.completions.create({ model: "google/safety", messages });
    expect(filtered.choices[0]!.finish_reason).toBe("content_filter");
    expect(filtered.choices[0]!.message.refusal).toContain("SAFETY");
    const stream = await client.chat.completions.create({ model: "google/safety", messages, stream: true });
    const finishes: string[] = [];
    for await (const chunk of stream) if (chunk.choices[0]?.finish_reason) finishes.push(chunk.choices[0].finish_reason);
    expect(finishes).toEqual(["content_filter"]);
    const blocked = await client.chat.completions.create({ model: "google/blocked", messages, n: 2 });
    expect(blocked.choices.map((choice) => [choice.finish_reason, choice.message.content])).toEqual([
      ["content_filter", null],
      ["content_filter", null],
    ]);
    expect(blocked.choices[0]!.message.refusal).toContain("blocked the prompt (block reason SAFETY)");
    expect(blocked.usage).toMatchObject({ prompt_tokens: 4, completion_tokens: 0 });
  });

  it("reasoning: reasoning_effort asks for thoughts; they come back as reasoning_content and are billed as output", async () => {
    const completion = await client.chat.completions.create({
      model: "google/thinking",
      messages: [{ role: "user", content: "Think first" }],
      reasoning_effort: "low",
    });
    expect(lastSent().body).toMatchObject({ generationConfig: { thinkingConfig: { includeThoughts: true, thinkingLevel: "LOW" } } });
    const message = completion.choices[0]!.message as OpenAI.ChatCompletionMessage & { reasoning_content?: string };
    expect(message.reasoning_content).toBe("Thinking about how to answer this briefly.");
    expect(message.content).toBe("Fake Gemini answer to: Think first");
    // 7 words of thoughts (billed whether shown or not) + 6 words of answer.
    expect(completion.usage).toMatchObject({ completion_tokens: 13, completion_tokens_details: { reasoning_tokens: 7 } });
    expect(costMicros(completion.usage)).toBe(costOf(completion.usage!));
  });

  it("cached input: counted in prompt_tokens and shown as cached_tokens", async () => {
    const completion = await client.chat.completions.create({ model: "google/cached", messages: [{ role: "user", content: "one two three four five six" }] });
    expect(completion.usage).toMatchObject({ prompt_tokens: 6, prompt_tokens_details: { cached_tokens: 3 } });
  });

  it("errors: a 429 is a 503 the SDK can retry, asked again as Gemini says; a 503 falls back to the next route; Gemini's 400 is the client's", async () => {
    const busy = await client.chat.completions.create({ model: "google/busy", messages: [{ role: "user", content: "hi" }] }).catch((error: unknown) => error);
    expect(busy).toBeInstanceOf(OpenAI.APIError);
    expect(busy).toMatchObject({ status: 503, code: "upstream_unavailable" });
    // Asked again on the same route after the delay Gemini's RetryInfo asks for (1 s), once, then answered.
    const before = gemini.requests.length;
    const started = performance.now();
    const patient = await client.chat.completions
      .create({ model: "google/busy-patient", messages: [{ role: "user", content: "hi" }] })
      .catch((error: unknown) => error);
    expect(patient).toMatchObject({ status: 503, code: "upstream_unavailable" });
    expect(gemini.requests.length - before).toBe(2);
    expect(performance.now() - started).toBeGreaterThanOrEqual(950);
    const fallback = await client.chat.completions.create({ model: "google/fallback", messages: [{ role: "user", content: "hi" }] });
    expect(fallback.choices[0]!.message.content).toBe("Fake Gemini answer to: hi");
    const rejected = await client.chat.completions
      .create({ model: "google/rejects", messages: [{ role: "user", content: "hi" }] })
      .catch((error: unknown) => error);
    expect(rejected).toBeInstanceOf(OpenAI.BadRequestError);
    expect(rejected).toMatchObject({ code: "upstream_rejected_request" });
    expect((rejected as Error).message).toContain("Request contains an invalid argument.");
  });

  it("a parameter Gemini cannot take is a 400 naming it, unless another route of the model can serve it", async () => {
    const params = { messages: [{ role: "user" as const, content: "hi" }], logprobs: true };
    const refused = await client.chat.completions.create({ model: "google/flash", ...params }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(OpenAI.BadRequestError);
    expect(refused).toMatchObject({ code: "invalid_request", param: "logprobs" });
    const served = await client.chat.completions.create({ model: "mixed/flash", ...params });
    expect(served.choices[0]!.message.content).toBe("Fake answer to: hi");
    expect(openai.requests.at(-1)!.body).toMatchObject({ model: "fake-model", logprobs: true });
  });

  it("billing: each answer's ledger charge = its audit cost = its usage at the catalog's prices", async () => {
    await t.services.records.flush();
    const audit = [];
    for await (const record of t.services.storage.audit.iterate({ accountId, type: "request" })) audit.push(record);
    const answered = audit.filter((record) => record.status === 200);
    expect(answered.length).toBeGreaterThanOrEqual(10);
    const ledger = await t.services.storage.ledger.list(accountId, { limit: 1000 });
    const charges = new Map(ledger.filter((row) => row.kind === "charge").map((row) => [row.requestId, -row.amountMicros]));
    for (const record of answered) {
      expect(record.costMicros, record.model ?? "").toBe(record.promptTokens! * INPUT_MICROS + record.completionTokens! * OUTPUT_MICROS);
      expect(charges.get(record.requestId) ?? 0, record.model ?? "").toBe(record.costMicros);
    }
    // Failed requests (refused, upstream errors) cost nothing.
    for (const record of audit.filter((entry) => entry.status !== 200)) expect(charges.get(record.requestId) ?? 0).toBe(0);
    expect(answered.some((record) => record.model === "google/thinking" && record.completionTokens === 13)).toBe(true);
  });
});
