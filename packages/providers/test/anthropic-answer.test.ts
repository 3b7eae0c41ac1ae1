import { readFileSync } from "node:fs";
import type { AnswerWriter, StreamEvent, Usage } from "@bentoo/core";
import { describe, expect, it } from "vitest";
import { finishReason, readAnthropicMessage } from "../src/anthropic/answer.js";
import { AnthropicStreamTranslation } from "../src/anthropic/stream.js";
import { cancellationOf } from "../src/cancellation.js";
import type { ProviderCall } from "../src/provider.js";
import { modelFor, textRequest } from "./calls.js";

const fixture = (name: string) => readFileSync(new URL(`./fixtures/anthropic/${name}`, import.meta.url));

/** Writes each stream event as one JSON line, and the end as END, so a test reads back what the translation emitted. */
const recordingAnswers: AnswerWriter = {
  json: (response) => JSON.stringify(response),
  stream: () => ({ event: (event) => `${JSON.stringify(event)}\n`, end: () => "END\n" }),
};

function callFor(stream = true): ProviderCall {
  const model = modelFor("claude", "claude-sonnet-4-5");
  return {
    requestId: "req_test",
    model,
    client: {
      wire: "openai-chat",
      stream,
      streamUsage: true,
      request: textRequest("one two three", { stream }),
      body: {},
      raw: null,
      answers: recordingAnswers,
    },
    cancellation: cancellationOf(new AbortController().signal),
    usageExtras: () => ({}),
  };
}

/** Feeds the bytes in chunks of `size` (cutting events, lines and UTF-8 characters) and reads back events and the end. */
function translate(bytes: Buffer, size: number) {
  const translation = new AnthropicStreamTranslation(callFor(), 1_700_000_000);
  let out = "";
  for (let at = 0; at < bytes.length; at += size) out += translation.chunk(bytes.subarray(at, at + size)) ?? "";
  const end = translation.finish();
  out += end.tail ?? "";
  const lines = out.split("\n").filter(Boolean);
  const ended = lines.at(-1) === "END";
  const events = (ended ? lines.slice(0, -1) : lines).map((line) => JSON.parse(line) as StreamEvent);
  return { events, ended, end };
}

const CACHED_USAGE: Usage = { inputTokens: 12_520, outputTokens: 89, cacheReadTokens: 10_000, cacheWriteTokens: 2048, reasoningTokens: 41, estimated: false };

describe("Anthropic answers in Bentoo's terms", () => {
  it("reads text, tool calls (input as JSON arguments), thinking as reasoning, and usage with every input token", () => {
    const read = readAnthropicMessage(JSON.parse(fixture("message-tool-thinking.json").toString()), 1_700_000_000);
    expect(read).toEqual({
      reported: true,
      response: {
        id: "msg_01XFDUDYJgAACzvnptvVoYEL",
        created: 1_700_000_000,
        choices: [
          {
            index: 0,
            text: "Let me look that up.",
            reasoning: "The user wants the weather in Paris.",
            refusal: null,
            toolCalls: [{ id: "toolu_01A09q90qw90lq917835lq9", name: "get_weather", arguments: '{"location":"Paris, France","unit":"celsius"}' }],
            finishReason: "tool_calls",
          },
        ],
        // input = 472 + 10000 read + 2048 written
        usage: CACHED_USAGE,
      },
    });
  });

  it("maps every stop reason", () => {
    expect(["end_turn", "stop_sequence", "pause_turn", "max_tokens", "model_context_window_exceeded", "tool_use", "refusal", null].map(finishReason)).toEqual([
      "stop",
      "stop",
      "stop",
      "length",
      "length",
      "tool_calls",
      "content_filter",
      "stop",
    ]);
    const read = readAnthropicMessage(JSON.parse(fixture("message-refusal.json").toString()), 0);
    expect(read!.response.choices[0]!.finishReason).toBe("content_filter");
    expect(read?.response.usage).toEqual({ inputTokens: 12, outputTokens: 2, cacheReadTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0, estimated: false });
  });

  it("refuses what is not a message", () => {
    expect(readAnthropicMessage({ type: "error" }, 0)).toBeNull();
    expect(readAnthropicMessage("text", 0)).toBeNull();
  });
});

describe("Anthropic streams in Bentoo's stream events", () => {
  const expected: StreamEvent[] = [
    { type: "start", id: "msg_014p7gG3wDgGV9EUtLvnow3U", created: 1_700_000_000 },
    { type: "reasoning-delta", choice: 0, text: "The user wants " },
    { type: "reasoning-delta", choice: 0, text: "the weather." },
    { type: "text-delta", choice: 0, text: "Café ☕, " },
    { type: "text-delta", choice: 0, text: "let me check." },
    { type: "tool-call-start", choice: 0, index: 0, id: "toolu_01T1x1fJ34qAmk2tNTrN7Up6", name: "get_weather" },
    { type: "tool-call-delta", choice: 0, index: 0, arguments: '{"location": "Par' },
    { type: "tool-call-delta", choice: 0, index: 0, arguments: 'is, France"}' },
    { type: "tool-call-end", choice: 0, index: 0 },
    { type: "finish", choice: 0, reason: "tool_calls" },
    { type: "usage", usage: { ...CACHED_USAGE, reasoningTokens: 0 } },
  ];

  it.each([1, 7, 64, 100_000])("translates thinking, text and a tool call's input_json_delta, whatever the chunking (%i bytes)", (size) => {
    const { events, ended, end } = translate(fixture("stream-thinking-text-tool.sse"), size);
    expect(events).toEqual(expected);
    expect(ended).toBe(true);
    expect([end.done, end.error]).toEqual([true, null]);
    expect(end.usage).toEqual({ ...CACHED_USAGE, reasoningTokens: 0 });
  });

  it("reports an in-band error event as a failure: not done, the provider's message, usage from what was delivered", () => {
    const { events, ended, end } = translate(fixture("stream-overloaded.sse"), 50);
    expect(events.map((event) => event.type)).toEqual(["start", "text-delta"]);
    expect(ended).toBe(false);
    expect([end.done, end.error]).toEqual([false, "Overloaded"]);
    // 10 input tokens as reported; the output ("one two three") counted, since message_delta never came.
    expect(end.usage).toMatchObject({ inputTokens: 10, outputTokens: 3, estimated: true });
  });

  it("counts the prompt and the delivered text when a stream breaks before message_start", () => {
    const translation = new AnthropicStreamTranslation(callFor(), 0);
    expect(translation.chunk(Buffer.from("event: ping\ndata: {}\n\n"))).toBeNull();
    const end = translation.finish();
    expect(end.done).toBe(false);
    expect(end.usage.estimated).toBe(true);
    expect(end.usage.inputTokens).toBeGreaterThan(0);
  });

  it("gives a tool call without arguments `{}`, as a JSON answer's input would be", () => {
    const events = [
      'event: message_start\ndata: {"type":"message_start","message":{"id":"m","usage":{"input_tokens":1,"output_tokens":1}}}\n\n',
      'event: content_block_start\ndata: {"type":"content_block_start","index":0,"content_block":{"type":"tool_use","id":"t","name":"now","input":{}}}\n\n',
      'event: content_block_stop\ndata: {"type":"content_block_stop","index":0}\n\n',
      'event: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"tool_use"},"usage":{"output_tokens":5}}\n\n',
      'event: message_stop\ndata: {"type":"message_stop"}\n\n',
    ].join("");
    const { events: translated, end } = translate(Buffer.from(events), 1000);
    expect(translated.filter((event) => event.type === "tool-call-delta")).toEqual([{ type: "tool-call-delta", choice: 0, index: 0, arguments: "{}" }]);
    expect(end.usage).toMatchObject({ inputTokens: 1, outputTokens: 5, estimated: false });
  });
});
