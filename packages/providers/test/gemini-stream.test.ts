import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { ModelRequest, StreamEvent } from "@bentoo/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GeminiAdapter } from "../src/gemini/adapter.js";
import { GeminiStream } from "../src/gemini/stream.js";
import { signatureOf } from "../src/gemini/tool-call-id.js";
import type { StreamEnd } from "../src/stream-relay.js";
import { textRequest } from "./calls.js";
import { providerOfType, recordingAnswers, streamAnswer, translatedCall } from "./translated-calls.js";

/** Gemini streams (`:streamGenerateContent?alt=sse`) written from the reference, CRLF line ends as Gemini sends them. */
const fixture = (name: string): Buffer => readFileSync(new URL(`fixtures/gemini/${name}`, import.meta.url));

/** Feeds `bytes` to a stream translation in chunks of `size` bytes; returns the events written and how it ended. */
function translate(bytes: Buffer, size: number, request: ModelRequest = textRequest("hi", { stream: true })): { events: StreamEvent[]; end: StreamEnd } {
  const call = translatedCall("gemini-2.5-flash", request);
  const translation = new GeminiStream(call, recordingAnswers.stream({ model: "m", usageExtras: () => ({}), streamUsage: true }), 1_700_000_000);
  let text = "";
  for (let at = 0; at < bytes.length; at += size) text += translation.chunk(bytes.subarray(at, at + size)) ?? "";
  const end = translation.finish();
  text += end.tail ?? "";
  const lines = text.split("\n").filter((line) => line !== "" && line !== "END");
  return { events: lines.map((line) => JSON.parse(line) as StreamEvent), end };
}

const texts = (events: StreamEvent[]) =>
  events
    .filter((event) => event.type === "text-delta")
    .map((event) => event.text)
    .join("");

describe("Gemini translation: a stream → StreamEvents", () => {
  it("text chunks: start with Gemini's id, deltas in order (split anywhere, multi-byte characters included), finish, then the last usage", () => {
    const bytes = fixture("stream-text.sse");
    for (const size of [1, 2, 3, 7, 64, bytes.length]) {
      const { events, end } = translate(bytes, size);
      expect(events[0]).toEqual({ type: "start", id: "stream-text-1", created: 1_700_000_000 });
      expect(texts(events)).toBe("The capital of France is Paris — café.");
      expect(events.slice(-2)).toEqual([
        { type: "finish", choice: 0, reason: "stop" },
        {
          type: "usage",
          usage: { inputTokens: 8, outputTokens: 9, cacheReadTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0, estimated: false },
        },
      ]);
      expect(end).toMatchObject({ done: true, error: null, usage: { inputTokens: 8, outputTokens: 9 } });
    }
  });

  it("thoughts are reasoning deltas; whole function calls are a tool call each (start, arguments, end); STOP → tool_calls", () => {
    const { events, end } = translate(fixture("stream-tools.sse"), 50);
    expect(events.map((event) => event.type)).toEqual([
      "start",
      "reasoning-delta",
      "tool-call-start",
      "tool-call-delta",
      "tool-call-end",
      "tool-call-start",
      "tool-call-delta",
      "tool-call-end",
      "finish",
      "usage",
    ]);
    expect(events[1]).toEqual({ type: "reasoning-delta", choice: 0, text: "**Planning** I need the weather." });
    const starts = events.filter((event) => event.type === "tool-call-start");
    expect(starts.map((event) => [event.index, event.name])).toEqual([
      [0, "get_weather"],
      [1, "get_weather"],
    ]);
    expect(signatureOf(starts[0]!.id)).toBe("CiQBVKhc7v+/Ab1=");
    expect(signatureOf(starts[1]!.id)).toBeNull();
    expect(events.filter((event) => event.type === "tool-call-delta").map((event) => event.arguments)).toEqual(['{"city":"Paris"}', '{"city":"Lyon"}']);
    expect(events.at(-2)).toEqual({ type: "finish", choice: 0, reason: "tool_calls" });
    expect(end.usage).toMatchObject({ inputTokens: 40, outputTokens: 55, reasoningTokens: 35 });
  });

  it("a blocked prompt finishes every requested choice with content_filter, complete, its prompt billed", () => {
    const { events, end } = translate(fixture("stream-blocked.sse"), 1000, textRequest("hi", { stream: true, choices: 2 }));
    expect(events).toEqual([
      { type: "start", id: "stream-blocked-1", created: 1_700_000_000 },
      { type: "finish", choice: 0, reason: "content_filter" },
      { type: "finish", choice: 1, reason: "content_filter" },
      { type: "usage", usage: { inputTokens: 12, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0, estimated: false } },
    ]);
    expect(end.done).toBe(true);
  });

  it("an error event mid-stream: not complete, the error's message reported, no usage event written", () => {
    const { events, end } = translate(fixture("stream-error.sse"), 16);
    expect(texts(events)).toBe("Once upon");
    expect(events.some((event) => event.type === "usage" || event.type === "finish")).toBe(false);
    expect(end).toMatchObject({ done: false, error: "An internal error has occurred. Please retry." });
  });

  it("a stream that ends before every candidate finished is incomplete; a cut last event is dropped, not an error; the output delivered counted", () => {
    const { events, end } = translate(fixture("stream-cut.sse"), 5);
    expect(texts(events)).toBe("Once upon a");
    // Gemini reported the prompt (6) in its first chunk; the 3 tokens delivered ("Once upon a") are counted by Bentoo.
    expect(end).toMatchObject({ done: false, error: null, usage: { inputTokens: 6, outputTokens: 3, estimated: true } });
  });
});

describe("Gemini adapter: streams through the relay", () => {
  let server: Server;
  let adapter: GeminiAdapter;
  /** The fixture each request gets, and whether the socket is then destroyed instead of ended. */
  let serve: { name: string; drop: boolean } = { name: "stream-text.sse", drop: false };

  beforeAll(async () => {
    server = createServer((_request, response) => {
      response.writeHead(200, { "content-type": "text/event-stream" });
      const bytes = fixture(serve.name);
      if (serve.drop) response.write(bytes, () => response.socket?.destroy());
      else response.end(bytes);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    adapter = new GeminiAdapter(providerOfType("gemini", `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1beta`), "key");
  });
  afterAll(async () => {
    await adapter?.close();
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
  });

  const send = () =>
    adapter.send(translatedCall("gemini-2.5-flash", textRequest("hi", { stream: true })), { providerId: "gemini", upstreamModel: "gemini-2.5-flash" });

  it("a complete stream: the client's end written, the outcome complete with Gemini's usage", async () => {
    serve = { name: "stream-text.sse", drop: false };
    const { events, ended, outcome } = await streamAnswer(await send());
    expect(ended).toBe(true);
    expect(texts(events)).toBe("The capital of France is Paris — café.");
    expect(outcome).toMatchObject({ completed: true, failure: null, clientAborted: false, usage: { inputTokens: 8, outputTokens: 9, estimated: false } });
  });

  it("an error Gemini reports mid-stream fails the stream with its message; the client's end is not written", async () => {
    serve = { name: "stream-error.sse", drop: false };
    const { ended, outcome } = await streamAnswer(await send());
    expect(ended).toBe(false);
    expect(outcome.completed).toBe(false);
    expect(outcome.failure).toMatchObject({ code: "upstream_error" });
    expect(outcome.failure!.message).toContain("An internal error has occurred. Please retry.");
  });

  it("a stream cut midway fails as broken off, billed for what was delivered", async () => {
    serve = { name: "stream-cut.sse", drop: true };
    const { ended, outcome } = await streamAnswer(await send());
    expect(ended).toBe(false);
    expect(outcome.failure).toMatchObject({ code: "upstream_error" });
    expect(outcome.usage).toMatchObject({ inputTokens: 6, outputTokens: 3, estimated: true });
  });
});
