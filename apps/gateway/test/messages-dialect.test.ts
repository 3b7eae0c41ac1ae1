import { BentooError, ERROR_CATALOGUE, type ErrorCode, type StreamEvent } from "@bentoo/core";
import { describe, expect, it } from "vitest";
import { anthropicErrorBody, anthropicErrorType } from "../src/dialects/anthropic-messages/errors.js";
import { parseCountTokensRequest, parseMessagesRequest } from "../src/dialects/anthropic-messages/parse-request.js";
import { writeMessage } from "../src/dialects/anthropic-messages/write-answer.js";
import { MessagesStreamWriter } from "../src/dialects/anthropic-messages/write-stream.js";

const context = { model: "vendor/model", usageExtras: () => ({ cost: 1 }), streamUsage: true };

function refusal(body: unknown): BentooError {
  try {
    parseMessagesRequest(body);
  } catch (error) {
    if (error instanceof BentooError) return error;
    throw error;
  }
  throw new Error("expected a refusal");
}

describe("Messages dialect: requests in Bentoo's terms", () => {
  it("maps system blocks, turns, tool use and results, thinking, documents and options", () => {
    const parsed = parseMessagesRequest({
      model: "vendor/model",
      max_tokens: 4096,
      stream: true,
      system: [{ type: "text", text: "Rules.", cache_control: { type: "ephemeral", ttl: "1h" } }],
      messages: [
        { role: "user", content: [{ type: "document", title: "notes.txt", source: { type: "text", media_type: "text/plain", data: "héllo" } }] },
        {
          role: "assistant",
          content: [
            { type: "thinking", thinking: "Hmm.", signature: "sig" },
            { type: "tool_use", id: "toolu_1", name: "lookup", input: { q: "x" } },
          ],
        },
        {
          role: "user",
          content: [
            { type: "tool_result", tool_use_id: "toolu_1", content: [{ type: "text", text: "found" }], is_error: true },
            { type: "text", text: "And?" },
          ],
        },
      ],
      tools: [
        { name: "lookup", input_schema: { type: "object" }, cache_control: { type: "ephemeral" } },
        { type: "web_search_20250305", name: "web_search" },
      ],
      tool_choice: { type: "any", disable_parallel_tool_use: true },
      thinking: { type: "enabled", budget_tokens: 2048 },
      stop_sequences: ["STOP"],
      temperature: 0.5,
      top_k: 40,
      metadata: { user_id: "u-1" },
      container: "container_1",
    });
    expect(parsed).toMatchObject({ model: "vendor/model", stream: true, rewritten: false });
    const { request } = parsed;
    expect(request.messages).toEqual([
      { role: "system", parts: [{ type: "text", text: "Rules.", cache: { type: "ephemeral", ttl: "1h" } }] },
      {
        role: "user",
        parts: [{ type: "file", source: { kind: "base64", mediaType: "text/plain", data: Buffer.from("héllo").toString("base64") }, filename: "notes.txt" }],
      },
      {
        role: "assistant",
        parts: [
          { type: "reasoning", text: "Hmm.", signature: "sig" },
          { type: "tool-call", id: "toolu_1", name: "lookup", arguments: '{"q":"x"}' },
        ],
      },
      { role: "tool", parts: [{ type: "tool-result", toolCallId: "toolu_1", content: [{ type: "text", text: "found" }], isError: true }] },
      { role: "user", parts: [{ type: "text", text: "And?" }] },
    ]);
    expect(request.tools).toEqual([{ name: "lookup", parameters: { type: "object" }, cache: { type: "ephemeral" } }]);
    expect(request).toMatchObject({
      toolChoice: { type: "required" },
      parallelToolCalls: false,
      maxOutputTokens: 4096,
      choices: 1,
      reasoning: { budgetTokens: 2048 },
      stop: ["STOP"],
      sampling: { temperature: 0.5, topK: 40 },
      user: "u-1",
      stream: true,
      unsupported: ["container", "tools[1] (Anthropic's web_search_20250305 tool)"],
    });
  });

  it("keeps blocks it cannot map visible as unsupported parts, and takes adaptive thinking as reasoning of the provider's choosing", () => {
    const { request } = parseMessagesRequest({
      model: "m",
      max_tokens: 10,
      thinking: { type: "adaptive" },
      messages: [{ role: "user", content: [{ type: "search_result", source: "x", title: "t", content: [] }] }],
    });
    expect(request.reasoning).toEqual({});
    expect(request.messages[0]!.parts).toEqual([{ type: "unsupported", description: "a search_result block (messages[0].content[0])" }]);
  });

  it("refuses what Anthropic refuses, with a message naming the field", () => {
    const base = { model: "m", max_tokens: 10, messages: [{ role: "user", content: "x" }] };
    expect(refusal({ ...base, max_tokens: undefined }).message).toContain("max_tokens is required");
    expect(refusal({ ...base, max_tokens: 0 }).param).toBe("max_tokens");
    expect(refusal({ ...base, messages: [] }).param).toBe("messages");
    expect(refusal({ ...base, messages: [{ role: "user", content: 5 }] }).param).toBe("messages[0].content");
    expect(refusal({ ...base, messages: [{ role: "user", content: [{ type: "tool_use", id: "a", name: "b", input: {} }] }] }).message).toContain(
      "only an assistant message may hold",
    );
    expect(refusal({ ...base, system: [{ type: "image" }] }).param).toBe("system[0]");
    expect(refusal({ ...base, tools: [{ name: "t" }] }).param).toBe("tools[0].input_schema");
    expect(refusal({ ...base, tool_choice: { type: "tool" } }).param).toBe("tool_choice.name");
    expect(refusal({ ...base, thinking: { type: "enabled", budget_tokens: 100 } }).param).toBe("thinking.budget_tokens");
    expect(refusal({ ...base, stop_sequences: "STOP" }).param).toBe("stop_sequences");
    expect(refusal({ ...base, top_k: 1.5 }).param).toBe("top_k");
    expect(refusal({ ...base, metadata: { user_id: 7 } }).param).toBe("metadata.user_id");
  });

  it("parses a token count's request without max_tokens", () => {
    const counted = parseCountTokensRequest({ model: "m", messages: [{ role: "user", content: "x" }], tools: [{ name: "t", input_schema: {} }] });
    expect(counted.model).toBe("m");
    expect(counted.request.maxOutputTokens).toBeNull();
    expect(counted.request.tools).toHaveLength(1);
  });
});

describe("Messages dialect: answers in Anthropic's shapes", () => {
  it("writes a Message: thinking, text and tool_use blocks, Anthropic's usage without the cache tokens in input_tokens, no cost member", () => {
    const body = JSON.parse(
      writeMessage(
        {
          id: "chatcmpl-abc",
          created: 0,
          choices: [
            {
              index: 0,
              text: "Hi",
              reasoning: "Thought.",
              refusal: null,
              toolCalls: [{ id: "call_1", name: "f", arguments: '{"a":1}' }],
              finishReason: "tool_calls",
            },
          ],
          usage: { inputTokens: 1200, outputTokens: 30, cacheReadTokens: 1000, cacheWriteTokens: 150, reasoningTokens: 10, estimated: false },
        },
        context,
      ),
    );
    expect(body).toEqual({
      id: "msg_abc",
      type: "message",
      role: "assistant",
      model: "vendor/model",
      content: [
        { type: "thinking", thinking: "Thought.", signature: "" },
        { type: "text", text: "Hi" },
        { type: "tool_use", id: "call_1", name: "f", input: { a: 1 } },
      ],
      stop_reason: "tool_use",
      stop_sequence: null,
      usage: {
        input_tokens: 50,
        cache_creation_input_tokens: 150,
        cache_read_input_tokens: 1000,
        output_tokens: 30,
        output_tokens_details: { thinking_tokens: 10 },
      },
    });
  });

  it("writes Anthropic's event stream: one block open at a time, event lines, usage and stop reason in message_delta", () => {
    const writer = new MessagesStreamWriter(context);
    const events: StreamEvent[] = [
      { type: "start", id: "msg_1", created: 0 },
      { type: "reasoning-delta", choice: 0, text: "Hm" },
      { type: "text-delta", choice: 0, text: "A" },
      { type: "text-delta", choice: 0, text: "B" },
      { type: "tool-call-start", choice: 0, index: 0, id: "call_1", name: "f" },
      { type: "tool-call-delta", choice: 0, index: 0, arguments: '{"a":' },
      { type: "tool-call-delta", choice: 0, index: 0, arguments: "1}" },
      { type: "tool-call-end", choice: 0, index: 0 },
      { type: "text-delta", choice: 1, text: "another answer: never shown" },
      { type: "finish", choice: 0, reason: "stop", stopSequence: "END" },
      { type: "usage", usage: { inputTokens: 10, outputTokens: 5, cacheReadTokens: 4, cacheWriteTokens: 0, reasoningTokens: 0, estimated: false } },
    ];
    const text = events.map((event) => writer.event(event)).join("") + writer.end();
    const parsed = text
      .trim()
      .split("\n\n")
      .map((block) => {
        const [eventLine, dataLine] = block.split("\n");
        const data = JSON.parse(dataLine!.slice("data: ".length)) as Record<string, unknown>;
        expect(eventLine).toBe(`event: ${String(data.type)}`);
        return data;
      });
    expect(parsed).toEqual([
      {
        type: "message_start",
        message: {
          id: "msg_1",
          type: "message",
          role: "assistant",
          model: "vendor/model",
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: { input_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 0 },
        },
      },
      { type: "content_block_start", index: 0, content_block: { type: "thinking", thinking: "", signature: "" } },
      { type: "content_block_delta", index: 0, delta: { type: "thinking_delta", thinking: "Hm" } },
      { type: "content_block_stop", index: 0 },
      { type: "content_block_start", index: 1, content_block: { type: "text", text: "" } },
      { type: "content_block_delta", index: 1, delta: { type: "text_delta", text: "A" } },
      { type: "content_block_delta", index: 1, delta: { type: "text_delta", text: "B" } },
      { type: "content_block_stop", index: 1 },
      { type: "content_block_start", index: 2, content_block: { type: "tool_use", id: "call_1", name: "f", input: {} } },
      { type: "content_block_delta", index: 2, delta: { type: "input_json_delta", partial_json: '{"a":' } },
      { type: "content_block_delta", index: 2, delta: { type: "input_json_delta", partial_json: "1}" } },
      { type: "content_block_stop", index: 2 },
      {
        type: "message_delta",
        delta: { stop_reason: "stop_sequence", stop_sequence: "END" },
        usage: { input_tokens: 6, cache_creation_input_tokens: 0, cache_read_input_tokens: 4, output_tokens: 5 },
      },
      { type: "message_stop" },
    ]);
  });
});

describe("Messages dialect: errors in Anthropic's shape", () => {
  it("gives every error code one of Anthropic's error types, the one Anthropic gives its status", () => {
    const types = new Map<ErrorCode, string>();
    for (const code of Object.keys(ERROR_CATALOGUE) as ErrorCode[]) types.set(code, anthropicErrorType(new BentooError(code, "m")));
    expect(new Set(types.values())).toEqual(
      new Set([
        "invalid_request_error",
        "authentication_error",
        "billing_error",
        "permission_error",
        "not_found_error",
        "request_too_large",
        "rate_limit_error",
        "api_error",
        "timeout_error",
        "overloaded_error",
      ]),
    );
    expect(Object.fromEntries([...types].filter(([code]) => ERROR_CATALOGUE[code].status >= 500))).toEqual({
      internal_error: "api_error",
      upstream_error: "api_error",
      upstream_unreachable: "api_error",
      upstream_auth_failed: "api_error",
      upstream_bad_response: "api_error",
      provider_not_configured: "api_error",
      upstream_unavailable: "overloaded_error",
      service_unavailable: "overloaded_error",
      upstream_timeout: "timeout_error",
    });
    expect(types.get("insufficient_credits")).toBe("billing_error");
    expect(types.get("method_not_allowed")).toBe("invalid_request_error");
  });

  it("carries Bentoo's code in error.details.error_code and the request id in request_id", () => {
    expect(anthropicErrorBody(new BentooError("invalid_api_key", "Invalid API key."), "req_1")).toEqual({
      type: "error",
      error: { type: "authentication_error", message: "Invalid API key.", details: { error_code: "invalid_api_key" } },
      request_id: "req_1",
    });
  });
});
