import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
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

/**
 * The end of a stream decides what is billed. When the chunk that ends it holds the
 * usage event and then `[DONE]` alone, the relay takes the usage it already parsed
 * to add the cost; in every other shape the tap reads the stream's tail. Both must
 * agree: these upstreams send the endings byte for byte, in chunks of their choosing.
 */
describe("OpenAI-compatible adapter: how a stream's end is read", () => {
  const event = (payload: unknown) => `data: ${JSON.stringify(payload)}\n\n`;
  const content = (text: string) => event({ id: "c", object: "chat.completion.chunk", choices: [{ index: 0, delta: { content: text }, finish_reason: null }], usage: null });
  const usage = (prompt: number, completion: number) => event({ id: "c", object: "chat.completion.chunk", choices: [], usage: { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion } });
  const DONE = "data: [DONE]\n\n";
  /** Each scenario is a list of writes, sent 20 ms apart so that they arrive as separate chunks. */
  const scenarios: Record<string, string[]> = {
    "one-chunk": [content("one two three") + usage(5, 7) + DONE],
    "done-apart": [content("one two three") + usage(5, 7), DONE],
    "negative-count": [content("one two three") + usage(5, -7) + DONE],
    "trailing-comment": [content("one two three") + usage(5, 7) + DONE + ": bye\n\n"],
    "cumulative": [content("one") + usage(5, 1), content(" two three") + usage(5, 7) + DONE],
    "no-done": [content("one two three") + usage(5, 7)],
  };
  let server: Server;
  let adapter: OpenAiCompatibleAdapter;
  const model: CatalogModel = { id: "raw/stream", routes: [{ providerId: "raw", upstreamModel: "raw" }], inputMicrosPerMtok: 0, outputMicrosPerMtok: 0, contextLength: 8192, maxOutputTokens: null, ownedBy: "raw", created: 0 };

  beforeAll(async () => {
    server = createServer((request, response) => {
      let body = "";
      request.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
      request.on("end", async () => {
        const writes = scenarios[(JSON.parse(body) as { scenario: string }).scenario]!;
        response.writeHead(200, { "content-type": "text/event-stream" });
        for (const [index, write] of writes.entries()) {
          if (index > 0) await new Promise((resolve) => setTimeout(resolve, 20));
          response.write(write);
        }
        response.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    adapter = new OpenAiCompatibleAdapter({ id: "raw", type: "openai", baseUrl: `http://127.0.0.1:${port}/v1`, apiKeyEnv: null, timeoutMs: 10_000 }, null);
  });
  afterAll(async () => {
    await adapter?.close();
    await new Promise((resolve) => server?.close(resolve));
  });

  const run = async (scenario: string) => {
    const call: ChatCall = {
      requestId: "req_test",
      model,
      route: model.routes[0]!,
      body: { model: model.id, scenario, stream: true, messages: [{ role: "user", content: "count" }] },
      stream: true,
      signal: new Cancellation(),
      usageExtras: (reported) => ({ cost_micros: reported.completionTokens * 10 }),
    };
    const result = (await adapter.chat(call)) as StreamChatResult;
    const client = new SlowClient(0);
    const outcome = await result.pipeTo(client);
    await new Promise<void>((resolve) => client.end(resolve));
    return { outcome, received: client.received };
  };

  it.each(["one-chunk", "done-apart", "trailing-comment"])("%s: the usage reported, the stream complete", async (scenario) => {
    const { outcome, received } = await run(scenario);
    expect(outcome).toEqual({ usage: { promptTokens: 5, completionTokens: 7, totalTokens: 12, estimated: false }, completed: true, failure: null, clientAborted: false });
    expect(received).toContain('"cost_micros":70');
  });

  it("a usage count that is not a non-negative integer is not believed: the usage is estimated", async () => {
    const { outcome } = await run("negative-count");
    expect(outcome.completed).toBe(true);
    expect(outcome.usage.estimated).toBe(true);
    expect(outcome.usage.completionTokens).toBeGreaterThan(0);
  });

  it("with usage in several chunks, the last one counts", async () => {
    const { outcome } = await run("cumulative");
    expect(outcome.usage).toEqual({ promptTokens: 5, completionTokens: 7, totalTokens: 12, estimated: false });
  });

  it("without [DONE] the stream is incomplete, whatever its usage said", async () => {
    const { outcome } = await run("no-done");
    expect(outcome.completed).toBe(false);
    expect(outcome.failure?.code).toBe("upstream_error");
    expect(outcome.usage).toEqual({ promptTokens: 5, completionTokens: 7, totalTokens: 12, estimated: false });
  });
});
