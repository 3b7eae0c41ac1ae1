import { type AnswerContext, BentooError, basicUsage, type JsonObject, type StreamEvent } from "@bentoo/core";
import { ResponseStream } from "openai/lib/responses/ResponseStream";
import { describe, expect, it } from "vitest";
import { parseResponsesRequest } from "../src/dialects/responses/parse-request.js";
import type { ResponseShell } from "../src/dialects/responses/response-object.js";
import { ResponsesStreamWriter } from "../src/dialects/responses/write-stream.js";

const CONTEXT: AnswerContext = { model: "openai/gpt-4o-mini", usageExtras: (usage) => ({ cost_micros: usage.outputTokens }), streamUsage: false };
const RED_DOT = "data:image/png;base64,iVBORw0KGgo=";

function refusal(body: unknown): BentooError {
  try {
    parseResponsesRequest(body);
  } catch (error) {
    if (error instanceof BentooError) return error;
    throw error;
  }
  throw new Error(`accepted: ${JSON.stringify(body)}`);
}

describe("the Responses API request in Bentoo's terms", () => {
  it("maps instructions, a string input and the sampling, limit and metadata members", () => {
    const { parsed, echo, store } = parseResponsesRequest({
      model: "openai/gpt-4o-mini",
      instructions: "Be brief.",
      input: "Hello",
      max_output_tokens: 50,
      temperature: 0.5,
      top_p: 0.9,
      metadata: { topic: "greeting" },
      user: "end-user-1",
      reasoning: { effort: "low" },
      parallel_tool_calls: false,
    });
    expect(parsed.request).toMatchObject({
      messages: [
        { role: "system", parts: [{ type: "text", text: "Be brief." }] },
        { role: "user", parts: [{ type: "text", text: "Hello" }] },
      ],
      maxOutputTokens: 50,
      sampling: { temperature: 0.5, topP: 0.9 },
      reasoning: { effort: "low" },
      metadata: { topic: "greeting" },
      user: "end-user-1",
      parallelToolCalls: false,
      output: { type: "text" },
    });
    expect(store).toBe(true);
    expect(echo).toMatchObject({
      instructions: "Be brief.",
      max_output_tokens: 50,
      temperature: 0.5,
      top_p: 0.9,
      metadata: { topic: "greeting" },
      store: true,
    });
  });

  it("makes one assistant turn of an assistant's message, reasoning and function calls, and a tool message of each output", () => {
    const { parsed } = parseResponsesRequest({
      model: "m",
      input: [
        {
          role: "user",
          content: [
            { type: "input_text", text: "Weather?" },
            { type: "input_image", image_url: RED_DOT, detail: "low" },
          ],
        },
        { type: "reasoning", id: "rs_1", summary: [{ type: "summary_text", text: "Look it up." }] },
        { type: "message", role: "assistant", content: [{ type: "output_text", text: "Checking.", annotations: [] }] },
        { type: "function_call", call_id: "call_1", name: "weather", arguments: '{"city":"Paris"}' },
        { type: "function_call_output", call_id: "call_1", output: "18 degrees" },
        { role: "developer", content: "Answer in French." },
        { role: "user", content: [{ type: "input_file", filename: "notes.pdf", file_data: "JVBERi0=" }] },
      ],
    });
    expect(parsed.request.messages).toEqual([
      {
        role: "user",
        parts: [
          { type: "text", text: "Weather?" },
          { type: "image", source: { kind: "base64", mediaType: "image/png", data: "iVBORw0KGgo=" }, detail: "low" },
        ],
      },
      {
        role: "assistant",
        parts: [
          { type: "reasoning", text: "Look it up." },
          { type: "text", text: "Checking." },
          { type: "tool-call", id: "call_1", name: "weather", arguments: '{"city":"Paris"}' },
        ],
      },
      { role: "tool", parts: [{ type: "tool-result", toolCallId: "call_1", content: [{ type: "text", text: "18 degrees" }] }] },
      { role: "system", parts: [{ type: "text", text: "Answer in French." }] },
      { role: "user", parts: [{ type: "file", source: { kind: "base64", mediaType: "application/pdf", data: "JVBERi0=" }, filename: "notes.pdf" }] },
    ]);
  });

  it("maps function tools, a named tool choice, allowed_tools and a json_schema text format", () => {
    const weather = { type: "function", name: "weather", parameters: { type: "object", properties: { city: { type: "string" } } }, strict: true };
    const time = { type: "function", name: "time", description: "The time", parameters: null, strict: null };
    const named = parseResponsesRequest({ model: "m", input: "x", tools: [weather, time], tool_choice: { type: "function", name: "time" } });
    expect(named.parsed.request.toolChoice).toEqual({ type: "tool", name: "time" });
    expect(named.parsed.request.tools.map((tool) => tool.name)).toEqual(["weather", "time"]);
    const allowed = parseResponsesRequest({
      model: "m",
      input: "x",
      tools: [weather, time],
      tool_choice: { type: "allowed_tools", mode: "required", tools: [{ type: "function", name: "weather" }] },
    });
    expect(allowed.parsed.request.toolChoice).toEqual({ type: "required" });
    expect(allowed.parsed.request.tools).toEqual([{ name: "weather", parameters: weather.parameters, strict: true }]);
    const schema = { type: "object", properties: { answer: { type: "string" } }, required: ["answer"], additionalProperties: false };
    const structured = parseResponsesRequest({ model: "m", input: "x", text: { format: { type: "json_schema", name: "reply", schema, strict: true } } });
    expect(structured.parsed.request.output).toEqual({ type: "json_schema", name: "reply", schema, strict: true });
  });

  it("refuses built-in tools by name, and what Bentoo cannot serve, each with a 400 naming the parameter", () => {
    const builtIn = refusal({ model: "m", input: "x", tools: [{ type: "web_search" }, { type: "function", name: "f" }, { type: "file_search" }] });
    expect([builtIn.status, builtIn.param]).toEqual([400, "tools"]);
    expect(builtIn.message).toContain("web_search, file_search");
    const cases: Array<[unknown, string]> = [
      [{ model: "m" }, "input"],
      [{ model: "m", input: [] }, "input"],
      [{ model: "m", input: [{ type: "web_search_call", id: "ws_1" }] }, "input[0].type"],
      [{ model: "m", input: [{ role: "user", content: [{ type: "input_image", file_id: "file-1" }] }] }, "input[0].content[0].file_id"],
      [{ model: "m", input: [{ role: "system", content: [{ type: "input_image", image_url: RED_DOT }] }] }, "input[0].content[0].type"],
      [{ model: "m", input: [{ type: "function_call", name: "f", arguments: "{}" }] }, "input[0].call_id"],
      [{ model: "m", input: [{ role: "robot", content: "x" }] }, "input[0].role"],
      [{ model: "m", input: "x", background: true }, "background"],
      [{ model: "m", input: "x", conversation: "conv_1" }, "conversation"],
      [{ model: "m", input: "x", truncation: "auto" }, "truncation"],
      [{ model: "m", input: "x", top_logprobs: 3 }, "top_logprobs"],
      [{ model: "m", input: "x", max_output_tokens: 0 }, "max_output_tokens"],
      [{ model: "m", input: "x", temperature: 3 }, "temperature"],
      [{ model: "m", input: "x", metadata: { topic: 7 } }, "metadata.topic"],
      [{ model: "m", input: "x", metadata: Object.fromEntries(Array.from({ length: 17 }, (_, index) => [`k${index}`, "v"])) }, "metadata"],
      [{ model: "m", input: "x", reasoning: { effort: "extreme" } }, "reasoning.effort"],
      [{ model: "m", input: "x", text: { format: { type: "json_schema", schema: {} } } }, "text.format.name"],
      [{ model: "m", input: "x", tools: [{ type: "function", name: "f" }], tool_choice: { type: "function", name: "g" } }, "tool_choice.name"],
      [{ model: "m", input: "x", tool_choice: { type: "web_search_preview" } }, "tool_choice"],
      [{ model: "m", input: "x", previous_response_id: "chatcmpl-1" }, "previous_response_id"],
    ];
    for (const [body, param] of cases) {
      const error = refusal(body);
      expect([error.status, error.code, error.param], JSON.stringify(body)).toEqual([400, "invalid_request", param]);
    }
  });
});

function writeStream(events: StreamEvent[], failure: BentooError | null = null): { text: string; response: JsonObject } {
  const shell: ResponseShell = { id: "resp_0000000000abcdefghij", createdAt: 1_700_000_000, echo: { model: "openai/gpt-4o-mini", store: true } };
  const writer = new ResponsesStreamWriter(shell, CONTEXT, true);
  let text = events.map((event) => writer.event(event)).join("");
  expect(writer.end()).toBe("");
  const terminal = writer.terminal(failure, basicUsage(5, 1));
  text += terminal.text;
  return { text, response: terminal.response };
}

function eventsOf(text: string): JsonObject[] {
  return text
    .split("\n\n")
    .filter((block) => block !== "")
    .map((block) => {
      const [event, data] = block.split("\n");
      const parsed = JSON.parse(data!.slice("data: ".length)) as JsonObject;
      expect(event).toBe(`event: ${parsed.type}`);
      return parsed;
    });
}

/** The openai SDK's own stream helper (its accumulator) reads the events back into a Response; it takes them one JSON per line. */
async function readWithSdk(text: string) {
  const bytes = new TextEncoder().encode(
    eventsOf(text)
      .map((event) => `${JSON.stringify(event)}\n`)
      .join(""),
  );
  const readable = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(bytes);
      controller.close();
    },
  });
  return ResponseStream.fromReadableStream(readable).finalResponse();
}

describe("the Responses API event stream", () => {
  it("numbers every event and carries reasoning, text and a function call in the order they came; the SDK reads the same Response back", async () => {
    const { text, response } = writeStream([
      { type: "start", id: "upstream-1", created: 1 },
      { type: "reasoning-delta", choice: 0, text: "Think" },
      { type: "reasoning-delta", choice: 0, text: "ing." },
      { type: "text-delta", choice: 0, text: "Hello" },
      { type: "text-delta", choice: 0, text: " world" },
      { type: "tool-call-start", choice: 0, index: 0, id: "call_1", name: "weather" },
      { type: "tool-call-delta", choice: 0, index: 0, arguments: '{"city":' },
      { type: "tool-call-delta", choice: 0, index: 0, arguments: '"Paris"}' },
      { type: "tool-call-end", choice: 0, index: 0 },
      { type: "finish", choice: 0, reason: "tool_calls" },
      { type: "usage", usage: { ...basicUsage(12, 7), reasoningTokens: 2, cacheReadTokens: 4 } },
    ]);
    const events = eventsOf(text);
    expect(events.map((event) => event.sequence_number)).toEqual(events.map((_, index) => index));
    expect(events.map((event) => event.type)).toEqual([
      "response.created",
      "response.in_progress",
      "response.output_item.added",
      "response.reasoning_summary_part.added",
      "response.reasoning_summary_text.delta",
      "response.reasoning_summary_text.delta",
      "response.reasoning_summary_text.done",
      "response.reasoning_summary_part.done",
      "response.output_item.done",
      "response.output_item.added",
      "response.content_part.added",
      "response.output_text.delta",
      "response.output_text.delta",
      "response.output_text.done",
      "response.content_part.done",
      "response.output_item.done",
      "response.output_item.added",
      "response.function_call_arguments.delta",
      "response.function_call_arguments.delta",
      "response.function_call_arguments.done",
      "response.output_item.done",
      "response.completed",
    ]);
    expect(response).toMatchObject({
      id: "resp_0000000000abcdefghij",
      status: "completed",
      output: [
        { id: "rs_0000000000abcdefghij_0", type: "reasoning", summary: [{ type: "summary_text", text: "Thinking." }] },
        { id: "msg_0000000000abcdefghij_1", type: "message", status: "completed", content: [{ type: "output_text", text: "Hello world" }] },
        { id: "fc_0000000000abcdefghij_2", type: "function_call", call_id: "call_1", name: "weather", arguments: '{"city":"Paris"}' },
      ],
      usage: {
        input_tokens: 12,
        input_tokens_details: { cached_tokens: 4 },
        output_tokens: 7,
        output_tokens_details: { reasoning_tokens: 2 },
        total_tokens: 19,
        cost_micros: 7,
      },
    });
    const read = await readWithSdk(text);
    expect(read.output_text).toBe("Hello world");
    expect(read.output).toMatchObject(response.output as object[]);
  });

  it("ends an answer cut at the output limit with response.incomplete and the reason", () => {
    const { text, response } = writeStream([
      { type: "start", id: "x", created: 1 },
      { type: "text-delta", choice: 0, text: "Cut" },
      { type: "finish", choice: 0, reason: "length" },
      { type: "usage", usage: basicUsage(3, 1) },
    ]);
    expect(eventsOf(text).at(-1)!.type).toBe("response.incomplete");
    expect(response).toMatchObject({ status: "incomplete", incomplete_details: { reason: "max_output_tokens" }, output: [{ status: "incomplete" }] });
  });

  it("ends a broken stream with an error event and response.failed carrying the failure, the open items closed incomplete", () => {
    const failure = new BentooError("upstream_error", 'provider "x" broke off the stream midway; the answer is cut short.');
    const { text, response } = writeStream(
      [
        { type: "start", id: "x", created: 1 },
        { type: "text-delta", choice: 0, text: "Half" },
      ],
      failure,
    );
    const events = eventsOf(text);
    expect(events.slice(-2).map((event) => event.type)).toEqual(["error", "response.failed"]);
    expect(events.at(-2)).toMatchObject({ code: "upstream_error", message: failure.message });
    expect(response).toMatchObject({ status: "failed", error: { code: "server_error", message: failure.message }, output: [{ status: "incomplete" }] });
    // The usage the request is charged for stands in when the stream reported none.
    expect(response.usage).toMatchObject({ input_tokens: 5, output_tokens: 1 });
  });

  it("opens with response.created even when the stream broke before its first event", () => {
    const { text } = writeStream([], new BentooError("upstream_timeout", "no answer in time"));
    expect(eventsOf(text).map((event) => event.type)).toEqual(["response.created", "response.in_progress", "error", "response.failed"]);
  });
});
