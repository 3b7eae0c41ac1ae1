import type { AnswerWriter, JsonObject } from "@bentoo/core";
import { describe, expect, it } from "vitest";
import { messagesPassthroughAnswer } from "../src/anthropic/passthrough-answer.js";
import { messagesPassthroughBody } from "../src/anthropic/passthrough-request.js";
import { AnthropicMessagesPassthrough } from "../src/anthropic/passthrough-stream.js";
import { cancellationOf } from "../src/cancellation.js";
import type { ProviderCall } from "../src/provider.js";
import { modelFor, textRequest } from "./calls.js";

/**
 * The `anthropic` provider's passthrough for Messages clients, on fixtures
 * written from Anthropic's streaming reference
 * (https://docs.anthropic.com/en/docs/build-with-claude/streaming) and Message
 * object (https://docs.anthropic.com/en/api/messages).
 */

const noAnswers: AnswerWriter = {
  json: () => {
    throw new Error("a passthrough never writes answers in Bentoo's terms");
  },
  stream: () => {
    throw new Error("a passthrough never writes answers in Bentoo's terms");
  },
};

function messagesCall(body: JsonObject): ProviderCall {
  return {
    requestId: "req_test",
    model: modelFor("claude", "claude-upstream", "claude/catalog"),
    client: { wire: "anthropic-messages", stream: true, streamUsage: true, request: textRequest("one two three"), body, raw: null, answers: noAnswers },
    cancellation: cancellationOf(new AbortController().signal),
    usageExtras: () => ({ cost: 1 }),
  };
}

const event = (type: string, data: JsonObject) => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;

const START = event("message_start", {
  message: {
    id: "msg_1",
    type: "message",
    role: "assistant",
    model: "claude-upstream",
    content: [],
    stop_reason: null,
    stop_sequence: null,
    usage: { input_tokens: 12, cache_creation_input_tokens: 100, cache_read_input_tokens: 2000, output_tokens: 1 },
  },
});
const BODY = [
  event("ping", {}),
  event("content_block_start", { index: 0, content_block: { type: "text", text: "" } }),
  event("content_block_delta", { index: 0, delta: { type: "text_delta", text: "Héllo, message_start" } }),
  event("content_block_delta", { index: 0, delta: { type: "text_delta", text: " world" } }),
  event("content_block_stop", { index: 0 }),
];
const END = [event("message_delta", { delta: { stop_reason: "end_turn", stop_sequence: null }, usage: { output_tokens: 9 } }), event("message_stop", {})];

/** Feeds `text` in pieces of `size` bytes; what the client got, and the end. */
function relay(text: string, size: number) {
  const translation = new AnthropicMessagesPassthrough(messagesCall({}));
  const bytes = Buffer.from(text);
  const out: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += size) {
    const piece = translation.chunk(bytes.subarray(at, at + size));
    if (piece !== null) out.push(piece);
  }
  const end = translation.finish();
  if (end.tail !== null) out.push(Buffer.from(end.tail));
  return { text: Buffer.concat(out).toString("utf8"), end };
}

describe("Anthropic passthrough stream", () => {
  it("passes every event as sent but message_start, which names the catalog model, however the bytes are cut", () => {
    const stream = START + BODY.join("") + END.join("");
    const expected = stream.replace('"model":"claude-upstream"', '"model":"claude/catalog"');
    for (const size of [1, 7, 64, stream.length]) {
      const { text, end } = relay(stream, size);
      expect(text).toBe(expected);
      expect(end).toMatchObject({ done: true, error: null });
      expect(end.usage).toEqual({ inputTokens: 2112, outputTokens: 9, cacheReadTokens: 2000, cacheWriteTokens: 100, reasoningTokens: 0, estimated: false });
    }
  });

  it("passes content events untouched, without copying, when a run holds nothing Bentoo reads", () => {
    const translation = new AnthropicMessagesPassthrough(messagesCall({}));
    translation.chunk(Buffer.from(START));
    const run = Buffer.from(BODY.slice(3).join(""));
    expect(translation.chunk(run)).toBe(run);
  });

  it("leaves an error event out and reports it; the stream is not complete", () => {
    const { text, end } = relay(START + BODY.slice(0, 3).join("") + event("error", { error: { type: "overloaded_error", message: "Overloaded" } }), 5);
    expect(text).not.toContain("event: error");
    expect(text).toContain("Héllo");
    expect(end).toMatchObject({ done: false, error: "Overloaded" });
  });

  it("meters a stream cut before message_delta from the input reported and the output delivered, counted", () => {
    const { end } = relay(START + BODY.slice(0, 3).join(""), 4096);
    expect(end.done).toBe(false);
    expect(end.usage).toMatchObject({ inputTokens: 2112, cacheReadTokens: 2000, estimated: true });
    expect(end.usage.outputTokens).toBeGreaterThan(1);
  });

  it("counts the prompt too when the provider reported nothing", () => {
    const { end } = relay(BODY.slice(1, 3).join(""), 4096);
    expect(end.usage).toMatchObject({ inputTokens: expect.any(Number), estimated: true });
    expect(end.usage.inputTokens).toBeGreaterThan(0);
  });
});

describe("Anthropic passthrough answer and request", () => {
  const message = {
    id: "msg_1",
    type: "message",
    role: "assistant",
    model: "claude-upstream",
    content: [{ type: "text", text: "Hi" }],
    stop_reason: "end_turn",
    stop_sequence: null,
    usage: { input_tokens: 5, cache_creation_input_tokens: 0, cache_read_input_tokens: 10, output_tokens: 2 },
  };

  it("renames the model in the bytes and reads the usage", () => {
    const bytes = Buffer.from(JSON.stringify(message, null, 1));
    const answer = messagesPassthroughAnswer(messagesCall({}), "claude", bytes);
    if (answer.kind !== "json") throw new Error("expected JSON");
    expect(answer.usage).toMatchObject({ inputTokens: 15, cacheReadTokens: 10, outputTokens: 2, estimated: false });
    expect(answer.body().toString()).toBe(bytes.toString().replace('"model": "claude-upstream"', '"model": "claude/catalog"'));
  });

  it("parses and writes again an answer it cannot splice, and counts usage the provider did not report", () => {
    const text = `{"model":"a",${JSON.stringify({ ...message, usage: undefined }).slice(1)}`;
    const answer = messagesPassthroughAnswer(messagesCall({}), "claude", Buffer.from(text));
    if (answer.kind !== "json") throw new Error("expected JSON");
    expect(JSON.parse(answer.body().toString()).model).toBe("claude/catalog");
    expect(answer.usage.estimated).toBe(true);
    expect(() => messagesPassthroughAnswer(messagesCall({}), "claude", Buffer.from("[]"))).toThrow(/not a message/);
  });

  it("forwards the client's bytes with only the model replaced", () => {
    const raw = Buffer.from('{"model" : "claude/catalog","max_tokens":10,"messages":[{"role":"user","content":"model"}]}');
    const route = { providerId: "claude", upstreamModel: "claude-upstream" };
    expect(messagesPassthroughBody({}, raw, route).toString()).toBe(raw.toString().replace('"claude/catalog"', '"claude-upstream"'));
    expect(JSON.parse(messagesPassthroughBody({ model: "x", max_tokens: 1 }, null, route).toString())).toEqual({ model: "claude-upstream", max_tokens: 1 });
  });
});
