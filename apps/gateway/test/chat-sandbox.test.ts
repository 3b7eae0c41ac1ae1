import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bearer, createTestApp, parseSse, type TestApp } from "./helpers.js";

describe("chat completions through the sandbox (test keys)", () => {
  let t: TestApp;
  let key: string;
  const chat = (payload: unknown) => t.app.inject({ method: "POST", url: "/v1/chat/completions", headers: bearer(key), payload: payload as object });

  beforeAll(async () => {
    t = await createTestApp();
    ({ key } = await t.seedAccount({ mode: "test" }));
  });
  afterAll(() => t?.dispose());

  it("answers in OpenAI's chat.completion shape with real token counts and zero cost", async () => {
    const response = await chat({ model: "openai/gpt-6-luna", messages: [{ role: "user", content: "Hello there" }] });
    expect(response.statusCode).toBe(200);
    expect(response.headers["x-request-id"]).toMatch(/^req_/);
    const body = response.json();
    expect(body).toMatchObject({
      object: "chat.completion",
      model: "openai/gpt-6-luna",
      choices: [{ index: 0, finish_reason: "stop", message: { role: "assistant" } }],
    });
    expect(body.choices[0].message.content).toContain("Hello there");
    // "Hello there" is 2 tokens in cl100k_base; +3 for the message, +3 for the reply.
    expect(body.usage).toMatchObject({ prompt_tokens: 8, cost: 0, cost_micros: 0 });
    expect(body.usage.completion_tokens).toBeGreaterThan(5);
    expect(body.usage.total_tokens).toBe(body.usage.prompt_tokens + body.usage.completion_tokens);
  });

  it("counts a prompt holding special-token text (<|endoftext|>) as plain text: 200, not a 500", async () => {
    const response = await chat({ model: "openai/gpt-6-luna", messages: [{ role: "user", content: "What does <|endoftext|> mean?" }] });
    expect(response.statusCode).toBe(200);
    expect(response.json().usage.prompt_tokens).toBeGreaterThan(10);
  });

  it("is deterministic: the same request gets the same answer, another request another", async () => {
    const payload = { model: "anthropic/claude-sonnet-5.5", messages: [{ role: "user", content: "Tell me something" }] };
    const first = (await chat(payload)).json();
    const second = (await chat(payload)).json();
    expect(second.choices[0].message.content).toBe(first.choices[0].message.content);
    expect(second.id).toBe(first.id);
    const other = (await chat({ ...payload, messages: [{ role: "user", content: "Something else" }] })).json();
    expect(other.choices[0].message.content).not.toBe(first.choices[0].message.content);
  });

  it("streams several chunks and [DONE]; the text matches the non-streamed answer; usage only when asked for", async () => {
    const payload = { model: "openai/gpt-6.2-sol", messages: [{ role: "user", content: "Stream please" }] };
    const whole = (await chat(payload)).json();
    const response = await chat({ ...payload, stream: true });
    expect(response.statusCode).toBe(200);
    expect(response.headers["content-type"]).toContain("text/event-stream");
    expect(response.headers["x-request-id"]).toMatch(/^req_/);
    const events = parseSse(response.body);
    expect(events.at(-1)!.data).toBe("[DONE]");
    const chunks = events.slice(0, -1).map((event) => JSON.parse(event.data));
    expect(chunks.length).toBeGreaterThan(5);
    expect(chunks.every((chunk) => chunk.object === "chat.completion.chunk" && chunk.model === "openai/gpt-6.2-sol")).toBe(true);
    // Not asked for usage: no `choices: []` chunk, so `chunk.choices[0].delta` is always there.
    expect(chunks.every((chunk) => chunk.choices[0]?.delta !== undefined && chunk.usage === undefined)).toBe(true);
    const text = chunks.map((chunk) => chunk.choices[0].delta.content ?? "").join("");
    expect(text).toBe(whole.choices[0].message.content);

    const withUsage = parseSse((await chat({ ...payload, stream: true, stream_options: { include_usage: true } })).body);
    const last = JSON.parse(withUsage.at(-2)!.data);
    expect(last.choices).toEqual([]);
    expect(last.usage).toEqual({
      prompt_tokens: whole.usage.prompt_tokens,
      completion_tokens: whole.usage.completion_tokens,
      total_tokens: whole.usage.total_tokens,
      cost: 0,
      cost_micros: 0,
    });
  });

  it("calls a tool when tool_choice asks for one, with arguments matching the schema", async () => {
    const tools = [
      {
        type: "function",
        function: {
          name: "get_weather",
          parameters: { type: "object", properties: { city: { type: "string" }, days: { type: "integer" } }, required: ["city"] },
        },
      },
    ];
    const response = await chat({ model: "openai/gpt-6.2-sol", messages: [{ role: "user", content: "Weather?" }], tools, tool_choice: "required" });
    const body = response.json();
    expect(body.choices[0].finish_reason).toBe("tool_calls");
    const call = body.choices[0].message.tool_calls[0];
    expect(call).toMatchObject({ type: "function", function: { name: "get_weather" } });
    const args = JSON.parse(call.function.arguments);
    expect(typeof args.city).toBe("string");
    expect(Number.isInteger(args.days)).toBe(true);
    const auto = (await chat({ model: "openai/gpt-6.2-sol", messages: [{ role: "user", content: "Weather?" }], tools, tool_choice: "auto" })).json();
    expect(auto.choices[0].finish_reason).toBe("stop");
    const streamed = parseSse(
      (
        await chat({
          model: "openai/gpt-6.2-sol",
          messages: [{ role: "user", content: "Weather?" }],
          tools,
          tool_choice: { type: "function", function: { name: "get_weather" } },
          stream: true,
        })
      ).body,
    );
    const deltas = streamed
      .slice(0, -1)
      .map((event) => JSON.parse(event.data).choices[0]?.delta?.tool_calls?.[0]?.function?.arguments ?? "")
      .join("");
    expect(JSON.parse(deltas)).toHaveProperty("city");
  });

  it("JSON mode returns a JSON object; max_tokens truncates with finish_reason length", async () => {
    const json = (await chat({ model: "openai/gpt-6.2-sol", messages: [{ role: "user", content: "json" }], response_format: { type: "json_object" } })).json();
    expect(JSON.parse(json.choices[0].message.content)).toHaveProperty("answer");
    const short = (await chat({ model: "openai/gpt-6.2-sol", messages: [{ role: "user", content: "long answer" }], max_tokens: 3 })).json();
    expect(short.choices[0].finish_reason).toBe("length");
    expect(short.usage.completion_tokens).toBeLessThanOrEqual(3);
  });

  it("serves models whose provider is not configured (test keys never touch the network)", async () => {
    const response = await chat({ model: "google/gemini-4-carbon", messages: [{ role: "user", content: "hi" }] });
    expect(response.statusCode).toBe(200);
  });
});
