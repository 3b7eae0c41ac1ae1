import { Writable } from "node:stream";
import type { AnswerWriter, ModelRequest } from "@bentoo/core";
import { type FakeAnthropic, startFakeAnthropic } from "@bentoo/test-kit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AnthropicAdapter } from "../src/anthropic/adapter.js";
import { cancellationOf } from "../src/cancellation.js";
import type { ProviderCall } from "../src/provider.js";
import { UpstreamError } from "../src/upstream-error.js";
import { modelFor, textRequest } from "./calls.js";

const KEY = "sk-ant-fake-0123456789";

const answers: AnswerWriter = {
  json: (response) => JSON.stringify(response),
  stream: () => ({ event: (event) => `${JSON.stringify(event)}\n`, end: () => "END\n" }),
};

function call(upstreamModel: string, overrides: Partial<ModelRequest> = {}): ProviderCall {
  const request = textRequest("one two three", overrides);
  return {
    requestId: "req_test",
    model: modelFor("claude", upstreamModel),
    client: { wire: "openai-chat", stream: request.stream, streamUsage: true, request, body: {}, raw: null, answers },
    cancellation: cancellationOf(new AbortController().signal),
    usageExtras: () => ({}),
  };
}

class Collect extends Writable {
  text = "";
  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: () => void): void {
    this.text += chunk.toString("utf8");
    callback();
  }
}

describe("Anthropic adapter against a fake Messages API", () => {
  let upstream: FakeAnthropic;
  let adapter: AnthropicAdapter;

  beforeAll(async () => {
    upstream = await startFakeAnthropic({ apiKey: KEY });
    adapter = new AnthropicAdapter(
      {
        id: "claude",
        type: "anthropic",
        baseUrl: upstream.url,
        apiKeyEnv: "ANTHROPIC_API_KEY",
        timeoutMs: 5000,
        maxRetries: 0,
        maxRetryWaitMs: 0,
        outputLimitParam: "max_tokens",
      },
      KEY,
      {
        now: () => 1_700_000_000_000,
      },
    );
  });
  afterAll(async () => {
    await adapter?.close();
    await upstream?.close();
  });

  const send = (upstreamModel: string, overrides: Partial<ModelRequest> = {}) => {
    const sent = call(upstreamModel, overrides);
    return adapter.send(sent, sent.model.routes[0]!);
  };

  it("posts to /messages with x-api-key and anthropic-version, and reads the answer", async () => {
    const answer = await send("claude-test");
    const sent = upstream.requests.at(-1)!;
    expect([sent.method, sent.path, sent.headers["x-api-key"], sent.headers["anthropic-version"], sent.headers.authorization]).toEqual([
      "POST",
      "/v1/messages",
      KEY,
      "2023-06-01",
      undefined,
    ]);
    expect(sent.body).toMatchObject({
      model: "claude-test",
      max_tokens: 4096,
      messages: [{ role: "user", content: [{ type: "text", text: "one two three" }] }],
    });
    if (answer.kind !== "json") throw new Error("expected JSON");
    expect(JSON.parse(answer.body().toString())).toMatchObject({
      created: 1_700_000_000,
      choices: [{ text: "Fake answer to: one two three", finishReason: "stop" }],
    });
    expect(answer.usage).toEqual({ inputTokens: 6, outputTokens: 6, cacheReadTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0, estimated: false });
  });

  it("relays a stream through the shared relay, metered from message_delta", async () => {
    const answer = await send("fake-cache", { stream: true });
    if (answer.kind !== "stream") throw new Error("expected a stream");
    const client = new Collect();
    const outcome = await answer.pipeTo(client);
    expect(outcome).toMatchObject({ completed: true, failure: null, clientAborted: false });
    expect(outcome.usage).toEqual({ inputTokens: 1206, outputTokens: 6, cacheReadTokens: 1000, cacheWriteTokens: 200, reasoningTokens: 0, estimated: false });
    const lines = client.text.split("\n").filter(Boolean);
    expect(lines.at(-1)).toBe("END");
    const text = lines
      .slice(0, -1)
      .map((line) => JSON.parse(line))
      .filter((event) => event.type === "text-delta")
      .map((event) => event.text)
      .join("");
    expect(text).toBe("Fake answer to: one two three");
  });

  it("reports an in-band error mid-stream as the stream's failure", async () => {
    const answer = await send("fake-stream-error", { stream: true });
    if (answer.kind !== "stream") throw new Error("expected a stream");
    const outcome = await answer.pipeTo(new Collect());
    expect(outcome.completed).toBe(false);
    expect(outcome.failure?.code).toBe("upstream_error");
    expect(outcome.failure?.message).toContain("Overloaded");
  });

  it.each<[string, string, boolean, boolean, number | null]>([
    ["fake-error-529", "upstream_unavailable", true, true, null],
    ["fake-error-500", "upstream_error", true, true, null],
    ["fake-error-429", "upstream_unavailable", true, true, 1000],
    ["fake-error-401", "upstream_auth_failed", true, false, null],
    ["fake-error-403", "upstream_auth_failed", true, false, null],
    ["fake-error-404", "upstream_error", true, false, null],
    ["fake-error-400", "upstream_rejected_request", false, false, null],
    ["fake-error-413", "upstream_rejected_request", false, false, null],
  ])("maps %s to %s (retryable: %s, transient: %s, retry after %s ms)", async (upstreamModel, code, retryable, transient, retryAfter) => {
    for (const stream of [false, true]) {
      const failure = await send(upstreamModel, { stream }).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(UpstreamError);
      const { code: actual, retryable: fallsBack, transient: retried, retryAfterMs } = failure as UpstreamError;
      expect([actual, fallsBack, retried, retryAfterMs]).toEqual([code, retryable, transient, retryAfter]);
    }
  });

  it("passes Anthropic's message on for a request it rejects", async () => {
    const failure = await send("fake-error-400").catch((error: unknown) => error);
    expect((failure as UpstreamError).message).toContain("fake anthropic rejected the request");
    expect((failure as UpstreamError).status).toBe(400);
  });
});
