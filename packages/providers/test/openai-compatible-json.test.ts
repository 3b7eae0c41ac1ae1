import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CatalogModel, ProviderConfig } from "@bentoo/core";
import { startFakeUpstream, type FakeUpstream } from "@bentoo/test-kit";
import { Cancellation } from "../src/cancellation.js";
import { OpenAiCompatibleAdapter } from "../src/openai-compatible/adapter.js";
import type { ChatCall } from "../src/adapter.js";

describe("OpenAI-compatible adapter: JSON answers", () => {
  let upstream: FakeUpstream;
  let provider: ProviderConfig;
  const model: CatalogModel = { id: "fake/chat", routes: [{ providerId: "fake", upstreamModel: "fake-model" }], inputMicrosPerMtok: 0, outputMicrosPerMtok: 0, contextLength: 8192, maxOutputTokens: null, ownedBy: "fake", created: 0 };
  const call = (): ChatCall => ({
    requestId: "req_test",
    model,
    route: model.routes[0]!,
    body: { model: model.id, messages: [{ role: "user", content: "a question long enough to make the answer a few hundred bytes" }] },
    stream: false,
    signal: new Cancellation(),
  });

  beforeAll(async () => {
    upstream = await startFakeUpstream();
    provider = { id: "fake", type: "openai", baseUrl: upstream.url, apiKeyEnv: null, timeoutMs: 10_000 };
  });
  afterAll(() => upstream?.close());

  it("returns the completion with the catalog's model id and the upstream's usage", async () => {
    const adapter = new OpenAiCompatibleAdapter(provider, null);
    try {
      const result = await adapter.chat(call());
      expect(result.kind).toBe("json");
      if (result.kind !== "json") return;
      expect(JSON.parse(String(result.render({ total_tokens: 1 })))).toMatchObject({ object: "chat.completion", model: "fake/chat", usage: { total_tokens: 1 } });
      expect(result.usage.estimated).toBe(false);
      expect(result.usage.completionTokens).toBeGreaterThan(5);
    } finally {
      await adapter.close();
    }
  });

  it("keeps the upstream's usage details (cached and reasoning tokens) when it has to parse the whole answer", async () => {
    // No top-level model member: the answer cannot be spliced, so it is parsed and serialised again.
    const answer = { id: "c", object: "chat.completion", choices: [{ index: 0, message: { role: "assistant", content: "hi" }, finish_reason: "stop" }], usage: { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7, prompt_tokens_details: { cached_tokens: 2 }, completion_tokens_details: { reasoning_tokens: 1 } } };
    const server = createServer((_request, response) => response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(answer)));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const adapter = new OpenAiCompatibleAdapter({ ...provider, baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }, null);
    try {
      const result = await adapter.chat(call());
      if (result.kind !== "json") throw new Error("expected a JSON answer");
      expect(result.usage).toEqual({ promptTokens: 3, completionTokens: 4, totalTokens: 7, estimated: false });
      const rendered = JSON.parse(String(result.render({ prompt_tokens: 3, completion_tokens: 4, total_tokens: 7, cost: 0.5, cost_micros: 500_000 })));
      expect(rendered).toMatchObject({ model: "fake/chat", usage: { ...answer.usage, cost: 0.5, cost_micros: 500_000 } });
    } finally {
      await adapter.close();
      server.close();
    }
  });

  it("refuses an answer larger than its cap with upstream_bad_response instead of buffering it", async () => {
    const adapter = new OpenAiCompatibleAdapter(provider, null, { maxAnswerBytes: 100 });
    try {
      await expect(adapter.chat(call())).rejects.toMatchObject({ code: "upstream_bad_response", message: expect.stringContaining("larger than") });
      // Streams are not buffered, so the cap does not apply to them; the pool still serves after the refusal.
      const base = call();
      const streamed = await adapter.chat({ ...base, body: { ...base.body, stream: true }, stream: true });
      expect(streamed.kind).toBe("stream");
      if (streamed.kind !== "stream") return;
      const { Writable } = await import("node:stream");
      let text = "";
      const sink = new Writable({ write: (chunk: Buffer, _encoding, done) => ((text += chunk.toString()), done()) });
      expect((await streamed.pipeTo(sink)).completed).toBe(true);
      sink.end(); // the caller ends the response (StreamChatResult.pipeTo)
      expect(text).toContain("data: [DONE]");
    } finally {
      await adapter.close();
    }
  });
});
