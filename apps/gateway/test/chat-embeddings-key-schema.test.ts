import { SIMULATED_FAILURES } from "@bentoo/providers";
import type { ValidateFunction } from "ajv/dist/2020.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { documentedSchema, schemaErrors } from "./documented-schema.js";
import { bearer, createTestApp, parseSse, type TestApp } from "./helpers.js";

// biome-ignore lint/suspicious/noExplicitAny: OpenAPI documents are walked loosely here.
type Json = Record<string, any>;

/**
 * The schemas of POST /v1/chat/completions, POST /v1/embeddings and GET /v1/key:
 * what they refuse before the handler (400 `invalid_request` naming the
 * parameter), what they still let through, and the real answers checked
 * against the schemas the served document gives for them, so that an answer
 * and its documentation cannot drift apart.
 */
describe("the chat, embeddings and key routes' schemas", () => {
  let t: TestApp;
  let key: string;
  let api: Json;
  const MODEL = "openai/gpt-6-luna";
  const hello = [{ role: "user", content: "Hello" }];

  beforeAll(async () => {
    t = await createTestApp();
    ({ key } = await t.seedAccount({ mode: "test", scopes: ["inference", "key:read"] }));
    api = (await t.app.inject({ url: "/openapi.json" })).json();
  });
  afterAll(() => t?.dispose());

  const component = (name: string): ValidateFunction => documentedSchema(api, name);
  const expectValid = (validate: ValidateFunction, value: unknown) => {
    const valid = validate(value);
    expect(schemaErrors(validate), JSON.stringify(value).slice(0, 500)).toEqual([]);
    expect(valid).toBe(true);
  };

  const chat = (body: Json, headers: Record<string, string> = {}) =>
    t.app.inject({ method: "POST", url: "/v1/chat/completions", headers: { ...bearer(key), ...headers }, payload: body });
  const embed = (body: Json) => t.app.inject({ method: "POST", url: "/v1/embeddings", headers: bearer(key), payload: body });

  describe("POST /v1/chat/completions", () => {
    it.each([
      ["a text part whose text is not a string", { messages: [{ role: "user", content: [{ type: "text", text: 5 }] }] }, "messages[0].content[0].text"],
      [
        "an image part without its object",
        { messages: [{ role: "user", content: [{ type: "image_url", image_url: "https://x.test/a.png" }] }] },
        "messages[0].content[0].image_url",
      ],
      ["a content part without a type", { messages: [{ role: "user", content: [{ text: "Hi" }] }] }, "messages[0].content[0].type"],
      [
        "an image part without its url",
        { messages: [{ role: "user", content: [{ type: "image_url", image_url: {} }] }] },
        "messages[0].content[0].image_url.url",
      ],
      ["a role OpenAI does not have", { messages: [{ role: "robot", content: "Hi" }] }, "messages[0].role"],
      ["tool_calls that are not a list", { messages: [...hello, { role: "assistant", tool_calls: { id: "call_1" } }] }, "messages[1].tool_calls"],
      ["a tool whose function has no name", { messages: hello, tools: [{ type: "function", function: { description: "x" } }] }, "tools[0].function.name"],
      ["a tool_choice OpenAI does not have", { messages: hello, tool_choice: "any" }, "tool_choice"],
      ["stop as a number", { messages: hello, stop: 5 }, "stop"],
      ["seed as a fraction", { messages: hello, seed: 1.5 }, "seed"],
      ["an unknown response_format type", { messages: hello, response_format: { type: "xml" } }, "response_format.type"],
      ["metadata with a number", { messages: hello, metadata: { run: 1 } }, "metadata.run"],
      ["n of zero", { messages: hello, n: 0 }, "n"],
    ])("%s → 400 invalid_request naming it", async (_name, body, param) => {
      const response = await chat({ model: MODEL, ...body });
      expect(response.statusCode).toBe(400);
      expect(response.headers["x-request-id"]).toMatch(/^req_/);
      expect(response.json().error).toMatchObject({ code: "invalid_request", type: "invalid_request_error", param });
    });

    it("a refusal says what to send: the forms of a union, the model to pick", async () => {
      const choice = (await chat({ model: MODEL, messages: hello, tool_choice: "any" })).json().error;
      expect(choice.message).toContain('"none", "auto" or "required"');
      const content = (await chat({ model: MODEL, messages: [{ role: "user", content: 5 }] })).json().error;
      expect(content).toMatchObject({ param: "messages[0].content" });
      expect(content.message).toContain("a list of content parts");
      const model = (await chat({ messages: hello })).json().error;
      expect(model).toMatchObject({ param: "model" });
      expect(model.message).toBe('model is required. Pick one from GET /v1/models, e.g. "openai/gpt-6-luna".');
    });

    it("lets through what OpenAI's clients send: nulls for absent members, unknown members and part types, assistant tool calls", async () => {
      const response = await chat({
        model: MODEL,
        messages: [
          { role: "developer", content: [{ type: "text", text: "Be brief." }] },
          {
            role: "user",
            content: [
              { type: "text", text: "Weather?" },
              { type: "video_url", video_url: { url: "https://x.test/v.mp4" } },
            ],
          },
          { role: "assistant", content: null, tool_calls: [{ id: "call_1", type: "function", function: { name: "weather", arguments: "{}" } }] },
          { role: "tool", tool_call_id: "call_1", content: "sunny" },
        ],
        stream: null,
        stream_options: null,
        max_tokens: null,
        temperature: null,
        tools: null,
        tool_choice: null,
        response_format: null,
        user: null,
        reasoning_effort: "xhigh",
        verbosity: "low",
      });
      expect(response.statusCode, response.body).toBe(200);
    });

    it("the JSON answer, with tool calls and with log probabilities, is what ChatCompletion documents", async () => {
      const validate = component("ChatCompletion");
      const plain = await chat({ model: MODEL, messages: hello });
      expect(plain.statusCode).toBe(200);
      expectValid(validate, plain.json());
      const tools = [{ type: "function", function: { name: "weather", parameters: { type: "object", properties: { city: { type: "string" } } } } }];
      const called = await chat({ model: MODEL, messages: hello, tools, tool_choice: "required" });
      expect(called.json().choices[0].message.tool_calls).toHaveLength(1);
      expectValid(validate, called.json());
      const logprobs = await chat({ model: MODEL, messages: hello, logprobs: true, top_logprobs: 2, n: 2, max_completion_tokens: 50 });
      expect(logprobs.statusCode, logprobs.body).toBe(200);
      expect(logprobs.json().choices[1].logprobs.content.length).toBeGreaterThan(0);
      expectValid(validate, logprobs.json());
    });

    it("the stream's usage chunk carries what ChatUsage documents, and the stream ends with [DONE]", async () => {
      const response = await chat({ model: MODEL, messages: hello, stream: true, stream_options: { include_usage: true } });
      expect(response.statusCode).toBe(200);
      expect(response.headers["content-type"]).toContain("text/event-stream");
      const events = parseSse(response.body);
      expect(events.at(-1)?.data).toBe("[DONE]");
      const chunks = events.slice(0, -1).map((event) => JSON.parse(event.data));
      expect(chunks.every((chunk) => chunk.object === "chat.completion.chunk")).toBe(true);
      const last = chunks.at(-1);
      expect(last.choices).toEqual([]);
      expectValid(component("ChatUsage"), last.usage);
    });

    it("documents the stream, the rate-limit headers, Bentoo-Simulate and the pipeline's codes", () => {
      const operation = api.paths["/v1/chat/completions"].post;
      expect(operation.requestBody.content["application/json"].schema.$ref).toBe("#/components/schemas/ChatCompletionRequest");
      expect(Object.keys(operation.responses[200].content)).toEqual(["application/json", "text/event-stream"]);
      expect(operation.responses[200].content["text/event-stream"].schema.description).toContain("data: [DONE]");
      expect(Object.keys(operation.responses[200].headers)).toEqual(expect.arrayContaining(["x-ratelimit-remaining-tokens", "x-request-id"]));
      const simulate = operation.parameters.find((parameter: Json) => parameter.in === "header" && parameter.name === "Bentoo-Simulate");
      for (const failure of SIMULATED_FAILURES) expect(simulate.description).toContain(`\`${failure}\``);
      expect(operation.responses[402].description).toContain("`key_spend_cap_reached`");
      expect(operation.responses[404].description).toContain("`model_not_found`");
      expect(operation.responses[502].description).toContain("`upstream_bad_response`");
      expect(operation.responses[429].headers["retry-after"]).toBeDefined();
    });
  });

  describe("POST /v1/embeddings", () => {
    it.each([
      ["input as a number", { input: 5 }, "input", "a list of lists of token ids"],
      ["an input entry that is an object", { input: [{ text: "x" }] }, "input[0]", "a list of token ids"],
      ["dimensions as a string", { input: "x", dimensions: "8" }, "dimensions", "integer"],
      ["an empty user", { input: "x", user: "" }, "user", "empty"],
    ])("%s → 400 invalid_request naming it", async (_name, body, param, message) => {
      const response = await embed({ model: "openai/text-embedding-3-small", ...body });
      expect(response.statusCode).toBe(400);
      const error = response.json().error;
      expect(error).toMatchObject({ code: "invalid_request", param });
      expect(error.message).toContain(message);
    });

    it("the answer, as numbers and as base64, is what EmbeddingList documents", async () => {
      const validate = component("EmbeddingList");
      for (const encoding_format of ["float", "base64", null]) {
        const response = await embed({ model: "openai/text-embedding-3-small", input: ["one", [1, 2, 3]], encoding_format });
        expect(response.statusCode, response.body).toBe(200);
        expect(response.json().data).toHaveLength(2);
        expectValid(validate, response.json());
      }
    });
  });

  describe("GET /v1/key", () => {
    it("the answer is what KeyInfo documents, for a key with and without controls", async () => {
      const validate = component("KeyInfo");
      const plain = await t.app.inject({ url: "/v1/key", headers: bearer(key) });
      expect(plain.statusCode).toBe(200);
      expectValid(validate, plain.json());
      const controlled = await t.seedAccount({
        mode: "live",
        scopes: ["key:read"],
        rpmLimit: 10,
        spendCap: { amountMicros: 5_000_000, period: "month" },
        models: ["openai/*"],
      });
      const answer = await t.app.inject({ url: "/v1/key", headers: bearer(controlled.key) });
      expect(answer.statusCode).toBe(200);
      expect(answer.json()).toMatchObject({ mode: "live", key_rate_limits: { requests_per_minute: 10, tokens_per_minute: null } });
      expect(answer.json().spend_cap).toMatchObject({ amount_micros: 5_000_000, period: "month", spent_micros: 0 });
      expectValid(validate, answer.json());
    });

    it("a documented answer that drifts fails the check", () => {
      const validate = component("KeyInfo");
      expect(validate({ object: "api_key" })).toBe(false);
    });
  });
});
