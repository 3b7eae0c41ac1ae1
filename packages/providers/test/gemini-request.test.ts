import { readFileSync } from "node:fs";
import type { ModelRequest } from "@bentoo/core";
import { type FakeGemini, startFakeGemini } from "@bentoo/test-kit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GeminiAdapter } from "../src/gemini/adapter.js";
import { UNKNOWN_SIGNATURE } from "../src/gemini/contents.js";
import { toGeminiRequest } from "../src/gemini/request.js";
import { newToolCallId, signatureOf } from "../src/gemini/tool-call-id.js";
import { UpstreamError } from "../src/upstream-error.js";
import { textRequest } from "./calls.js";
import { providerOfType, translatedCall } from "./translated-calls.js";

const fixture = (name: string): unknown => JSON.parse(readFileSync(new URL(`fixtures/gemini/${name}`, import.meta.url), "utf8"));

/** A signature as Gemini issues them: base64 with `+`, `/` and padding. */
const SIGNATURE = "c2lnbmF0dXJl+/8=";
const PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";

/** Every kind of part and parameter the translation carries. */
function richRequest(): ModelRequest {
  const signedCall = newToolCallId(SIGNATURE);
  return textRequest("", {
    messages: [
      { role: "system", parts: [{ type: "text", text: "You are terse." }] },
      {
        role: "user",
        parts: [
          { type: "text", text: "Describe these." },
          { type: "image", source: { kind: "base64", mediaType: "image/png", data: PNG }, detail: "high" },
          { type: "image", source: { kind: "url", url: "https://example.com/cat.JPG" } },
          { type: "file", source: { kind: "base64", mediaType: "application/pdf", data: "JVBERi0xLjQK" }, filename: "report.pdf" },
          { type: "audio", data: "UklGRg==", format: "wav" },
        ],
      },
      {
        role: "assistant",
        parts: [
          { type: "reasoning", text: "The user wants a description." },
          { type: "text", text: "Let me look it up." },
          { type: "tool-call", id: signedCall, name: "lookup", arguments: '{"q":"cats"}' },
          { type: "tool-call", id: "call_other", name: "weather", arguments: "" },
        ],
      },
      { role: "tool", parts: [{ type: "tool-result", toolCallId: signedCall, content: [{ type: "text", text: "found 3" }] }] },
      { role: "tool", parts: [{ type: "tool-result", toolCallId: "call_other", content: [{ type: "text", text: "no station" }], isError: true }] },
      { role: "system", parts: [{ type: "text", text: "Answer in French." }] },
      { role: "user", parts: [{ type: "text", text: "Thanks! And dogs?" }] },
      { role: "assistant", parts: [{ type: "tool-call", id: "call_from_elsewhere", name: "lookup", arguments: '{"q":"dogs"}' }] },
      { role: "tool", parts: [{ type: "tool-result", toolCallId: "call_from_elsewhere", content: [{ type: "text", text: "none" }] }] },
    ],
    tools: [
      {
        name: "lookup",
        description: "Search the catalogue.",
        parameters: { type: "object", properties: { q: { type: "string" } }, required: ["q"], additionalProperties: false },
        strict: true,
      },
      { name: "weather" },
    ],
    toolChoice: { type: "tool", name: "lookup" },
    output: { type: "json_schema", name: "answer", schema: { type: "object", properties: { summary: { type: "string" } }, required: ["summary"] } },
    maxOutputTokens: 500,
    choices: 2,
    sampling: { temperature: 0.5, topP: 0.9, topK: 40, seed: 7, presencePenalty: 0.1, frequencyPenalty: 0.2 },
    stop: ["END"],
    reasoning: { effort: "high" },
    parallelToolCalls: true,
    user: "end-user-1",
    metadata: { team: "a" },
  });
}

function refusal(run: () => unknown): UpstreamError {
  try {
    run();
  } catch (error) {
    if (error instanceof UpstreamError) return error;
    throw error;
  }
  throw new Error("expected the translation to refuse the request");
}

describe("Gemini translation: ModelRequest → GenerateContentRequest", () => {
  it("writes every part and parameter as the reference names them (fixture request-rich.json)", () => {
    expect(toGeminiRequest(richRequest(), "gemini-3-pro-preview")).toEqual(fixture("request-rich.json"));
  });

  it("on Gemini 2.x: an effort becomes a thinking budget, and calls without a signature go without one", () => {
    const sent = toGeminiRequest(richRequest(), "gemini-2.5-flash");
    expect(sent.generationConfig?.thinkingConfig).toEqual({ includeThoughts: true, thinkingBudget: 24576 });
    const lastModelTurn = sent.contents.filter((content) => content.role === "model").at(-1)!;
    expect(lastModelTurn.parts[0]!.thoughtSignature).toBeUndefined();
    for (const [effort, budget] of [
      ["minimal", 1024],
      ["low", 1024],
      ["medium", 8192],
    ] as const) {
      const request = textRequest("hi", { reasoning: { effort } });
      expect(toGeminiRequest(request, "models/gemini-2.0-flash").generationConfig?.thinkingConfig).toEqual({ includeThoughts: true, thinkingBudget: budget });
    }
    const budgeted = textRequest("hi", { reasoning: { budgetTokens: 2048 } });
    expect(toGeminiRequest(budgeted, "gemini-3-flash").generationConfig?.thinkingConfig).toEqual({ includeThoughts: true, thinkingBudget: 2048 });
  });

  it("keeps a thought signature through the tool-call id, whatever characters it has", () => {
    const id = newToolCallId(SIGNATURE);
    expect(id).toMatch(/^call_[0-9a-f]{24}__ts_[A-Za-z0-9_-]+$/);
    expect(signatureOf(id)).toBe(SIGNATURE);
    expect(signatureOf(newToolCallId(null))).toBeNull();
    expect(signatureOf("call_abc")).toBeNull();
    expect(UNKNOWN_SIGNATURE).toBe("skip_thought_signature_validator");
  });

  it("maps tool choice: auto, none, required, a named tool, strict tools checked", () => {
    const tools = [{ name: "f", parameters: { type: "object" } }];
    const config = (overrides: Partial<ModelRequest>) => toGeminiRequest(textRequest("hi", { tools, ...overrides }), "gemini-3-flash").toolConfig;
    expect(config({})).toBeUndefined();
    expect(config({ toolChoice: { type: "auto" } })).toEqual({ functionCallingConfig: { mode: "AUTO" } });
    expect(config({ toolChoice: { type: "none" } })).toEqual({ functionCallingConfig: { mode: "NONE" } });
    expect(config({ toolChoice: { type: "required" } })).toEqual({ functionCallingConfig: { mode: "ANY" } });
    expect(config({ toolChoice: { type: "tool", name: "f" } })).toEqual({ functionCallingConfig: { mode: "ANY", allowedFunctionNames: ["f"] } });
    expect(config({ tools: [{ ...tools[0]!, strict: true }] })).toEqual({ functionCallingConfig: { mode: "VALIDATED" } });
    // Without tools there is nothing to configure.
    expect(toGeminiRequest(textRequest("hi", { toolChoice: { type: "none" } }), "gemini-3-flash").toolConfig).toBeUndefined();
  });

  it("json_object asks for JSON without a schema; plain text asks for nothing", () => {
    expect(toGeminiRequest(textRequest("hi", { output: { type: "json_object" } }), "gemini-3-flash").generationConfig).toEqual({
      responseMimeType: "application/json",
    });
    expect(toGeminiRequest(textRequest("hi"), "gemini-3-flash")).toEqual({ contents: [{ role: "user", parts: [{ text: "hi" }] }] });
  });

  it("refuses what Gemini cannot take, naming it, retryable so another route may serve it", () => {
    const cases: Array<[Partial<ModelRequest>, string | null, RegExp]> = [
      [{ unsupported: ["logprobs"] }, "logprobs", /logprobs is not supported/],
      [{ choices: 9 }, "n", /at most 8/],
      [{ stop: ["a", "b", "c", "d", "e", "f"] }, "stop", /at most 5/],
      [{ tools: [{ name: "f" }], parallelToolCalls: false }, "parallel_tool_calls", /parallel_tool_calls/],
      [{ tools: [{ name: "f" }], toolChoice: { type: "tool", name: "g" } }, "tool_choice", /"g"/],
      [{ messages: [{ role: "system", parts: [{ type: "text", text: "only a system prompt" }] }] }, "messages", /only system instructions/],
      [
        { messages: [{ role: "user", parts: [{ type: "image", source: { kind: "url", url: "http://example.com/a.png" } }] }] },
        null,
        /message 1 \(user\).*"http:".*https:\/\/ and gs:\/\//,
      ],
      [{ messages: [{ role: "user", parts: [{ type: "unsupported", description: 'a content part of type "video"' }] }] }, null, /message 1 \(user\).*"video"/],
      [{ messages: [{ role: "system", parts: [{ type: "image", source: { kind: "base64", mediaType: "image/png", data: PNG } }] }] }, null, /text only/],
      [
        { messages: [{ role: "assistant", parts: [{ type: "tool-call", id: "c1", name: "f", arguments: "[1]" }] }] },
        null,
        /message 1 \(assistant\).*not a JSON object/,
      ],
      [
        { messages: [{ role: "tool", parts: [{ type: "tool-result", toolCallId: "nowhere", content: [{ type: "text", text: "x" }] }] }] },
        null,
        /message 1 \(tool\).*"nowhere"/,
      ],
    ];
    for (const [overrides, param, message] of cases) {
      const error = refusal(() => toGeminiRequest(textRequest("hi", overrides), "gemini-3-flash"));
      expect(error, message.source).toMatchObject({ code: "invalid_request", status: 400, param, retryable: true });
      expect(error.message).toMatch(message);
    }
  });

  it("answers a tool result of the legacy `function` role by the function's own name", () => {
    const request = textRequest("hi", {
      tools: [{ name: "clock" }],
      messages: [
        { role: "user", parts: [{ type: "text", text: "time?" }] },
        { role: "tool", parts: [{ type: "tool-result", toolCallId: "clock", content: [{ type: "text", text: "noon" }] }] },
      ],
    });
    expect(toGeminiRequest(request, "gemini-2.5-flash").contents[0]!.parts[1]).toEqual({ functionResponse: { name: "clock", response: { output: "noon" } } });
  });
});

describe("Gemini adapter: where and how the request goes", () => {
  let upstream: FakeGemini;
  let adapter: GeminiAdapter;

  beforeAll(async () => {
    upstream = await startFakeGemini({ apiKey: "AIza-test-key" });
    adapter = new GeminiAdapter(providerOfType("gemini", upstream.url), "AIza-test-key");
  });
  afterAll(async () => {
    await adapter?.close();
    await upstream?.close();
  });

  it("posts to models/{model}:generateContent with the key in x-goog-api-key, and streams with alt=sse", async () => {
    await adapter.send(translatedCall("gemini-2.5-flash", textRequest("hi")), { providerId: "gemini", upstreamModel: "gemini-2.5-flash" });
    const sent = upstream.requests.at(-1)!;
    expect(sent.path).toBe("/v1beta/models/gemini-2.5-flash:generateContent");
    expect(sent.headers["x-goog-api-key"]).toBe("AIza-test-key");
    expect(sent.headers.authorization).toBeUndefined();
    expect(sent.body).toEqual({ contents: [{ role: "user", parts: [{ text: "hi" }] }] });
    const answer = await adapter.send(translatedCall("gemini-2.5-flash", textRequest("hi", { stream: true })), {
      providerId: "gemini",
      upstreamModel: "models/gemini-2.5-flash",
    });
    expect(upstream.requests.at(-1)!.path).toBe("/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse");
    expect(upstream.requests.at(-1)!.headers.accept).toBe("text/event-stream");
    if (answer.kind === "stream") await answer.pipeTo(new (await import("node:stream")).PassThrough().resume());
  });

  it("sends a tuned model's own resource path, and nothing when the request is refused", async () => {
    const before = upstream.requests.length;
    await expect(
      adapter.send(translatedCall("x", textRequest("hi", { unsupported: ["logit_bias"] })), { providerId: "gemini", upstreamModel: "x" }),
    ).rejects.toMatchObject({ code: "invalid_request", param: "logit_bias" });
    expect(upstream.requests).toHaveLength(before);
    // The fake serves base models only: its 404 is an unknown upstream model, retryable.
    await expect(
      adapter.send(translatedCall("tunedModels/my-model", textRequest("hi")), { providerId: "gemini", upstreamModel: "tunedModels/my-model" }),
    ).rejects.toMatchObject({ code: "upstream_error", retryable: true });
    expect(upstream.requests.at(-1)!.path).toBe("/v1beta/tunedModels/my-model:generateContent");
  });
});
