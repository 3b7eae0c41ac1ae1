import { afterEach, describe, expect, it } from "vitest";
import { APIConnectionError, APIError, NotFoundError, type ResponseObject, type ResponseStreamEvent } from "../src/index.js";
import { client, closeAllServers, collect, errorEnvelope, sendJSON, startServer } from "./helpers.js";

afterEach(closeAllServers);

const RESPONSE: ResponseObject = {
  id: "resp_0000000000abcdefghij",
  object: "response",
  created_at: 1_700_000_000,
  status: "completed",
  error: null,
  incomplete_details: null,
  instructions: null,
  max_output_tokens: null,
  model: "openai/gpt-4o-mini",
  output: [
    { id: "rs_0000000000abcdefghij_0", type: "reasoning", summary: [{ type: "summary_text", text: "Hm." }] },
    {
      id: "msg_0000000000abcdefghij_1",
      type: "message",
      role: "assistant",
      status: "completed",
      content: [
        { type: "output_text", text: "Hello", annotations: [] },
        { type: "output_text", text: " there", annotations: [] },
      ],
    },
    { id: "fc_0000000000abcdefghij_2", type: "function_call", call_id: "call_1", name: "weather", arguments: "{}", status: "completed" },
  ],
  parallel_tool_calls: true,
  previous_response_id: null,
  reasoning: { effort: null, summary: null },
  store: true,
  temperature: 1,
  text: { format: { type: "text" } },
  tool_choice: "auto",
  tools: [],
  top_p: 1,
  truncation: "disabled",
  usage: {
    input_tokens: 9,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens: 3,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: 12,
    cost_micros: 3,
  },
  user: null,
  metadata: {},
};

function sse(events: object[]): string {
  return events.map((event) => `event: ${(event as { type: string }).type}\ndata: ${JSON.stringify(event)}\n\n`).join("");
}

const STREAM: object[] = [
  { type: "response.created", sequence_number: 0, response: { ...RESPONSE, status: "in_progress", output: [], usage: null } },
  { type: "response.output_text.delta", sequence_number: 1, item_id: "msg_1", output_index: 0, content_index: 0, delta: "Hi" },
  { type: "response.completed", sequence_number: 2, response: RESPONSE },
];

describe("responses", () => {
  it("create POSTs the params, extra fields included, and adds output_text as OpenAI's SDK does", async () => {
    const server = await startServer((_request, response) => sendJSON(response, 200, RESPONSE));
    const params = { model: "openai/gpt-4o-mini", input: "Hello", store: false, previous_response_id: "resp_x", custom_hint: 1 };
    const created = await client(server).responses.create(params);
    expect(created.output_text).toBe("Hello there");
    expect(created.usage?.cost_micros).toBe(3);
    expect([server.requests[0]?.method, server.requests[0]?.url]).toEqual(["POST", "/v1/responses"]);
    expect(JSON.parse(server.requests[0]?.body ?? "")).toEqual(params);
  });

  it("streams the semantic events and ends at response.completed, with no [DONE]", async () => {
    const server = await startServer((_request, response) => {
      response.writeHead(200, { "content-type": "text/event-stream" });
      response.end(sse(STREAM));
    });
    const stream = await client(server).responses.create({ model: "openai/gpt-4o-mini", input: "Hello", stream: true });
    const events: ResponseStreamEvent[] = await collect(stream);
    expect(events.map((event) => event.type)).toEqual(["response.created", "response.output_text.delta", "response.completed"]);
    expect(server.requests[0]?.headers.accept).toBe("text/event-stream");
  });

  it("throws APIConnectionError for a stream cut before its last event, and APIError for an error event", async () => {
    const cut = await startServer((_request, response) => {
      response.writeHead(200, { "content-type": "text/event-stream" });
      response.end(sse(STREAM.slice(0, 2)));
    });
    const stream = await client(cut).responses.create({ model: "m", input: "x", stream: true });
    await expect(collect(stream)).rejects.toBeInstanceOf(APIConnectionError);
    const failing = await startServer((_request, response) => {
      response.writeHead(200, { "content-type": "text/event-stream" });
      response.end(sse([STREAM[0]!, { type: "error", sequence_number: 1, code: "upstream_error", message: "The provider broke off.", param: null }]));
    });
    const broken = await client(failing).responses.create({ model: "m", input: "x", stream: true });
    const thrown = await collect(broken).catch((caught: unknown) => caught);
    expect(thrown).toBeInstanceOf(APIError);
    expect((thrown as APIError).code).toBe("upstream_error");
    expect((thrown as APIError).message).toContain("The provider broke off.");
  });

  it("retrieves and deletes by id, percent-encoded, and throws NotFoundError for a missing one", async () => {
    const server = await startServer((request, response) => {
      if (request.path.endsWith("/missing"))
        return sendJSON(response, 404, errorEnvelope("There is no stored response.", "not_found_error", "response_not_found"));
      if (request.method === "DELETE") return sendJSON(response, 200, { id: RESPONSE.id, object: "response", deleted: true });
      sendJSON(response, 200, RESPONSE);
    });
    const bentoo = client(server);
    expect((await bentoo.responses.retrieve(RESPONSE.id)).output_text).toBe("Hello there");
    await expect(bentoo.responses.delete(RESPONSE.id)).resolves.toBeUndefined();
    await expect(bentoo.responses.retrieve("a/b?c")).resolves.toBeDefined();
    const missing = await bentoo.responses.retrieve("missing").catch((caught: unknown) => caught);
    expect(missing).toBeInstanceOf(NotFoundError);
    expect((missing as NotFoundError).code).toBe("response_not_found");
    expect(server.requests.map((request) => `${request.method} ${request.url}`)).toEqual([
      `GET /v1/responses/${RESPONSE.id}`,
      `DELETE /v1/responses/${RESPONSE.id}`,
      "GET /v1/responses/a%2Fb%3Fc",
      "GET /v1/responses/missing",
    ]);
  });
});
