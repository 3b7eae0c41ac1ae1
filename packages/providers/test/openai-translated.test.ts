import type { BentooError, ModelRequest, StreamEvent } from "@bentoo/core";
import { type FakeUpstream, startFakeUpstream } from "@bentoo/test-kit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OpenAiAdapter } from "../src/openai/adapter.js";
import { chatCompletionsBody } from "../src/openai/translated-request.js";
import { OpenAiChatStreamTranslation } from "../src/openai/translated-stream.js";
import { UpstreamError } from "../src/upstream-error.js";
import { modelFor, providerAt, textRequest } from "./calls.js";
import { jsonAnswer, recordingAnswers, streamAnswer, translatedCall } from "./translated-calls.js";

const model = modelFor("fake", "gpt-test");
const provider = providerAt("http://127.0.0.1:1/v1");

function refusal(run: () => unknown): BentooError {
  try {
    run();
  } catch (error) {
    return error as BentooError;
  }
  throw new Error("expected a refusal");
}

describe("OpenAI-compatible translation: a request in Bentoo's terms → a Chat Completions body", () => {
  it("writes system, user parts, an assistant's tool calls and each tool result as a message of its own, in order", () => {
    const request = textRequest("", {
      messages: [
        { role: "system", parts: [{ type: "text", text: "Be brief." }] },
        {
          role: "user",
          parts: [
            { type: "text", text: "What is in this picture?" },
            { type: "image", source: { kind: "base64", mediaType: "image/png", data: "iVBORw0KGgo=" }, detail: "low" },
            { type: "file", source: { kind: "base64", mediaType: "application/pdf", data: "JVBERi0=" }, filename: "a.pdf" },
          ],
        },
        {
          role: "assistant",
          parts: [
            { type: "reasoning", text: "thinking…" },
            { type: "tool-call", id: "call_1", name: "lookup", arguments: '{"q":"x"}' },
            { type: "tool-call", id: "call_2", name: "lookup", arguments: '{"q":"y"}' },
          ],
        },
        {
          role: "user",
          parts: [
            { type: "tool-result", toolCallId: "call_1", content: [{ type: "text", text: "one" }] },
            { type: "tool-result", toolCallId: "call_2", content: [{ type: "text", text: "not found" }], isError: true },
            { type: "text", text: "Now answer." },
          ],
        },
      ],
    });
    expect(chatCompletionsBody(request, model, provider, "gpt-test").messages).toEqual([
      { role: "system", content: "Be brief." },
      {
        role: "user",
        content: [
          { type: "text", text: "What is in this picture?" },
          { type: "image_url", image_url: { url: "data:image/png;base64,iVBORw0KGgo=", detail: "low" } },
          { type: "file", file: { file_data: "data:application/pdf;base64,JVBERi0=", filename: "a.pdf" } },
        ],
      },
      {
        role: "assistant",
        content: null,
        tool_calls: [
          { id: "call_1", type: "function", function: { name: "lookup", arguments: '{"q":"x"}' } },
          { id: "call_2", type: "function", function: { name: "lookup", arguments: '{"q":"y"}' } },
        ],
      },
      { role: "tool", tool_call_id: "call_1", content: "one" },
      { role: "tool", tool_call_id: "call_2", content: "Error: not found" },
      { role: "user", content: "Now answer." },
    ]);
  });

  it("carries tools, tool choice, structured output, sampling, stop, the output limit in the provider's member, and asks streams for usage", () => {
    const request = textRequest("hi", {
      tools: [{ name: "lookup", description: "Looks up", parameters: { type: "object", properties: { q: { type: "string" } } }, strict: true }],
      toolChoice: { type: "tool", name: "lookup" },
      parallelToolCalls: false,
      output: { type: "json_schema", name: "answer", schema: { type: "object" }, strict: true },
      maxOutputTokens: 300,
      choices: 2,
      sampling: { temperature: 0.2, topP: 0.9, seed: 7 },
      stop: ["END"],
      reasoning: { budgetTokens: 10_000 },
      user: "user-1",
      stream: true,
    });
    const body = chatCompletionsBody(request, model, provider, "gpt-test");
    expect(body).toEqual({
      model: "gpt-test",
      messages: [{ role: "user", content: "hi" }],
      tools: [
        {
          type: "function",
          function: { name: "lookup", description: "Looks up", parameters: { type: "object", properties: { q: { type: "string" } } }, strict: true },
        },
      ],
      tool_choice: { type: "function", function: { name: "lookup" } },
      parallel_tool_calls: false,
      response_format: { type: "json_schema", json_schema: { name: "answer", schema: { type: "object" }, strict: true } },
      max_tokens: 300,
      n: 2,
      temperature: 0.2,
      top_p: 0.9,
      seed: 7,
      stop: ["END"],
      reasoning_effort: "medium",
      user: "user-1",
      stream: true,
      stream_options: { include_usage: true },
    });
    const reasoningProvider = { ...provider, outputLimitParam: "max_completion_tokens" as const };
    const limited = chatCompletionsBody(textRequest("hi", { maxOutputTokens: 50 }), model, reasoningProvider, "o-test");
    expect(limited).toMatchObject({ max_completion_tokens: 50 });
    expect(limited).not.toHaveProperty("max_tokens");
  });

  it("refuses by name what Chat Completions cannot carry: top_k, a file URL, an image in a tool result, an unsupported part or parameter", () => {
    const cases: Array<[ModelRequest, string]> = [
      [textRequest("hi", { sampling: { topK: 5 } }), "top_k"],
      [textRequest("hi", { unsupported: ["logprobs"] }), "logprobs"],
      [textRequest("", { messages: [{ role: "user", parts: [{ type: "file", source: { kind: "url", url: "https://example.com/a.pdf" } }] }] }), "messages"],
      [
        textRequest("", {
          messages: [
            {
              role: "user",
              parts: [
                {
                  type: "tool-result",
                  toolCallId: "c",
                  content: [{ type: "image", source: { kind: "url", url: "https://example.com/a.png" } }],
                },
              ],
            },
          ],
        }),
        "messages",
      ],
      [textRequest("", { messages: [{ role: "user", parts: [{ type: "unsupported", description: "a web search result" }] }] }), "messages"],
    ];
    for (const [request, param] of cases) {
      const error = refusal(() => chatCompletionsBody(request, model, provider, "gpt-test"));
      expect(error).toMatchObject({ code: "invalid_request", status: 400, param });
      expect(error.message).toContain(model.id);
    }
  });
});

/** Feeds an SSE text to the stream translation in chunks of `size` bytes; returns the events and how it ended. */
function translate(sse: string, size: number) {
  const call = translatedCall("gpt-test", textRequest("hi", { stream: true }), { wire: "anthropic-messages", providerId: "fake" });
  const translation = new OpenAiChatStreamTranslation(call, 1_700_000_000);
  const bytes = Buffer.from(sse);
  let text = "";
  for (let at = 0; at < bytes.length; at += size) text += translation.chunk(bytes.subarray(at, at + size)) ?? "";
  const end = translation.finish();
  text += end.tail ?? "";
  const lines = text.split("\n").filter((line) => line !== "");
  return { events: lines.filter((line) => line !== "END").map((line) => JSON.parse(line) as StreamEvent), ended: lines.at(-1) === "END", end };
}

const sse = (...chunks: unknown[]) => `${chunks.map((chunk) => `data: ${typeof chunk === "string" ? chunk : JSON.stringify(chunk)}\n\n`).join("")}`;
const chunk = (choices: unknown[], usage: unknown = null) => ({
  id: "chatcmpl-9",
  object: "chat.completion.chunk",
  created: 1,
  model: "gpt-test",
  choices,
  usage,
});

describe("OpenAI-compatible translation: a Chat Completions stream → StreamEvents", () => {
  const stream = sse(
    chunk([{ index: 0, delta: { role: "assistant", content: "" }, finish_reason: null }]),
    chunk([{ index: 0, delta: { reasoning_content: "Let me see. " }, finish_reason: null }]),
    chunk([{ index: 0, delta: { content: "Café " }, finish_reason: null }]),
    chunk([{ index: 0, delta: { tool_calls: [{ index: 0, id: "call_a", type: "function", function: { name: "lookup", arguments: "" } }] } }]),
    chunk([{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: '{"q":' } }] } }]),
    chunk([{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: '"x"}' } }] } }]),
    chunk([{ index: 0, delta: {}, finish_reason: "tool_calls" }]),
    chunk([], { prompt_tokens: 12, completion_tokens: 9, prompt_tokens_details: { cached_tokens: 4 }, completion_tokens_details: { reasoning_tokens: 3 } }),
    "[DONE]",
  );

  it("reasoning, text and a tool call streamed in fragments, the finish, and the provider's usage — split anywhere", () => {
    for (const size of [1, 3, 17, 100, stream.length]) {
      const { events, ended, end } = translate(stream, size);
      expect(events).toEqual([
        { type: "start", id: "chatcmpl-9", created: 1_700_000_000 },
        { type: "reasoning-delta", choice: 0, text: "Let me see. " },
        { type: "text-delta", choice: 0, text: "Café " },
        { type: "tool-call-start", choice: 0, index: 0, id: "call_a", name: "lookup" },
        { type: "tool-call-delta", choice: 0, index: 0, arguments: '{"q":' },
        { type: "tool-call-delta", choice: 0, index: 0, arguments: '"x"}' },
        { type: "tool-call-end", choice: 0, index: 0 },
        { type: "finish", choice: 0, reason: "tool_calls" },
        { type: "usage", usage: { inputTokens: 12, outputTokens: 9, cacheReadTokens: 4, cacheWriteTokens: 0, reasoningTokens: 3, estimated: false } },
      ]);
      expect(ended).toBe(true);
      expect(end).toMatchObject({ done: true, error: null, usage: { inputTokens: 12, outputTokens: 9 } });
    }
  });

  it("a stream cut before its usage is not done and is metered from what was delivered; an in-band error is reported", () => {
    const cut = translate(sse(chunk([{ index: 0, delta: { content: "one two three" }, finish_reason: null }])), 8);
    expect(cut.ended).toBe(false);
    expect(cut.end.done).toBe(false);
    expect(cut.end.usage.estimated).toBe(true);
    expect(cut.end.usage.outputTokens).toBeGreaterThan(0);
    const failed = translate(sse(chunk([{ index: 0, delta: { content: "a" } }]), { error: { message: "model overloaded", type: "server_error" } }), 50);
    expect(failed.end).toMatchObject({ done: false, error: "model overloaded" });
  });
});

describe("OpenAiAdapter serves a client of another API through the translation", () => {
  let upstream: FakeUpstream;
  let adapter: OpenAiAdapter;

  beforeAll(async () => {
    upstream = await startFakeUpstream();
    adapter = new OpenAiAdapter(providerAt(upstream.url), null, { now: () => 1_700_000_000_000 });
  });
  afterAll(async () => {
    await adapter.close();
    await upstream.close();
  });

  const call = (upstreamModel: string, request: ModelRequest) => translatedCall(upstreamModel, request, { wire: "anthropic-messages", providerId: "fake" });

  it("a JSON answer: the text and the provider's usage; the upstream got a Chat Completions body, not the client's", async () => {
    const answer = await adapter.send(call("gpt-test", textRequest("hello there")), { providerId: "fake", upstreamModel: "gpt-test" });
    const response = jsonAnswer(answer);
    expect(response.choices[0]).toMatchObject({ text: "Fake answer to: hello there", finishReason: "stop", toolCalls: [] });
    expect(response.usage).toMatchObject({ inputTokens: 5, outputTokens: 5, estimated: false });
    expect(upstream.requests.at(-1)!.body).toEqual({ model: "gpt-test", messages: [{ role: "user", content: "hello there" }] });
  });

  it("a streamed tool call arrives as start, arguments and end, and the stream's usage is the provider's", async () => {
    const request = textRequest("call it", { stream: true, tools: [{ name: "lookup", parameters: { type: "object" } }] });
    const { events, ended, outcome } = await streamAnswer(await adapter.send(call("fake-tools", request), { providerId: "fake", upstreamModel: "fake-tools" }));
    expect(events.filter((event) => event.type.startsWith("tool-call")).map((event) => event.type)).toEqual([
      "tool-call-start",
      "tool-call-delta",
      "tool-call-end",
    ]);
    expect(events).toContainEqual({ type: "finish", choice: 0, reason: "tool_calls" });
    expect(ended).toBe(true);
    expect(outcome).toMatchObject({ completed: true, failure: null, usage: { estimated: false } });
    expect(upstream.requests.at(-1)!.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
  });

  it("no usage reported: Bentoo counts the prompt and the answer and marks them estimated", async () => {
    const response = jsonAnswer(await adapter.send(call("fake-no-usage", textRequest("count me")), { providerId: "fake", upstreamModel: "fake-no-usage" }));
    expect(response.usage.estimated).toBe(true);
    expect(response.usage.inputTokens).toBeGreaterThan(0);
    expect(response.usage.outputTokens).toBeGreaterThan(0);
  });

  it("a cut stream is a failure reported in the outcome, metered from what was delivered", async () => {
    const { ended, outcome } = await streamAnswer(
      await adapter.send(call("fake-drop-stream", textRequest("drop", { stream: true })), { providerId: "fake", upstreamModel: "fake-drop-stream" }),
    );
    expect(ended).toBe(false);
    expect(outcome.failure?.code).toBe("upstream_error");
    expect(outcome.usage.estimated).toBe(true);
  });

  it("an upstream 429 is a transient UpstreamError with its Retry-After, as on the passthrough", async () => {
    const error = await adapter
      .send(call("fake-error-429", textRequest("hi")), { providerId: "fake", upstreamModel: "fake-error-429" })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UpstreamError);
    expect(error).toMatchObject({ status: 503, transient: true, retryAfterMs: 1000 });
  });

  it("writes with the client API's writer: the same answer through another writer is that API's", async () => {
    const recorded = translatedCall("gpt-test", textRequest("writer"), { wire: "anthropic-messages", providerId: "fake" });
    recorded.client.answers = { ...recordingAnswers, json: (response) => `custom:${response.choices[0]!.text}` };
    const answer = await adapter.send(recorded, { providerId: "fake", upstreamModel: "gpt-test" });
    expect(answer.kind === "json" && String(answer.body())).toBe("custom:Fake answer to: writer");
  });
});
