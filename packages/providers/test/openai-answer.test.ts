import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Writable } from "node:stream";
import { type FakeUpstream, startFakeUpstream } from "@bentoo/test-kit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OpenAiAdapter } from "../src/openai/adapter.js";
import { passthroughAnswer } from "../src/openai/passthrough-answer.js";
import { chatCall, modelFor, providerAt } from "./calls.js";

const bytesOf = (text: string) => Buffer.from(text, "utf8");

describe("a Chat Completions JSON answer passed through", () => {
  const upstream =
    '{"id":"chatcmpl-9","object":"chat.completion","created":1,"model":"gpt-4o-mini-2024-07-18","choices":[{"index":0,"message":{"role":"assistant","content":"Ünïcödé \\u00e9 \\"usage\\":{ 🙂"},"finish_reason":"stop"}],"usage":{"prompt_tokens":12,"completion_tokens":5,"total_tokens":17,"prompt_tokens_details":{"cached_tokens":2}},"system_fingerprint":"fp_1"}';
  const call = chatCall(modelFor("fake", "gpt-4o-mini", "openai/gpt-4o-mini"), { model: "openai/gpt-4o-mini", messages: [] });

  it("reads every token class, renames the model and adds the cost, leaving every other byte as the upstream sent it", () => {
    const answer = passthroughAnswer(call, call.model.routes[0]!, bytesOf(upstream));
    if (answer.kind !== "json") throw new Error("expected JSON");
    expect(answer.usage).toEqual({ inputTokens: 12, outputTokens: 5, cacheReadTokens: 2, cacheWriteTokens: 0, reasoningTokens: 0, estimated: false });
    const body = String(answer.body());
    expect(body).toBe(
      upstream
        .replace('"model":"gpt-4o-mini-2024-07-18"', '"model":"openai/gpt-4o-mini"')
        .replace('{"cached_tokens":2}}', '{"cached_tokens":2},"cost_micros":50}'),
    );
  });

  it("replaces an upstream's own member of the same name instead of repeating it", () => {
    const answer = passthroughAnswer(call, call.model.routes[0]!, bytesOf(upstream.replace('"total_tokens":17,', '"total_tokens":17,"cost_micros":9,')));
    if (answer.kind !== "json") throw new Error("expected JSON");
    const body = String(answer.body());
    expect(body).not.toContain('"cost_micros":9');
    expect(JSON.parse(body)).toMatchObject({
      model: "openai/gpt-4o-mini",
      usage: { prompt_tokens: 12, completion_tokens: 5, cost_micros: 50, prompt_tokens_details: { cached_tokens: 2 } },
    });
  });

  it("parses an answer it cannot splice safely, with the same result", () => {
    const cases = [
      upstream.replace('"model":"gpt-4o-mini-2024-07-18",', ""), // no model member to replace
      upstream.replace('"id":"chatcmpl-9"', '"usage":{"prompt_tokens":1,"completion_tokens":1}'), // two usage members
    ];
    for (const text of cases) {
      const answer = passthroughAnswer(call, call.model.routes[0]!, bytesOf(text));
      if (answer.kind !== "json") throw new Error("expected JSON");
      expect(JSON.parse(String(answer.body())), text).toMatchObject({ model: "openai/gpt-4o-mini", usage: { cost_micros: 50 } });
    }
    expect(() => passthroughAnswer(call, call.model.routes[0]!, bytesOf(upstream.slice(0, -1)))).toThrow(/not a chat completion/);
  });

  it("estimates usage the upstream did not report (or reported wrongly), and says so", () => {
    for (const usage of ['"usage":null', '"usage":{"prompt_tokens":"12","completion_tokens":5}', '"usage":{"prompt_tokens":12,"completion_tokens":-5}']) {
      const answer = passthroughAnswer(call, call.model.routes[0]!, bytesOf(upstream.replace(/"usage":\{.*?\}\}/, usage)));
      if (answer.kind !== "json") throw new Error("expected JSON");
      expect(answer.usage.estimated, usage).toBe(true);
      expect(answer.usage.outputTokens).toBeGreaterThan(3);
      expect(JSON.parse(String(answer.body())).usage).toMatchObject({ estimated: true, cost_micros: answer.usage.outputTokens * 10 });
    }
  });
});

describe("OpenAI adapter: JSON answers from a real server", () => {
  let upstream: FakeUpstream;
  const model = modelFor("fake", "fake-model", "fake/chat");
  const body = { model: model.id, messages: [{ role: "user", content: "a question long enough to make the answer a few hundred bytes" }] };

  beforeAll(async () => {
    upstream = await startFakeUpstream();
  });
  afterAll(() => upstream?.close());

  it("returns the completion with the catalog's model id and the upstream's usage", async () => {
    const adapter = new OpenAiAdapter(providerAt(upstream.url), null);
    try {
      const answer = await adapter.send(chatCall(model, body), model.routes[0]!);
      if (answer.kind !== "json") throw new Error("expected JSON");
      expect(JSON.parse(String(answer.body()))).toMatchObject({ object: "chat.completion", model: "fake/chat" });
      expect(answer.usage.estimated).toBe(false);
      expect(answer.usage.outputTokens).toBeGreaterThan(5);
    } finally {
      await adapter.close();
    }
  });

  it("keeps the upstream's usage details when it has to parse the whole answer", async () => {
    const answer = {
      id: "c",
      object: "chat.completion",
      choices: [{ index: 0, message: { role: "assistant", content: "hi" }, finish_reason: "stop" }],
      usage: {
        prompt_tokens: 3,
        completion_tokens: 4,
        total_tokens: 7,
        prompt_tokens_details: { cached_tokens: 2 },
        completion_tokens_details: { reasoning_tokens: 1 },
      },
    };
    const server = createServer((_request, response) => response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(answer)));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const adapter = new OpenAiAdapter(providerAt(`http://127.0.0.1:${(server.address() as AddressInfo).port}`), null);
    try {
      const result = await adapter.send(chatCall(model, body), model.routes[0]!);
      if (result.kind !== "json") throw new Error("expected JSON");
      expect(result.usage).toEqual({ inputTokens: 3, outputTokens: 4, cacheReadTokens: 2, cacheWriteTokens: 0, reasoningTokens: 1, estimated: false });
      expect(JSON.parse(String(result.body()))).toMatchObject({ model: "fake/chat", usage: { ...answer.usage, cost_micros: 40 } });
    } finally {
      await adapter.close();
      server.close();
    }
  });

  it("refuses an answer larger than its cap with upstream_bad_response instead of buffering it; streams are not capped", async () => {
    const adapter = new OpenAiAdapter(providerAt(upstream.url), null, { maxAnswerBytes: 100 });
    try {
      await expect(adapter.send(chatCall(model, body), model.routes[0]!)).rejects.toMatchObject({
        code: "upstream_bad_response",
        message: expect.stringContaining("larger than"),
      });
      const streamed = await adapter.send(chatCall(model, { ...body, stream: true }), model.routes[0]!);
      if (streamed.kind !== "stream") throw new Error("expected a stream");
      let text = "";
      const sink = new Writable({
        write: (chunk: Buffer, _encoding, done) => {
          text += chunk.toString();
          done();
        },
      });
      expect((await streamed.pipeTo(sink)).completed).toBe(true);
      expect(text).toContain("data: [DONE]");
    } finally {
      await adapter.close();
    }
  });
});
