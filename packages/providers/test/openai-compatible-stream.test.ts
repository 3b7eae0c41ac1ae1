import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CatalogModel, ProviderConfig } from "@bentoo/core";
import { startFakeUpstream, type FakeUpstream } from "@bentoo/test-kit";
import { Cancellation } from "../src/cancellation.js";
import { OpenAiCompatibleAdapter } from "../src/openai-compatible/adapter.js";
import type { ChatCall, StreamChatResult } from "../src/adapter.js";

/**
 * A destination that takes `delayMs` per write with a 1-byte buffer, so every
 * write reports a full buffer: the adapter must pause the upstream, wait for
 * 'drain' and resume, and still deliver every byte in order.
 */
class SlowClient extends Writable {
  received = "";
  constructor(private readonly delayMs: number) {
    super({ highWaterMark: 1 });
  }
  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: () => void): void {
    setTimeout(() => {
      this.received += chunk.toString("utf8");
      callback();
    }, this.delayMs);
  }
}

describe("OpenAI-compatible adapter: streams to a slow client", () => {
  let upstream: FakeUpstream;
  let adapter: OpenAiCompatibleAdapter;
  const model: CatalogModel = { id: "fake/slow-stream", routes: [{ providerId: "fake", upstreamModel: "fake-slow-stream" }], inputMicrosPerMtok: 0, outputMicrosPerMtok: 0, contextLength: 8192, maxOutputTokens: null, ownedBy: "fake", created: 0 };

  beforeAll(async () => {
    upstream = await startFakeUpstream({ chunkIntervalMs: 1 });
    const provider: ProviderConfig = { id: "fake", type: "openai", baseUrl: upstream.url, apiKeyEnv: null, timeoutMs: 10_000 };
    adapter = new OpenAiCompatibleAdapter(provider, null);
  });
  afterAll(async () => {
    await adapter?.close();
    await upstream?.close();
  });

  const call = (): ChatCall => ({
    requestId: "req_test",
    model,
    route: model.routes[0]!,
    body: { model: model.id, stream: true, messages: [{ role: "user", content: "count" }] },
    stream: true,
    signal: new Cancellation(),
    usageExtras: (usage) => ({ cost_micros: usage.completionTokens * 10 }),
  });

  it("pauses the upstream while the client's buffer is full and delivers every event in order", async () => {
    const result = (await adapter.chat(call())) as StreamChatResult;
    expect(result.kind).toBe("stream");
    const client = new SlowClient(3);
    const outcome = await result.pipeTo(client);
    await new Promise<void>((resolve) => client.end(resolve));
    expect(outcome).toMatchObject({ completed: true, failure: null, clientAborted: false, usage: { completionTokens: 40, estimated: false } });
    const words = [...client.received.matchAll(/"content":" ?(word\d+)"/g)].map((match) => match[1]);
    expect(words).toEqual(Array.from({ length: 40 }, (_, index) => `word${index + 1}`));
    expect(client.received).toContain('"cost_micros":400');
    expect(client.received.trimEnd().endsWith("data: [DONE]")).toBe(true);
  });

  it("stops reading and reports a client abort when the client goes away midway", async () => {
    const cancellation = new Cancellation();
    const result = (await adapter.chat({ ...call(), signal: cancellation })) as StreamChatResult;
    const client = new SlowClient(3);
    setTimeout(() => {
      client.destroy();
      cancellation.abort();
    }, 30);
    const outcome = await result.pipeTo(client);
    expect(outcome.clientAborted).toBe(true);
    expect(outcome.failure).toBeNull();
    expect(outcome.usage.estimated).toBe(true);
    expect(outcome.usage.completionTokens).toBeLessThan(40);
  });
});
