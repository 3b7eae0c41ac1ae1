import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { documentedSchema, schemaErrors } from "./documented-schema.js";
import { bearer, createTestApp, parseSse, type TestApp } from "./helpers.js";

const MODEL = "openai/gpt-6-luna";
const WEATHER = { type: "function", name: "weather", parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] } };

/** POST /v1/responses and GET / DELETE /v1/responses/{id} against their route schemas: what is refused before the handler, and answers as documented. */
describe("the Responses API's route schemas", () => {
  let t: TestApp;
  let key: string;
  let document: Record<string, unknown>;

  const create = (body: unknown, headers: Record<string, string> = {}) =>
    t.app.inject({ method: "POST", url: "/v1/responses", headers: { ...bearer(key), ...headers }, payload: body as object });

  beforeAll(async () => {
    t = await createTestApp();
    ({ key } = await t.seedAccount({ mode: "test" }));
    document = (await t.app.inject({ url: "/openapi.json" })).json();
  });
  afterAll(() => t?.dispose());

  it.each([
    ["a temperature that is not a number", { temperature: "hot" }, "temperature", "temperature must be a number or null."],
    ["a part without its text", { input: [{ role: "user", content: [{ type: "input_text" }] }] }, "input[0].content[0].text", "is required"],
    ["an input that is neither a list nor a string", { input: 5 }, "input", "Send a string (one user message), or a list of input items"],
    ["an item of a built-in tool", { input: [{ type: "web_search_call", id: "ws_1" }] }, "input[0].type", "Items of built-in tools"],
    ["an unknown tool choice", { tool_choice: "sometimes" }, "tool_choice", 'must be one of "auto", "none", "required". It may also be {"type":"function"'],
    ["a json_schema format without its name", { text: { format: { type: "json_schema", schema: {} } } }, "text.format.name", "is required for json_schema"],
    [
      "an image part given by file id",
      { input: [{ role: "user", content: [{ type: "input_image", file_id: "file-1" }] }] },
      "input[0].content[0].file_id",
      "an OpenAI file id, which Bentoo has no storage for",
    ],
  ])("refuses %s with 400 invalid_request naming the parameter", async (_label, members, param, message) => {
    const answer = await create({ model: MODEL, input: "Hi", ...members });
    expect(answer.statusCode).toBe(400);
    expect(answer.headers["x-request-id"]).toMatch(/^req_/);
    const { error } = answer.json();
    expect([error.code, error.type, error.param]).toEqual(["invalid_request", "invalid_request_error", param]);
    expect(error.message).toContain(message);
  });

  it.each([
    ["a function call without its call_id", [{ type: "function_call", name: "weather", arguments: "{}" }], "input[0].call_id", "is required"],
    ["a part without a type", [{ role: "user", content: [{ text: "Hi" }] }], "input[0].content[0].type", "has no type; a user message takes"],
    [
      "a user message holding an assistant's part",
      [{ role: "user", content: [{ type: "output_text", text: "Hi" }] }],
      "input[0].content[0].type",
      "input_text",
    ],
    ["a message without a role", [{ type: "message", content: "Hi" }], "input[0].role", "must be one of"],
    ["an item reference without its id", [{ type: "item_reference", id: null }], "input[0].id", "is required"],
  ])("leaves what depends on an item's or a part's type to the handler, whose 400 names the member: %s", async (_label, input, param, message) => {
    const { error } = (await create({ model: MODEL, input })).json();
    expect([error.code, error.param]).toEqual(["invalid_request", param]);
    expect(error.message).toContain(message);
  });

  it("takes output items sent back as they came, with their ids, statuses and nulls", async () => {
    const input = [
      { role: "user", content: "Weather in Paris?" },
      { type: "reasoning", id: "rs_1", summary: [{ type: "summary_text", text: "Look it up." }], content: null, encrypted_content: null },
      { type: "function_call", id: null, status: "completed", call_id: "call_1", name: "weather", arguments: '{"city":"Paris"}' },
      { type: "function_call_output", id: null, status: null, call_id: "call_1", output: [{ type: "input_text", text: "18 degrees" }] },
    ];
    const answer = await create({ model: MODEL, input, tools: [WEATHER] });
    expect(answer.statusCode, answer.body).toBe(200);
  });

  it("takes null for every optional member it reads, as the handler does", async () => {
    const nulls = Object.fromEntries(
      ["instructions", "tools", "tool_choice", "text", "reasoning", "max_output_tokens", "temperature", "top_p", "parallel_tool_calls", "stream"].map(
        (name) => [name, null],
      ),
    );
    const answer = await create({ model: MODEL, input: "Hi", store: null, metadata: null, user: null, previous_response_id: null, ...nulls });
    expect(answer.statusCode, answer.body).toBe(200);
    expect(answer.json()).toMatchObject({ object: "response", status: "completed" });
  });

  it("answers the Response, its stream's final event, the stored copy and the deletion as the document describes them", async () => {
    const response = documentedSchema(document, "Response");
    const deleted = documentedSchema(document, "DeletedResponse");
    const bodies = [
      { model: MODEL, input: "Weather in Paris?", tools: [WEATHER], tool_choice: "required", metadata: { topic: "weather" } },
      {
        model: MODEL,
        instructions: "Be brief.",
        input: [{ role: "user", content: "Why is the sky blue?" }],
        reasoning: { effort: "low" },
        max_output_tokens: 400,
      },
      { model: MODEL, input: "Answer in JSON", text: { format: { type: "json_schema", name: "reply", schema: { type: "object" }, strict: true } } },
    ];
    const types = new Set<string>();
    for (const body of bodies) {
      const answer = await create(body);
      expect(answer.statusCode, answer.body).toBe(200);
      expect(answer.headers["x-ratelimit-remaining-requests"]).toBeDefined();
      const json = answer.json();
      expect(response(json), schemaErrors(response).join("\n")).toBe(true);
      for (const item of json.output) types.add(item.type);

      const streamed = await create({ ...body, stream: true });
      expect(streamed.headers["content-type"]).toContain("text/event-stream");
      const completed = parseSse(streamed.body)
        .map((event) => JSON.parse(event.data))
        .at(-1);
      expect(completed.type).toBe("response.completed");
      expect(response(completed.response), schemaErrors(response).join("\n")).toBe(true);

      const stored = await t.app.inject({ url: `/v1/responses/${json.id}`, headers: bearer(key) });
      expect(stored.statusCode).toBe(200);
      expect(response(stored.json()), schemaErrors(response).join("\n")).toBe(true);
      const gone = await t.app.inject({ method: "DELETE", url: `/v1/responses/${json.id}`, headers: bearer(key) });
      expect(gone.statusCode).toBe(200);
      expect(deleted(gone.json()), schemaErrors(deleted).join("\n")).toBe(true);
    }
    // The answers exercised every kind of output item the document names.
    expect([...types].sort()).toEqual(["function_call", "message", "reasoning"]);
  });

  it("answers errors in the documented envelope, and a stored response's read with 404 response_not_found once it is gone", async () => {
    const envelope = documentedSchema(document, "Error");
    const refused = await create({ model: MODEL, input: "Hi", temperature: 3 });
    expect(refused.statusCode).toBe(400);
    expect(envelope(refused.json()), schemaErrors(envelope).join("\n")).toBe(true);
    const missing = await t.app.inject({ url: "/v1/responses/resp_doesnotexist000000000", headers: bearer(key) });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error).toMatchObject({ code: "response_not_found", param: "response_id" });
    expect(envelope(missing.json())).toBe(true);
  });

  it("authenticates before it validates: a request without a key gets 401, whatever its body", async () => {
    const answer = await t.app.inject({ method: "POST", url: "/v1/responses", payload: { model: 5 } });
    expect(answer.statusCode).toBe(401);
    expect(answer.json().error.code).toBe("missing_api_key");
  });
});
