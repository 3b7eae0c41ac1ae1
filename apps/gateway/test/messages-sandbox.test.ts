import Anthropic, {
  APIError,
  AuthenticationError,
  BadRequestError,
  ContentTooLargeError,
  GatewayTimeoutError,
  InternalServerError,
  NotFoundError,
  PaymentRequiredError,
  PermissionDeniedError,
  RateLimitError,
  ServiceUnavailableError,
} from "@anthropic-ai/sdk";
import type { AuditRecord } from "@bentoo/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_TOKEN, bearer, createTestApp, type TestApp } from "./helpers.js";

/**
 * Anthropic's Messages API on test keys: the official `@anthropic-ai/sdk`,
 * unmodified, against a listening app whose answers come from the sandbox,
 * written by the Messages dialect.
 */

const MODEL = "anthropic/claude-sonnet-5.5";
const PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";
const WEATHER: Anthropic.Tool = {
  name: "get_weather",
  description: "The weather in a city",
  input_schema: { type: "object", properties: { city: { type: "string" }, celsius: { type: "boolean" } }, required: ["city"] },
};

/** What a call rejects with. */
async function failure(call: () => Promise<unknown>): Promise<APIError> {
  try {
    await call();
  } catch (error) {
    if (error instanceof APIError) return error;
    throw error;
  }
  throw new Error("expected the call to fail");
}

/**
 * Anthropic's SDK sending the key in x-api-key only, as Claude Code does with
 * ANTHROPIC_API_KEY: no credential of the SDK's own (none read from the
 * environment either), and no Authorization header.
 */
function viaApiKeyHeader(baseURL: string, key: string): Anthropic {
  return new Anthropic({ baseURL, maxRetries: 0, apiKey: null, authToken: null, defaultHeaders: { "x-api-key": key, authorization: null } });
}

describe("Messages API on test keys (sandbox)", () => {
  let t: TestApp;
  let origin: string;
  let key: string;
  let accountId: string;
  let client: Anthropic;

  const records = async (id = accountId): Promise<AuditRecord[]> => {
    await t.services.records.flush();
    const found: AuditRecord[] = [];
    for await (const record of t.services.storage.audit.iterate({ accountId: id, type: "request" })) found.push(record);
    return found;
  };
  const recordOf = async (requestId: string | null | undefined, id = accountId) => {
    const matching = (await records(id)).filter((record) => record.requestId === requestId);
    expect(matching).toHaveLength(1);
    return matching[0]!;
  };

  beforeAll(async () => {
    t = await createTestApp();
    const seeded = await t.seedAccount({ mode: "test" });
    key = seeded.key;
    accountId = seeded.account.id;
    await t.app.listen({ host: "127.0.0.1", port: 0 });
    const address = t.app.server.address();
    if (typeof address !== "object" || address === null) throw new Error("no address");
    // Anthropic's SDKs take the server's origin: their paths start with /v1.
    origin = `http://127.0.0.1:${address.port}`;
    client = new Anthropic({ apiKey: key, baseURL: origin, maxRetries: 0 });
  });
  afterAll(() => t?.dispose());

  it("answers messages.create with a Message: text, stop reason, usage, and one audit record that cost nothing", async () => {
    const { data: message, response } = await client.messages
      .create({ model: MODEL, max_tokens: 300, system: "Be brief.", messages: [{ role: "user", content: "Hello there" }] })
      .withResponse();
    expect(message).toMatchObject({ type: "message", role: "assistant", model: MODEL, stop_reason: "end_turn", stop_sequence: null });
    expect(message.id).toMatch(/^msg_/);
    expect(message.content).toHaveLength(1);
    expect(message.content[0]).toMatchObject({ type: "text" });
    expect((message.content[0] as Anthropic.TextBlock).text).toContain(`Sandbox answer from ${MODEL} to "Hello there".`);
    expect(message.usage.input_tokens).toBeGreaterThan(0);
    expect(message.usage.output_tokens).toBeGreaterThan(0);
    expect(message.usage).toMatchObject({ cache_creation_input_tokens: 0, cache_read_input_tokens: 0 });
    const record = await recordOf(response.headers.get("x-request-id"));
    expect(record).toMatchObject({
      status: 200,
      model: MODEL,
      provider: "sandbox",
      costMicros: 0,
      promptTokens: message.usage.input_tokens,
      completionTokens: message.usage.output_tokens,
      endpoint: "/v1/messages",
    });
  });

  it("takes the key from x-api-key as well as from Authorization: Bearer, and says so when neither is sent", async () => {
    const request = { model: MODEL, max_tokens: 50, messages: [{ role: "user" as const, content: "Hi" }] };
    const viaHeader = viaApiKeyHeader(origin, key);
    expect((await viaHeader.messages.create(request)).type).toBe("message");
    const viaToken = new Anthropic({ authToken: key, baseURL: origin, maxRetries: 0 });
    expect((await viaToken.messages.create(request)).type).toBe("message");
    // Any gateway route takes it: the models list too.
    expect((await fetch(`${origin}/v1/models`, { headers: { "x-api-key": key } })).status).toBe(200);

    const missing = await fetch(`${origin}/v1/messages`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(request) });
    expect(missing.status).toBe(401);
    const body = (await missing.json()) as { type: string; error: { type: string; message: string; details: { error_code: string } }; request_id: string };
    expect(body).toMatchObject({ type: "error", error: { type: "authentication_error", details: { error_code: "missing_api_key" } } });
    expect(body.error.message).toContain("x-api-key");
    expect(body.request_id).toBe(missing.headers.get("x-request-id"));

    const wrong = await failure(() => viaApiKeyHeader(origin, "btoo_sk_test_nope").messages.create(request));
    expect(wrong).toBeInstanceOf(AuthenticationError);
    expect(wrong.errorCode).toBe("malformed_api_key");
    expect(wrong.message).not.toContain("btoo_sk_test_nope");
  });

  it("streams a forced tool call with messages.stream: tool_use block, input_json_delta, stop reason tool_use", async () => {
    const stream = client.messages.stream({
      model: MODEL,
      max_tokens: 300,
      messages: [{ role: "user", content: "Weather in Paris?" }],
      tools: [WEATHER],
      tool_choice: { type: "any" },
    });
    const events: Anthropic.MessageStreamEvent[] = [];
    let json = "";
    stream.on("inputJson", (partial) => {
      json += partial;
    });
    for await (const event of stream) events.push(event);
    const message = await stream.finalMessage();
    expect(events.map((event) => event.type)).toEqual([
      "message_start",
      "content_block_start",
      "content_block_delta",
      "content_block_stop",
      "message_delta",
      "message_stop",
    ]);
    expect(events[2]).toMatchObject({ delta: { type: "input_json_delta" } });
    expect(message.stop_reason).toBe("tool_use");
    const call = message.content[0] as Anthropic.ToolUseBlock;
    expect(call).toMatchObject({ type: "tool_use", name: "get_weather" });
    expect(typeof (call.input as { city: unknown }).city).toBe("string");
    expect(JSON.parse(json)).toEqual(call.input);
    // The final usage arrives in message_delta, the SDK's snapshot takes it.
    expect(message.usage.input_tokens).toBeGreaterThan(0);
    expect(message.usage.output_tokens).toBeGreaterThan(0);
  });

  it("makes a tool round trip: the tool_use answer and its tool_result go back, and the next answer is text", async () => {
    const messages: Anthropic.MessageParam[] = [{ role: "user", content: "Weather in Paris?" }];
    const first = await client.messages.create({
      model: MODEL,
      max_tokens: 300,
      messages,
      tools: [WEATHER],
      tool_choice: { type: "tool", name: "get_weather" },
    });
    const call = first.content.find((block): block is Anthropic.ToolUseBlock => block.type === "tool_use")!;
    expect(call.name).toBe("get_weather");
    const second = await client.messages.create({
      model: MODEL,
      max_tokens: 300,
      tools: [WEATHER],
      messages: [
        ...messages,
        { role: "assistant", content: first.content },
        { role: "user", content: [{ type: "tool_result", tool_use_id: call.id, content: "18 degrees and sunny over the whole city today" }] },
      ],
    });
    expect(second.stop_reason).toBe("end_turn");
    expect(second.content[0]!.type).toBe("text");
    // The tool's result is part of the prompt.
    expect(second.usage.input_tokens).toBeGreaterThan(first.usage.input_tokens + 9);
  });

  it("takes images as base64 and URL blocks, and refuses a malformed image source with a 400 naming it", async () => {
    const message = await client.messages.create({
      model: MODEL,
      max_tokens: 100,
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "What is in these?" },
            { type: "image", source: { type: "base64", media_type: "image/png", data: PNG } },
            { type: "image", source: { type: "url", url: "https://example.com/cat.png" } },
          ],
        },
      ],
    });
    expect((message.content[0] as Anthropic.TextBlock).text).toContain('"What is in these?"');
    const refused = await failure(() =>
      client.messages.create({
        model: MODEL,
        max_tokens: 100,
        messages: [{ role: "user", content: [{ type: "image", source: { type: "base64", data: PNG } as never }] }],
      }),
    );
    expect(refused).toBeInstanceOf(BadRequestError);
    expect(refused.type).toBe("invalid_request_error");
    expect(refused.message).toContain("messages[0].content[0].source");
  });

  it("thinks when thinking is enabled: a thinking block first, thinking_delta events, thinking tokens in the usage", async () => {
    const params = {
      model: MODEL,
      max_tokens: 2048,
      thinking: { type: "enabled" as const, budget_tokens: 1024 },
      messages: [{ role: "user" as const, content: "Why is the sky blue?" }],
    };
    const message = await client.messages.create(params);
    expect(message.content.map((block) => block.type)).toEqual(["thinking", "text"]);
    const thinking = message.content[0] as Anthropic.ThinkingBlock;
    expect(thinking.thinking).toContain("Sandbox reasoning about");
    const details = (message.usage as unknown as { output_tokens_details: { thinking_tokens: number } }).output_tokens_details;
    expect(details.thinking_tokens).toBeGreaterThan(0);
    expect(details.thinking_tokens).toBeLessThan(message.usage.output_tokens);

    const stream = client.messages.stream(params);
    const deltas: string[] = [];
    for await (const event of stream) if (event.type === "content_block_delta") deltas.push(event.delta.type);
    expect(deltas[0]).toBe("thinking_delta");
    expect(deltas).toContain("text_delta");
    expect((await stream.finalMessage()).content).toEqual(message.content);

    const refused = await failure(() => client.messages.create({ ...params, max_tokens: 1024 }));
    expect(refused).toBeInstanceOf(BadRequestError);
    expect(refused.message).toContain("thinking.budget_tokens (1024) must be less than max_tokens (1024)");
  });

  it("stops at a stop sequence: the text ends before it, stop_reason stop_sequence names it, streamed too", async () => {
    const params = { model: MODEL, max_tokens: 300, stop_sequences: ["answer from"], messages: [{ role: "user" as const, content: "Hello" }] };
    const message = await client.messages.create(params);
    expect(message).toMatchObject({ stop_reason: "stop_sequence", stop_sequence: "answer from", content: [{ type: "text", text: "Sandbox " }] });
    const streamed = await client.messages.stream(params).finalMessage();
    expect(streamed).toMatchObject({ stop_reason: "stop_sequence", stop_sequence: "answer from", content: [{ type: "text", text: "Sandbox " }] });
  });

  it("counts tokens with messages.countTokens as the answer's usage counts them, audited at no cost", async () => {
    const request = {
      model: MODEL,
      system: [{ type: "text" as const, text: "You are a careful assistant.", cache_control: { type: "ephemeral" as const } }],
      tools: [WEATHER],
      messages: [{ role: "user" as const, content: "How warm is it in Lisbon?" }],
    };
    const { data: counted, response } = await client.messages.countTokens(request).withResponse();
    const answered = await client.messages.create({ ...request, max_tokens: 100 });
    expect(counted.input_tokens).toBe(answered.usage.input_tokens);
    expect(response.headers.get("x-ratelimit-remaining-requests")).not.toBeNull();
    const record = await recordOf(response.headers.get("x-request-id"));
    expect(record).toMatchObject({ status: 200, model: MODEL, costMicros: 0, promptTokens: null, endpoint: "/v1/messages/count_tokens" });
  });

  it("answers every refusal in Anthropic's error shape, raising the SDK's class for its status", async () => {
    const noMaxTokens = await failure(() => client.messages.create({ model: MODEL, messages: [{ role: "user", content: "x" }] } as never));
    expect(noMaxTokens).toBeInstanceOf(BadRequestError);
    expect([noMaxTokens.type, noMaxTokens.errorCode]).toEqual(["invalid_request_error", "invalid_request"]);
    expect(noMaxTokens.message).toContain("max_tokens is required");

    const unknownModel = await failure(() => client.messages.create({ model: "nobody/model", max_tokens: 10, messages: [{ role: "user", content: "x" }] }));
    expect(unknownModel).toBeInstanceOf(NotFoundError);
    expect([unknownModel.type, unknownModel.errorCode]).toEqual(["not_found_error", "model_not_found"]);
    const countUnknown = await failure(() => client.messages.countTokens({ model: "nobody/model", messages: [{ role: "user", content: "x" }] }));
    expect(countUnknown).toBeInstanceOf(NotFoundError);

    const badRole = await failure(() => client.messages.create({ model: MODEL, max_tokens: 10, messages: [{ role: "tool", content: "x" } as never] }));
    expect(badRole).toBeInstanceOf(BadRequestError);
    expect(badRole.message).toContain("messages[0].role");

    const badJson = await fetch(`${origin}/v1/messages`, { method: "POST", headers: { ...bearer(key), "content-type": "application/json" }, body: "{nope" });
    expect(badJson.status).toBe(400);
    expect(await badJson.json()).toMatchObject({ type: "error", error: { type: "invalid_request_error", details: { error_code: "invalid_json" } } });
  });

  it("answers malformed bodies with a 400 in Anthropic's shape, never a 5xx", async () => {
    const user = (content: unknown) => ({ model: MODEL, max_tokens: 10, messages: [{ role: "user", content }] });
    const valid = user("hi");
    const bodies: unknown[] = [
      [],
      "text",
      5,
      { model: 5, max_tokens: 10, messages: [] },
      { model: MODEL, messages: [{ role: "user", content: "x" }], max_tokens: "10" },
      { ...valid, max_tokens: -1 },
      { ...valid, max_tokens: 1.5 },
      { ...valid, messages: {} },
      { ...valid, messages: [null] },
      { ...valid, messages: [{ role: "user" }] },
      user([null]),
      user([{ type: 5 }]),
      user([{ type: "text" }]),
      user([{ type: "image" }]),
      user([{ type: "image", source: { type: "base64" } }]),
      user([{ type: "document", source: { type: "nope" } }]),
      user([{ type: "tool_result", content: "x" }]),
      user([{ type: "tool_result", tool_use_id: "a", content: 5 }]),
      user([{ type: "tool_result", tool_use_id: "a", content: [5] }]),
      user([{ type: "text", text: "x", cache_control: "yes" }]),
      { ...valid, messages: [{ role: "assistant", content: [{ type: "tool_use", id: "a", name: "b", input: "x" }] }] },
      { ...valid, messages: [{ role: "assistant", content: [{ type: "thinking", thinking: "x" }] }] },
      { ...valid, system: 5 },
      { ...valid, system: [{ type: "text" }] },
      { ...valid, tools: {} },
      { ...valid, tools: [5] },
      { ...valid, tools: [{ name: "" }] },
      { ...valid, tools: [{ name: "a", input_schema: 5 }] },
      { ...valid, tool_choice: "auto" },
      { ...valid, tool_choice: { type: "x" } },
      { ...valid, thinking: "x" },
      { ...valid, thinking: { type: "enabled" } },
      { ...valid, thinking: { type: "x" } },
      { ...valid, stop_sequences: [1] },
      { ...valid, temperature: "hot" },
      { ...valid, top_p: {} },
      { ...valid, metadata: "x" },
      { ...valid, output_config: { format: { type: "x" } } },
      { ...valid, stream: "yes" },
    ];
    for (const [index, body] of bodies.entries()) {
      for (const url of ["/v1/messages", "/v1/messages/count_tokens"]) {
        const response = await t.app.inject({
          method: "POST",
          url,
          headers: { ...bearer(key), "content-type": "application/json" },
          payload: JSON.stringify(body),
        });
        // A token count takes no max_tokens and no stream: those bodies may be counted.
        if (url.endsWith("count_tokens") && response.statusCode === 200) continue;
        expect([index, url, response.statusCode]).toEqual([index, url, 400]);
        const answer = response.json() as { type: string; error: { type: string; message: string } };
        expect(answer).toMatchObject({ type: "error", error: { type: "invalid_request_error" } });
        expect(answer.error.message.length).toBeGreaterThan(10);
      }
    }
  });

  it("answers a rate limit with 429 rate_limit_error and retry-after; count_tokens takes its place in the requests limit", async () => {
    const { account, key: limitedKey } = await t.seedAccount({ mode: "test" });
    const patched = await t.app.inject({ method: "PATCH", url: `/admin/v1/accounts/${account.id}`, headers: bearer(ADMIN_TOKEN), payload: { rpm_limit: 2 } });
    expect(patched.statusCode).toBe(200);
    const limited = new Anthropic({ apiKey: limitedKey, baseURL: origin, maxRetries: 0 });
    await limited.messages.countTokens({ model: MODEL, messages: [{ role: "user", content: "one" }] });
    await limited.messages.create({ model: MODEL, max_tokens: 10, messages: [{ role: "user", content: "two" }] });
    const refused = await failure(() => limited.messages.countTokens({ model: MODEL, messages: [{ role: "user", content: "three" }] }));
    expect(refused).toBeInstanceOf(RateLimitError);
    expect([refused.type, refused.errorCode]).toEqual(["rate_limit_error", "rate_limit_exceeded"]);
    expect(Number(refused.headers?.get("retry-after"))).toBeGreaterThan(0);
    // Every request has its one record, the refused one too.
    expect((await records(account.id)).map((record) => record.status).sort()).toEqual([200, 200, 429]);
  });

  it("answers an address outside the allowlist with 403 permission_error", async () => {
    const { keyId, key: enterpriseKey } = await t.seedAccount({ mode: "test", plan: "enterprise" });
    const patched = await t.app.inject({
      method: "PATCH",
      url: `/admin/v1/keys/${keyId}`,
      headers: bearer(ADMIN_TOKEN),
      payload: { ip_allowlist: ["203.0.113.7"] },
    });
    expect(patched.statusCode).toBe(200);
    const refused = await failure(() =>
      new Anthropic({ apiKey: enterpriseKey, baseURL: origin, maxRetries: 0 }).messages.countTokens({
        model: MODEL,
        messages: [{ role: "user", content: "x" }],
      }),
    );
    expect(refused).toBeInstanceOf(PermissionDeniedError);
    expect([refused.type, refused.errorCode]).toEqual(["permission_error", "ip_not_allowed"]);
  });

  it("simulates failures on test keys (Bentoo-Simulate) in Anthropic's shapes: overload, a broken stream, a refusal", async () => {
    const params = { model: MODEL, max_tokens: 300, messages: [{ role: "user" as const, content: "Hello" }] };
    const overloaded = await failure(() => client.messages.create(params, { headers: { "bentoo-simulate": "overloaded" } }));
    expect(overloaded).toBeInstanceOf(ServiceUnavailableError);
    expect([overloaded.type, overloaded.errorCode]).toEqual(["overloaded_error", "upstream_unavailable"]);

    const broken = client.messages.stream(params, { headers: { "bentoo-simulate": "stream_interrupted" } });
    let text = "";
    broken.on("text", (delta) => {
      text += delta;
    });
    const raised = await broken.finalMessage().catch((error: unknown) => error);
    expect(raised).toBeInstanceOf(APIError);
    expect((raised as APIError).type).toBe("api_error");
    expect(text.length).toBeGreaterThan(0);

    const filtered = await client.messages.create(params, { headers: { "bentoo-simulate": "content_filter" } });
    expect(filtered.stop_reason).toBe("refusal");
  });

  it.each([
    ["insufficient_credits", PaymentRequiredError, 402, "billing_error", "insufficient_credits"],
    ["upstream_error", InternalServerError, 502, "api_error", "upstream_error"],
    ["upstream_timeout", GatewayTimeoutError, 504, "timeout_error", "upstream_timeout"],
    ["stream_interrupted", InternalServerError, 502, "api_error", "upstream_error"],
  ] as const)("simulates %s as the live path fails it: the SDK's %O, status %i, type %s", async (simulated, errorClass, status, type, code) => {
    const params = { model: MODEL, max_tokens: 300, messages: [{ role: "user" as const, content: "Hello" }] };
    const raised = await failure(() => client.messages.create(params, { headers: { "bentoo-simulate": simulated } }));
    expect(raised).toBeInstanceOf(errorClass);
    expect([raised.status, raised.type, raised.errorCode]).toEqual([status, type, code]);
    expect(raised.requestID).toBe(raised.headers?.get("x-request-id"));
    const record = await recordOf(raised.requestID);
    expect([record.status, record.errorCode, record.endpoint]).toEqual([status, code, "/v1/messages"]);
  });

  it("simulates rate_limit with Retry-After, which the SDK honours by asking again before it raises RateLimitError", async () => {
    const before = (await records()).length;
    const retrying = new Anthropic({ apiKey: key, baseURL: origin, maxRetries: 1 });
    const raised = await failure(() =>
      retrying.messages.create({ model: MODEL, max_tokens: 100, messages: [{ role: "user", content: "x" }] }, { headers: { "bentoo-simulate": "rate_limit" } }),
    );
    expect(raised).toBeInstanceOf(RateLimitError);
    expect([raised.type, raised.errorCode]).toEqual(["rate_limit_error", "rate_limit_exceeded"]);
    expect(raised.headers?.get("retry-after")).toBe("1");
    const added = (await records()).slice(before);
    expect(added.map((record) => [record.status, record.errorCode])).toEqual([
      [429, "rate_limit_exceeded"],
      [429, "rate_limit_exceeded"],
    ]);
  });

  it("answers a live key without credits with 402 billing_error", async () => {
    const { key: poorKey } = await t.seedAccount({ mode: "live", balanceMicros: 0 });
    const refused = await failure(() =>
      new Anthropic({ apiKey: poorKey, baseURL: origin, maxRetries: 0 }).messages.create({
        model: MODEL,
        max_tokens: 100,
        messages: [{ role: "user", content: "x" }],
      }),
    );
    expect(refused).toBeInstanceOf(PaymentRequiredError);
    expect([refused.type, refused.errorCode]).toEqual(["billing_error", "insufficient_credits"]);
  });
});

describe("Messages API body limit", () => {
  let t: TestApp;
  afterAll(() => t?.dispose());

  it("answers a body over the limit with 413 request_too_large in Anthropic's shape", async () => {
    t = await createTestApp({ env: { BENTOO_BODY_LIMIT: "2048" } });
    const { key } = await t.seedAccount({ mode: "test" });
    await t.app.listen({ host: "127.0.0.1", port: 0 });
    const address = t.app.server.address() as { port: number };
    const client = new Anthropic({ apiKey: key, baseURL: `http://127.0.0.1:${address.port}`, maxRetries: 0 });
    const refused = await failure(() => client.messages.create({ model: MODEL, max_tokens: 10, messages: [{ role: "user", content: "x".repeat(4000) }] }));
    expect(refused).toBeInstanceOf(ContentTooLargeError);
    expect([refused.type, refused.errorCode]).toEqual(["request_too_large", "request_too_large"]);
  });
});
