import { parseCatalog } from "@bentoo/core";
import { type FakeAnthropic, type FakeUpstream, startFakeAnthropic, startFakeUpstream } from "@bentoo/test-kit";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "./helpers.js";

const ANTHROPIC_KEY = "sk-ant-fake-upstream-0123456789";
const PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";

/** $3 input, $15 output, $0.30 cache reads, $3.75 cache writes per million tokens: micro-dollars per token are 3, 15, 0.3 and 3.75. */
const PRICES = {
  input_price_per_mtok: 3,
  output_price_per_mtok: 15,
  cache_read_price_per_mtok: 0.3,
  cache_write_price_per_mtok: 3.75,
  context_length: 200_000,
};

function catalogFor(anthropic: FakeAnthropic, openai: FakeUpstream) {
  const claude = (id: string, upstreamModel: string) => ({ id, provider: "claude", upstream_model: upstreamModel, max_output_tokens: 1000, ...PRICES });
  return parseCatalog({
    providers: [
      // One retry of a transient failure on the same route before the next route.
      { id: "claude", type: "anthropic", base_url: anthropic.url, api_key_env: "ANTHROPIC_KEY", max_retries: 1 },
      { id: "compatible", type: "openai", base_url: openai.url, api_key_env: null },
    ],
    models: [
      claude("claude/sonnet", "claude-test"),
      claude("claude/opus-latest", "claude-opus-4-7"),
      claude("claude/cached", "fake-cache"),
      claude("claude/tools", "fake-tools"),
      claude("claude/overloaded-only", "fake-error-529"),
      // Input 1 and cache writes 100 micro-dollars per token, output free: the hold is the prompt at the write price.
      {
        id: "claude/write-priced",
        provider: "claude",
        upstream_model: "claude-test",
        input_price_per_mtok: 1,
        output_price_per_mtok: 0,
        cache_write_price_per_mtok: 100,
        context_length: 1000,
      },
      { id: "claude/input-priced", provider: "claude", upstream_model: "claude-test", input_price_per_mtok: 1, output_price_per_mtok: 0, context_length: 1000 },
      {
        id: "claude/overloaded",
        providers: [
          { provider: "claude", upstream_model: "fake-error-529" },
          { provider: "compatible", upstream_model: "fake-model" },
        ],
        ...PRICES,
      },
    ],
  });
}

/** The official `openai` npm package as the client, an anthropic-backed catalog model behind Bentoo. */
describe("chat completions through a native Anthropic upstream", () => {
  let anthropic: FakeAnthropic;
  let openai: FakeUpstream;
  let t: TestApp;
  let client: OpenAI;
  let key: string;
  let accountId: string;

  beforeAll(async () => {
    anthropic = await startFakeAnthropic({ apiKey: ANTHROPIC_KEY });
    openai = await startFakeUpstream();
    t = await createTestApp({ catalog: catalogFor(anthropic, openai), credentials: { ANTHROPIC_KEY } });
    const seeded = await t.seedAccount({ mode: "live", balanceMicros: 10_000_000 });
    key = seeded.key;
    accountId = seeded.account.id;
    await t.app.listen({ host: "127.0.0.1", port: 0 });
    const address = t.app.server.address();
    if (typeof address !== "object" || address === null) throw new Error("no address");
    client = new OpenAI({ apiKey: key, baseURL: `http://127.0.0.1:${address.port}/v1`, maxRetries: 0 });
  });
  afterAll(async () => {
    await t?.dispose();
    await anthropic?.close();
    await openai?.close();
  });

  it("answers a chat: the Messages API request carries the system prompt, max_tokens and Anthropic's credentials", async () => {
    const completion = await client.chat.completions.create({
      model: "claude/sonnet",
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: "Hello there" },
      ],
      user: "end-user-7",
    });
    expect(completion.model).toBe("claude/sonnet");
    // Stamped by the services' clock (the test's), not the machine's.
    expect(completion.created).toBe(Math.floor(t.clock.now() / 1000));
    expect(completion.choices[0]!.message.content).toBe("Fake answer to: Hello there");
    expect(completion.choices[0]!.finish_reason).toBe("stop");
    // 2 words + 3 for the message + 2 words of system prompt; the answer has 5 words.
    expect(completion.usage).toMatchObject({ prompt_tokens: 7, completion_tokens: 5, total_tokens: 12 });
    const sent = anthropic.requests.at(-1)!;
    expect(sent.path).toBe("/v1/messages");
    expect([sent.headers["x-api-key"], sent.headers["anthropic-version"]]).toEqual([ANTHROPIC_KEY, "2023-06-01"]);
    expect(sent.body).toEqual({
      model: "claude-test",
      max_tokens: 1000,
      system: "Be brief.",
      messages: [{ role: "user", content: [{ type: "text", text: "Hello there" }] }],
      metadata: { user_id: "end-user-7" },
    });
    expect(sent.raw).not.toContain(key);
  });

  it("streams a chat with include_usage", async () => {
    const stream = await client.chat.completions.create({
      model: "claude/sonnet",
      messages: [{ role: "user", content: "Hello stream" }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = "";
    let finish: string | null = null;
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta?.content ?? "";
      finish = chunk.choices[0]?.finish_reason ?? finish;
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe("Fake answer to: Hello stream");
    expect(finish).toBe("stop");
    expect(usage).toMatchObject({ prompt_tokens: 5, completion_tokens: 5, total_tokens: 10 });
    expect(anthropic.requests.at(-1)!.body).toMatchObject({ stream: true });
  });

  it("makes a tool round trip: a tool call, then the tool's result back as a tool_result block", async () => {
    const tools: OpenAI.ChatCompletionTool[] = [
      {
        type: "function",
        function: { name: "weather", description: "Weather by city", parameters: { type: "object", properties: { query: { type: "string" } } } },
      },
    ];
    const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: "user", content: "weather in Paris" }];
    const first = await client.chat.completions.create({ model: "claude/tools", messages, tools });
    const call = first.choices[0]!.message.tool_calls![0]!;
    expect(first.choices[0]!.finish_reason).toBe("tool_calls");
    if (call.type !== "function") throw new Error("expected a function call");
    expect([call.function.name, JSON.parse(call.function.arguments)]).toEqual(["weather", { query: "weather in Paris" }]);

    // The same call streamed: the arguments arrive as input_json_delta pieces and add up to the same JSON.
    const stream = await client.chat.completions.create({ model: "claude/tools", messages, tools, stream: true });
    let streamedArguments = "";
    for await (const chunk of stream) streamedArguments += chunk.choices[0]?.delta?.tool_calls?.[0]?.function?.arguments ?? "";
    expect(JSON.parse(streamedArguments)).toEqual({ query: "weather in Paris" });

    const second = await client.chat.completions.create({
      model: "claude/tools",
      tools,
      messages: [...messages, first.choices[0]!.message, { role: "tool", tool_call_id: call.id, content: "18 degrees" }],
    });
    expect(second.choices[0]!.message.content).toBe("Fake answer to: 18 degrees");
    expect((anthropic.requests.at(-1)!.body as { messages: unknown }).messages).toEqual([
      { role: "user", content: [{ type: "text", text: "weather in Paris" }] },
      { role: "assistant", content: [{ type: "tool_use", id: call.id, name: "weather", input: { query: "weather in Paris" } }] },
      { role: "user", content: [{ type: "tool_result", tool_use_id: call.id, content: [{ type: "text", text: "18 degrees" }] }] },
    ]);
  });

  it("asks for structured output with response_format json_schema (output_config.format) and returns the JSON", async () => {
    const schema = {
      type: "object",
      properties: { city: { type: "string" }, celsius: { type: "integer" } },
      required: ["city", "celsius"],
      additionalProperties: false,
    };
    const completion = await client.chat.completions.create({
      model: "claude/sonnet",
      messages: [{ role: "user", content: "Weather in Paris as JSON" }],
      response_format: { type: "json_schema", json_schema: { name: "weather", schema, strict: true } },
    });
    expect(JSON.parse(completion.choices[0]!.message.content!)).toEqual({ city: "fake", celsius: 1 });
    expect(anthropic.requests.at(-1)!.body).toMatchObject({ output_config: { format: { type: "json_schema", schema } } });
  });

  it("sends an image part as an image block", async () => {
    const completion = await client.chat.completions.create({
      model: "claude/sonnet",
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "What is this?" },
            { type: "image_url", image_url: { url: `data:image/png;base64,${PNG}` } },
          ],
        },
      ],
    });
    expect(completion.choices[0]!.message.content).toBe("Fake answer to: What is this? [images: 1, documents: 0]");
    expect((anthropic.requests.at(-1)!.body as { messages: unknown }).messages).toEqual([
      {
        role: "user",
        content: [
          { type: "text", text: "What is this?" },
          { type: "image", source: { type: "base64", media_type: "image/png", data: PNG } },
        ],
      },
    ]);
  });

  it("turns reasoning_effort into an extended-thinking budget and shows the reasoning tokens", async () => {
    const completion = await client.chat.completions.create({
      model: "claude/sonnet",
      messages: [{ role: "user", content: "Think" }],
      reasoning_effort: "high",
      max_completion_tokens: 4000,
    });
    expect(anthropic.requests.at(-1)!.body).toMatchObject({ max_tokens: 4000, thinking: { type: "enabled", budget_tokens: 3200 } });
    // The SDK keeps members its types do not name (reasoning_content).
    const body = completion as unknown as { choices: Array<{ message: { reasoning_content?: string } }>; usage: Record<string, unknown> };
    expect(body.choices[0]!.message.reasoning_content).toBe("Fake thinking about: Think");
    expect(body.usage).toMatchObject({ completion_tokens_details: { reasoning_tokens: 4 } });
  });

  it("asks a model that takes adaptive thinking only for adaptive thinking with the effort, and shows its reasoning", async () => {
    const completion = await client.chat.completions.create({
      model: "claude/opus-latest",
      messages: [{ role: "user", content: "Think" }],
      reasoning_effort: "medium",
      max_completion_tokens: 500,
    });
    expect(anthropic.requests.at(-1)!.body).toMatchObject({ max_tokens: 500, thinking: { type: "adaptive" }, output_config: { effort: "medium" } });
    const body = completion as unknown as { choices: Array<{ message: { reasoning_content?: string } }> };
    expect(body.choices[0]!.message.reasoning_content).toBe("Fake thinking about: Think");
  });

  it("refuses n > 1 with a 400 naming n, before any upstream call", async () => {
    const before = anthropic.requests.length;
    const failure = await client.chat.completions
      .create({ model: "claude/sonnet", messages: [{ role: "user", content: "x" }], n: 2 })
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(OpenAI.BadRequestError);
    expect([(failure as InstanceType<typeof OpenAI.BadRequestError>).param, (failure as InstanceType<typeof OpenAI.BadRequestError>).code]).toEqual([
      "n",
      "invalid_request",
    ]);
    expect(anthropic.requests.length).toBe(before);
  });

  it("bills cache reads and writes at the catalog's cache prices: answer usage, ledger charge and audit cost agree", async () => {
    const { account, key: ownKey } = await t.seedAccount({ mode: "live", balanceMicros: 1_000_000 });
    const own = new OpenAI({ apiKey: ownKey, baseURL: client.baseURL, maxRetries: 0 });
    // input_tokens 4 ("Hello" + 3), 1000 read from the cache, 200 written; 4 output words.
    // 4 × 3 + 1000 × 0.3 + 200 × 3.75 + 4 × 15 = 12 + 300 + 750 + 60 = 1122 micro-dollars.
    const expected = 1122;
    const completion = await own.chat.completions.create({ model: "claude/cached", messages: [{ role: "user", content: "Hello" }] });
    expect(completion.usage).toMatchObject({
      prompt_tokens: 1204,
      completion_tokens: 4,
      prompt_tokens_details: { cached_tokens: 1000 },
      cost_micros: expected,
    });
    const stream = await own.chat.completions.create({
      model: "claude/cached",
      messages: [{ role: "user", content: "Hello" }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let streamedUsage: Record<string, unknown> | undefined;
    for await (const chunk of stream) if (chunk.usage) streamedUsage = chunk.usage as unknown as Record<string, unknown>;
    expect(streamedUsage).toMatchObject({ prompt_tokens: 1204, prompt_tokens_details: { cached_tokens: 1000 }, cost_micros: expected });

    await t.services.records.flush();
    const ledger = await t.services.storage.ledger.list(account.id, { limit: 10 });
    expect(ledger.filter((row) => row.kind === "charge").map((row) => -row.amountMicros)).toEqual([expected, expected]);
    const audited: Array<number | null> = [];
    for await (const record of t.services.storage.audit.iterate({ accountId: account.id, type: "request" })) audited.push(record.costMicros);
    expect(audited).toEqual([expected, expected]);
    expect(await t.services.storage.ledger.sum(account.id)).toBe(1_000_000 - 2 * expected);
  });

  it("lists the cache prices in the model's pricing when the catalog sets them", async () => {
    const sonnet = (await client.models.retrieve("claude/sonnet")) as unknown as { pricing: Record<string, unknown> };
    expect(sonnet.pricing).toEqual({ currency: "USD", input_per_mtok: 3, output_per_mtok: 15, cache_read_per_mtok: 0.3, cache_write_per_mtok: 3.75 });
    const plain = (await client.models.retrieve("claude/input-priced")) as unknown as { pricing: Record<string, unknown> };
    expect(plain.pricing).toEqual({ currency: "USD", input_per_mtok: 1, output_per_mtok: 0 });
  });

  it("holds the prompt at the cache-write price when it is dearer than the input price", async () => {
    // 100 micro-dollars cover a short prompt at 1 per token, not at 100 per token.
    const { key: poorKey } = await t.seedAccount({ mode: "live", balanceMicros: 100 });
    const poor = new OpenAI({ apiKey: poorKey, baseURL: client.baseURL, maxRetries: 0 });
    const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: "user", content: "Hello" }];
    const refused = await poor.chat.completions.create({ model: "claude/write-priced", messages }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(OpenAI.APIError);
    expect([(refused as InstanceType<typeof OpenAI.APIError>).status, (refused as InstanceType<typeof OpenAI.APIError>).code]).toEqual([
      402,
      "insufficient_credits",
    ]);
    const served = await poor.chat.completions.create({ model: "claude/input-priced", messages });
    expect(served.choices[0]!.message.content).toBe("Fake answer to: Hello");
  });

  it("passes a content part's cache_control on as the block's cache_control", async () => {
    const cached = { type: "text", text: "A long shared context", cache_control: { type: "ephemeral", ttl: "1h" } };
    await client.chat.completions.create({
      model: "claude/sonnet",
      messages: [
        // The openai SDK's types do not name cache_control; clients of Anthropic models send it on content parts.
        { role: "system", content: [cached as OpenAI.ChatCompletionContentPartText] },
        {
          role: "user",
          content: [
            { type: "text", text: "Hi" },
            { type: "text", text: "there", cache_control: { type: "ephemeral" } } as OpenAI.ChatCompletionContentPartText,
          ],
        },
      ],
    });
    expect(anthropic.requests.at(-1)!.body).toMatchObject({
      system: [{ type: "text", text: "A long shared context", cache_control: { type: "ephemeral", ttl: "1h" } }],
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "Hi" },
            { type: "text", text: "there", cache_control: { type: "ephemeral" } },
          ],
        },
      ],
    });
  });

  it("retries, then falls back to the model's OpenAI-compatible route when the Anthropic route stays overloaded (529)", async () => {
    const before = { anthropic: anthropic.requests.length, openai: openai.requests.length };
    const completion = await client.chat.completions.create({ model: "claude/overloaded", messages: [{ role: "user", content: "Hello" }] });
    expect(completion.choices[0]!.message.content).toBe("Fake answer to: Hello");
    expect(completion.model).toBe("claude/overloaded");
    // Asked once and retried once (max_retries: 1), then the next route.
    expect(anthropic.requests.length).toBe(before.anthropic + 2);
    expect(openai.requests.length).toBe(before.openai + 1);
    expect(openai.requests.at(-1)!.body).toMatchObject({ model: "fake-model" });
  });

  it("answers 503 upstream_unavailable when the overloaded Anthropic route is the only one", async () => {
    const failure = await client.chat.completions
      .create({ model: "claude/overloaded-only", messages: [{ role: "user", content: "Hello" }] })
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(OpenAI.APIError);
    expect([(failure as InstanceType<typeof OpenAI.APIError>).status, (failure as InstanceType<typeof OpenAI.APIError>).code]).toEqual([
      503,
      "upstream_unavailable",
    ]);
    expect(accountId).toMatch(/^acct_/);
  });
});
