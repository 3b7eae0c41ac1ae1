import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { documentedSchema, schemaErrors } from "./documented-schema.js";
import { bearer, createTestApp, parseSse, type TestApp } from "./helpers.js";

const MODEL = "anthropic/claude-sonnet-5.5";
const WEATHER = { name: "weather", description: "The weather in a city", input_schema: { type: "object", properties: { city: { type: "string" } } } };
const user = (content: unknown) => ({ model: MODEL, max_tokens: 100, messages: [{ role: "user", content }] });

/** POST /v1/messages and /v1/messages/count_tokens against their route schemas: refusals in Anthropic's shape, answers as documented. */
describe("the Messages API's route schemas", () => {
  let t: TestApp;
  let key: string;
  let document: Record<string, unknown>;

  const post = (url: string, body: unknown, headers: Record<string, string> = bearer(key)) =>
    t.app.inject({ method: "POST", url, headers, payload: body as object });

  beforeAll(async () => {
    t = await createTestApp();
    ({ key } = await t.seedAccount({ mode: "test" }));
    document = (await t.app.inject({ url: "/openapi.json" })).json();
  });
  afterAll(() => t?.dispose());

  it.each([
    ["a temperature that is not a number", { ...user("Hi"), temperature: "hot" }, "temperature must be a number or null."],
    [
      "an image source without its media type",
      user([{ type: "image", source: { type: "base64", data: "iVBORw0KGgo=" } }]),
      'messages[0].content[0].source is not valid: an image source must be {"type":"base64","media_type":"image/png","data":"…"}',
    ],
    [
      "a tool result without the id of its call",
      user([{ type: "tool_result", content: "18 degrees" }]),
      "messages[0].content[0].tool_use_id is required, e.g. {",
    ],
    [
      "a tool choice given as a string",
      { ...user("Hi"), tool_choice: "auto" },
      'tool_choice must be a JSON object or null. tool_choice is {"type":"auto"}, {"type":"any"}',
    ],
    [
      "a thinking budget under 1,024",
      { ...user("Hi"), thinking: { type: "enabled", budget_tokens: 100 } },
      "thinking.budget_tokens must be an integer of at least 1024.",
    ],
    [
      "a tool call without its input",
      {
        ...user("Hi"),
        messages: [
          { role: "user", content: "Hi" },
          { role: "assistant", content: [{ type: "tool_use", id: "toolu_1", name: "weather" }] },
        ],
      },
      "messages[1].content[0].input must be the tool's input as a JSON object.",
    ],
    ["a tool of yours without its input schema", { ...user("Hi"), tools: [{ name: "weather" }] }, "tools[0].input_schema is required"],
  ])("refuses %s with 400 in Anthropic's shape, on both paths", async (_label, body, message) => {
    for (const url of ["/v1/messages", "/v1/messages/count_tokens"]) {
      const answer = await post(url, body);
      expect([url, answer.statusCode]).toEqual([url, 400]);
      expect(answer.headers["request-id"]).toMatch(/^req_/);
      expect(answer.json()).toEqual({
        type: "error",
        error: { type: "invalid_request_error", message: expect.stringContaining(message), details: { error_code: "invalid_request" } },
        request_id: answer.headers["x-request-id"],
      });
    }
  });

  it("keeps the handler's own messages where they say more: max_tokens required, a role named", async () => {
    const noMax = await post("/v1/messages", { model: MODEL, messages: [{ role: "user", content: "Hi" }] });
    expect(noMax.statusCode).toBe(400);
    expect(noMax.json().error.message).toBe('max_tokens is required. It is the most tokens the answer may take, e.g. "max_tokens": 1024.');
    const role = await post("/v1/messages", { ...user("Hi"), messages: [{ role: "tool", content: "x" }] });
    expect(role.json().error).toMatchObject({ type: "invalid_request_error", message: expect.stringContaining("messages[0].role") });
  });

  it("lets through what only Anthropic serves (its own tools, other block types) and null for the optional members", async () => {
    const anthropicOnly = {
      model: MODEL,
      max_tokens: 100,
      // A server tool's call and result sent back as Anthropic answered them (the result's content an object), and a search result (its source a string).
      messages: [
        { role: "user", content: "Search the web for the weather." },
        {
          role: "assistant",
          content: [
            { type: "server_tool_use", id: "srvtoolu_1", name: "web_search", input: { query: "weather" } },
            { type: "web_search_tool_result", tool_use_id: "srvtoolu_1", content: { type: "web_search_tool_result_error", error_code: "unavailable" } },
          ],
        },
        {
          role: "user",
          content: [
            { type: "text", text: "Hi" },
            { type: "search_result", source: "https://example.com", title: "Example", content: [{ type: "text", text: "x" }] },
          ],
        },
      ],
      tools: [{ type: "web_search_20250305", name: "web_search", max_uses: 1 }, WEATHER],
    };
    // The sandbox answers it; an `anthropic` provider would get it as sent.
    const passed = await post("/v1/messages", anthropicOnly);
    expect(passed.statusCode, passed.body).toBe(200);
    const nulls = {
      system: null,
      tools: null,
      tool_choice: null,
      thinking: null,
      stop_sequences: null,
      temperature: null,
      top_p: null,
      top_k: null,
      metadata: null,
      stream: null,
    };
    const answer = await post("/v1/messages", { ...user("Hi"), ...nulls });
    expect(answer.statusCode, answer.body).toBe(200);
  });

  it("authenticates before it validates: without a key, 401 in Anthropic's shape whatever the body", async () => {
    const answer = await post("/v1/messages", { model: 5 }, {});
    expect(answer.statusCode).toBe(401);
    expect(answer.json()).toMatchObject({ type: "error", error: { type: "authentication_error", details: { error_code: "missing_api_key" } } });
  });

  it("answers the Message, its stream's message_start, the token count and its errors as the document describes them", async () => {
    const message = documentedSchema(document, "AnthropicMessage");
    const count = documentedSchema(document, "AnthropicTokenCount");
    const error = documentedSchema(document, "AnthropicError");
    const bodies = [
      { ...user("Weather in Paris?"), tools: [WEATHER], tool_choice: { type: "any" } },
      { ...user("Why is the sky blue?"), max_tokens: 2048, thinking: { type: "enabled", budget_tokens: 1024 }, system: [{ type: "text", text: "Be brief." }] },
    ];
    const blocks = new Set<string>();
    for (const body of bodies) {
      const answer = await post("/v1/messages", body, { ...bearer(key), "anthropic-version": "2023-06-01" });
      expect(answer.statusCode, answer.body).toBe(200);
      expect(answer.headers["x-ratelimit-remaining-requests"]).toBeDefined();
      const json = answer.json();
      expect(message(json), schemaErrors(message).join("\n")).toBe(true);
      for (const block of json.content) blocks.add(block.type);

      const streamed = await post("/v1/messages", { ...body, stream: true });
      const start = JSON.parse(parseSse(streamed.body)[0]!.data);
      expect(start.type).toBe("message_start");
      expect(message(start.message), schemaErrors(message).join("\n")).toBe(true);

      const { max_tokens: _max, ...countable } = body;
      const counted = await post("/v1/messages/count_tokens", countable);
      expect(counted.statusCode).toBe(200);
      expect(count(counted.json()), schemaErrors(count).join("\n")).toBe(true);
    }
    expect([...blocks].sort()).toEqual(["text", "thinking", "tool_use"]);
    const refused = await post("/v1/messages", { ...user("Hi"), model: "nobody/model" });
    expect(refused.statusCode).toBe(404);
    expect(error(refused.json()), schemaErrors(error).join("\n")).toBe(true);
  });
});
