import { BentooError, type ModelRequest } from "@bentoo/core";
import { describe, expect, it } from "vitest";
import { anthropicRequest, DEFAULT_MAX_TOKENS, thinkingBudget } from "../src/anthropic/request.js";
import { modelFor, textRequest } from "./calls.js";

const model = { ...modelFor("claude", "claude-sonnet-4-5", "anthropic/claude-sonnet"), maxOutputTokens: 64_000 };
const PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";

/** A request with every part Bentoo's terms have: system prompts with a cache hint, media, tool calls and results, reasoning. */
const rich: ModelRequest = {
  messages: [
    { role: "system", parts: [{ type: "text", text: "You are terse.", cache: { type: "ephemeral" } }] },
    {
      role: "user",
      name: "ada",
      parts: [
        { type: "text", text: "What is in this picture, and the weather in Paris?" },
        { type: "image", source: { kind: "base64", mediaType: "image/png", data: PNG }, detail: "low" },
        { type: "image", source: { kind: "url", url: "https://example.com/cat.jpg" } },
        {
          type: "file",
          source: { kind: "base64", mediaType: "application/pdf", data: "JVBERi0xLjQK" },
          filename: "report.pdf",
          cache: { type: "ephemeral", ttl: "1h" },
        },
      ],
    },
    { role: "user", parts: [{ type: "text", text: "Be quick." }] },
    {
      role: "assistant",
      parts: [
        { type: "reasoning", text: "Need the weather tool.", signature: "sig-1" },
        { type: "text", text: "" },
        { type: "tool-call", id: "toolu_1", name: "get_weather", arguments: '{"city":"Paris"}' },
        { type: "tool-call", id: "toolu_2", name: "get_time", arguments: "" },
      ],
    },
    { role: "tool", parts: [{ type: "tool-result", toolCallId: "toolu_1", content: [{ type: "text", text: "18°C" }] }] },
    { role: "tool", parts: [{ type: "tool-result", toolCallId: "toolu_2", content: [], isError: true }] },
    { role: "system", parts: [{ type: "text", text: "Answer in French." }] },
  ],
  tools: [
    { name: "get_weather", description: "Weather by city", parameters: { type: "object", properties: { city: { type: "string" } } }, strict: true },
    { name: "get_time" },
  ],
  toolChoice: { type: "required" },
  output: { type: "json_schema", name: "answer", schema: { type: "object", properties: { text: { type: "string" } }, additionalProperties: false } },
  maxOutputTokens: 2000,
  choices: 1,
  sampling: { temperature: 0.3, topP: 0.9, topK: 40, presencePenalty: 0 },
  stop: ["END"],
  reasoning: { effort: "medium" },
  parallelToolCalls: false,
  user: "user-42",
  metadata: { campaign: "spring" },
  stream: true,
  unsupported: [],
};

function refusal(request: ModelRequest): BentooError {
  try {
    anthropicRequest(request, model, "claude-sonnet-4-5");
  } catch (error) {
    if (error instanceof BentooError) return error;
    throw error;
  }
  throw new Error("expected a 400");
}

describe("Anthropic request translation", () => {
  it("writes the Messages API body for a rich request (snapshot of the outgoing request)", () => {
    expect(anthropicRequest(rich, model, "claude-sonnet-4-5")).toEqual({
      model: "claude-sonnet-4-5",
      max_tokens: 2000,
      system: [
        { type: "text", text: "You are terse.", cache_control: { type: "ephemeral" } },
        { type: "text", text: "Answer in French." },
      ],
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "What is in this picture, and the weather in Paris?" },
            { type: "image", source: { type: "base64", media_type: "image/png", data: PNG } },
            { type: "image", source: { type: "url", url: "https://example.com/cat.jpg" } },
            {
              type: "document",
              source: { type: "base64", media_type: "application/pdf", data: "JVBERi0xLjQK" },
              title: "report.pdf",
              cache_control: { type: "ephemeral", ttl: "1h" },
            },
            { type: "text", text: "Be quick." },
          ],
        },
        {
          role: "assistant",
          content: [
            { type: "thinking", thinking: "Need the weather tool.", signature: "sig-1" },
            { type: "tool_use", id: "toolu_1", name: "get_weather", input: { city: "Paris" } },
            { type: "tool_use", id: "toolu_2", name: "get_time", input: {} },
          ],
        },
        {
          role: "user",
          content: [
            { type: "tool_result", tool_use_id: "toolu_1", content: [{ type: "text", text: "18°C" }] },
            { type: "tool_result", tool_use_id: "toolu_2", is_error: true },
          ],
        },
      ],
      tools: [
        { name: "get_weather", description: "Weather by city", input_schema: { type: "object", properties: { city: { type: "string" } } }, strict: true },
        { name: "get_time", input_schema: { type: "object", properties: {} } },
      ],
      tool_choice: { type: "any", disable_parallel_tool_use: true },
      thinking: { type: "enabled", budget_tokens: 1024 },
      output_config: { format: { type: "json_schema", schema: { type: "object", properties: { text: { type: "string" } }, additionalProperties: false } } },
      stop_sequences: ["END"],
      temperature: 0.3,
      top_p: 0.9,
      top_k: 40,
      metadata: { user_id: "user-42" },
      stream: true,
    });
  });

  it("sends one system string without cache hints, and only what the request sets", () => {
    const request = textRequest("Hi", {
      messages: [
        {
          role: "system",
          parts: [
            { type: "text", text: "A" },
            { type: "text", text: "B" },
          ],
        },
        ...textRequest("Hi").messages,
      ],
    });
    expect(anthropicRequest(request, model, "m")).toEqual({
      model: "m",
      max_tokens: 64_000,
      system: "A\n\nB",
      messages: [{ role: "user", content: [{ type: "text", text: "Hi" }] }],
    });
  });

  it("takes max_tokens from the request, else the catalog's output cap, else the default", () => {
    expect(anthropicRequest(textRequest("x", { maxOutputTokens: 77 }), model, "m").max_tokens).toBe(77);
    expect(anthropicRequest(textRequest("x"), model, "m").max_tokens).toBe(64_000);
    expect(anthropicRequest(textRequest("x"), { ...model, maxOutputTokens: null }, "m").max_tokens).toBe(DEFAULT_MAX_TOKENS);
  });

  it("maps tool choices: auto, none, a named tool; parallel_tool_calls false alone sets auto with one call", () => {
    const tools = [{ name: "f" }];
    const choiceOf = (overrides: Partial<ModelRequest>) => anthropicRequest(textRequest("x", { tools, ...overrides }), model, "m").tool_choice;
    expect(choiceOf({ toolChoice: { type: "auto" } })).toEqual({ type: "auto" });
    expect(choiceOf({ toolChoice: { type: "none" } })).toEqual({ type: "none" });
    expect(choiceOf({ toolChoice: { type: "tool", name: "f" } })).toEqual({ type: "tool", name: "f" });
    expect(choiceOf({ toolChoice: null })).toBeUndefined();
    expect(choiceOf({ toolChoice: null, parallelToolCalls: false })).toEqual({ type: "auto", disable_parallel_tool_use: true });
  });

  it("gives thinking a share of max_tokens per effort, within [1024, 32000], and keeps a budget the client gave", () => {
    const budget = (effort: "minimal" | "low" | "medium" | "high", max: number) => thinkingBudget(textRequest("x", { reasoning: { effort } }), max);
    expect([budget("minimal", 10_000), budget("low", 10_000), budget("medium", 10_000), budget("high", 10_000)]).toEqual([1024, 2000, 5000, 8000]);
    expect(budget("high", 64_000)).toBe(32_000);
    expect(budget("low", 2000)).toBe(1024);
    expect(thinkingBudget(textRequest("x", { reasoning: { budgetTokens: 5000 } }), 8000)).toBe(5000);
    expect(thinkingBudget(textRequest("x"), 8000)).toBeNull();
  });

  it("asks Claude 4.6 and later for adaptive thinking with an effort, and older models for a budget", () => {
    const thinkingOf = (upstream: string, reasoning: ModelRequest["reasoning"], overrides: Partial<ModelRequest> = {}) => {
      const body = anthropicRequest(textRequest("x", { reasoning, maxOutputTokens: 8000, ...overrides }), model, upstream);
      return { thinking: body.thinking, output_config: body.output_config };
    };
    for (const upstream of ["claude-opus-4-6", "claude-sonnet-4-6", "claude-opus-4-7", "claude-opus-5", "claude-fable-5-2", "claude-haiku-5-5"]) {
      expect(thinkingOf(upstream, { effort: "medium" })).toEqual({ thinking: { type: "adaptive" }, output_config: { effort: "medium" } });
      expect(thinkingOf(upstream, { effort: "minimal" }).output_config).toEqual({ effort: "low" });
      expect(thinkingOf(upstream, { budgetTokens: 20_000 }).output_config).toEqual({ effort: "high" });
      expect(thinkingOf(upstream, null)).toEqual({ thinking: undefined, output_config: undefined });
    }
    // A small output limit is no refusal: adaptive thinking has no budget to fit.
    expect(thinkingOf("claude-opus-4-7", { effort: "low" }, { maxOutputTokens: 500 }).thinking).toEqual({ type: "adaptive" });
    const schema = { type: "object" };
    expect(thinkingOf("claude-opus-4-7", { effort: "high" }, { output: { type: "json_schema", name: "a", schema } }).output_config).toEqual({
      effort: "high",
      format: { type: "json_schema", schema },
    });
    for (const upstream of [
      "claude-sonnet-4-5",
      "claude-sonnet-4-20250514",
      "claude-opus-4-1-20250805",
      "claude-haiku-4-5-20251001",
      "claude-3-7-sonnet-20250219",
    ])
      expect(thinkingOf(upstream, { effort: "medium" }).thinking).toEqual({ type: "enabled", budget_tokens: 4000 });
  });

  it.each<[string, Partial<ModelRequest>, string, RegExp]>([
    ["n > 1", { choices: 2 }, "n", /n must be 1/],
    ["an unsupported parameter", { unsupported: ["logprobs"] }, "logprobs", /logprobs is not supported/],
    ["json_object", { output: { type: "json_object" } }, "response_format", /json_schema/],
    ["a presence penalty", { sampling: { presencePenalty: 0.5 } }, "presence_penalty", /presence_penalty/],
    ["a frequency penalty", { sampling: { frequencyPenalty: -1 } }, "frequency_penalty", /frequency_penalty/],
    ["a seed", { sampling: { seed: 7 } }, "seed", /seed/],
    ["a forced tool without tools", { toolChoice: { type: "required" } }, "tool_choice", /no tools/],
    ["thinking that does not fit max_tokens", { reasoning: { effort: "low" }, maxOutputTokens: 1024 }, "reasoning_effort", /above 1024/],
  ])("refuses %s with a 400 naming it", (_name, overrides, param, message) => {
    const error = refusal(textRequest("x", overrides));
    expect([error.code, error.status, error.param]).toEqual(["invalid_request", 400, param]);
    expect(error.message).toMatch(message);
  });

  it.each<[string, ModelRequest["messages"], string, RegExp]>([
    ["audio", [{ role: "user", parts: [{ type: "audio", data: "AAAA", format: "wav" }] }], "messages[0].content", /audio/],
    [
      "a spreadsheet",
      [{ role: "user", parts: [{ type: "file", source: { kind: "base64", mediaType: "text/csv", data: "YSxi" } }] }],
      "messages[0].content",
      /text\/csv/,
    ],
    [
      "an unsupported part",
      [{ role: "user", parts: [{ type: "unsupported", description: 'a content part of type "video"' }] }],
      "messages[0].content",
      /video/,
    ],
    [
      "an image in a system message",
      [{ role: "system", parts: [{ type: "image", source: { kind: "url", url: "https://x/y.png" } }] }],
      "messages[0].content",
      /system/,
    ],
    [
      "tool arguments that are not a JSON object",
      [{ role: "assistant", parts: [{ type: "tool-call", id: "t", name: "f", arguments: "[1" }] }],
      "messages[0].tool_calls",
      /not a JSON object/,
    ],
  ])("refuses a message with %s, naming the message", (_name, messages, param, message) => {
    const error = refusal(textRequest("x", { messages }));
    expect([error.code, error.param]).toEqual(["invalid_request", param]);
    expect(error.message).toMatch(message);
  });

  it("reads a plain-text file into a text document", () => {
    const request = textRequest("x", {
      messages: [
        { role: "user", parts: [{ type: "file", source: { kind: "base64", mediaType: "text/plain", data: Buffer.from("héllo").toString("base64") } }] },
      ],
    });
    expect(anthropicRequest(request, model, "m").messages[0]!.content).toEqual([
      { type: "document", source: { type: "text", media_type: "text/plain", data: "héllo" } },
    ]);
  });
});
