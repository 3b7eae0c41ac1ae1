import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CatalogModel, ProviderConfig } from "@bentoo/core";
import { startFakeUpstream, type FakeUpstream } from "@bentoo/test-kit";
import { Cancellation } from "../src/cancellation.js";
import { OpenAiCompatibleAdapter } from "../src/openai-compatible/adapter.js";
import type { ChatCall } from "../src/adapter.js";

/** What the upstream receives: the client's body, model replaced, streams asking for usage. */
describe("OpenAI-compatible adapter: the request it forwards", () => {
  let upstream: FakeUpstream;
  let adapter: OpenAiCompatibleAdapter;
  const model: CatalogModel = { id: "vendor/chat", routes: [{ providerId: "fake", upstreamModel: "fake-model-1" }], inputMicrosPerMtok: 0, outputMicrosPerMtok: 0, contextLength: 8192, maxOutputTokens: null, ownedBy: "fake", created: 0 };

  beforeAll(async () => {
    upstream = await startFakeUpstream();
    const provider: ProviderConfig = { id: "fake", type: "openai", baseUrl: upstream.url, apiKeyEnv: null, timeoutMs: 10_000 };
    adapter = new OpenAiCompatibleAdapter(provider, null);
  });
  afterAll(async () => {
    await adapter?.close();
    await upstream?.close();
  });

  /** Sends `text` as a client would have (parsed body plus its bytes); returns the body the upstream received. */
  async function forward(text: string, withBytes = true): Promise<string> {
    const body = JSON.parse(text) as Record<string, unknown>;
    const stream = body.stream === true;
    const call: ChatCall = { requestId: "req_1", model, route: model.routes[0]!, body, rawBody: withBytes ? Buffer.from(text) : null, stream, signal: new Cancellation() };
    const result = await adapter.chat(call);
    if (result.kind === "stream") await result.pipeTo(new Writable({ write: (_chunk, _encoding, done) => done() }));
    return upstream.requests.at(-1)!.raw;
  }

  it("sends the client's bytes as they came, but for the model", async () => {
    const text = '{ "model" : "vendor/chat",\n  "messages": [{"role":"user","content":"caf\\u00e9 \\"quoted\\" {x}"}], "temperature": 1.0, "max_tokens": 5 }';
    expect(await forward(text)).toBe(text.replace('"vendor/chat"', '"fake-model-1"'));
  });

  it("asks a stream for usage: stream_options added when absent, completed when present", async () => {
    const absent = '{"model":"vendor/chat","messages":[{"role":"user","content":"hi"}],"stream":true}\n';
    expect(await forward(absent)).toBe('{"model":"fake-model-1","messages":[{"role":"user","content":"hi"}],"stream":true,"stream_options":{"include_usage":true}}\n');
    const present = '{"model":"vendor/chat","stream_options":{"include_usage":false,"continuous_usage_stats":true},"messages":[{"role":"user","content":"hi"}],"stream":true}';
    expect(await forward(present)).toBe('{"model":"fake-model-1","stream_options":{"include_usage":true,"continuous_usage_stats":true},"messages":[{"role":"user","content":"hi"}],"stream":true}');
    const nulled = '{"model":"vendor/chat","stream_options":null,"messages":[{"role":"user","content":"hi"}],"stream":true}';
    expect(JSON.parse(await forward(nulled))).toMatchObject({ model: "fake-model-1", stream_options: { include_usage: true } });
  });

  it("serialises the parsed body when the bytes cannot be spliced safely, or are not at hand", async () => {
    // JSON.parse keeps the last of two "model" members; the upstream must get the route's model either way.
    const twice = '{"model":"other","model":"vendor/chat","messages":[{"role":"user","content":"hi"}]}';
    expect(await forward(twice)).toBe('{"model":"fake-model-1","messages":[{"role":"user","content":"hi"}]}');
    const plain = '{"model":"vendor/chat", "messages":[{"role":"user","content":"hi"}], "stream":true}';
    expect(await forward(plain, false)).toBe('{"model":"fake-model-1","messages":[{"role":"user","content":"hi"}],"stream":true,"stream_options":{"include_usage":true}}');
  });

  /** A client's response as the adapter sees it: each flush to the socket is one entry of `flushes`. */
  function clientResponse(): { response: Writable; flushes: string[] } {
    const flushes: string[] = [];
    const response = new Writable({
      write: (chunk: Buffer, _encoding, done) => (flushes.push(chunk.toString("utf8")), done()),
      writev: (chunks, done) => (flushes.push(chunks.map(({ chunk }) => (chunk as Buffer).toString("utf8")).join("")), done()),
    });
    return { response, flushes };
  }

  const streamCall = (upstreamModel: string): ChatCall => ({
    requestId: "req_2",
    model,
    route: { providerId: "fake", upstreamModel },
    body: { model: "vendor/chat", messages: [{ role: "user", content: "one two three four" }], stream: true },
    stream: true,
    signal: new Cancellation(),
  });

  it("a stream that arrived whole before the client's headers leaves with the response's end, in one write", async () => {
    const result = await adapter.chat(streamCall("fake-model-1"));
    if (result.kind !== "stream") throw new Error("expected a stream");
    await new Promise((resolve) => setTimeout(resolve, 50)); // the whole stream is waiting by now
    const { response, flushes } = clientResponse();
    const outcome = await result.pipeTo(response);
    expect(outcome).toMatchObject({ completed: true, failure: null, clientAborted: false });
    await new Promise((resolve) => setImmediate(resolve));
    expect(flushes).toEqual([]); // held for the end the caller writes next
    response.end("END");
    expect(flushes).toHaveLength(1);
    expect(flushes[0]).toMatch(/^data: .*data: \[DONE\]\n\nEND$/s);
    // The upstream's own count (4 words + 3 per message; "Fake answer to: one two three four" is 7).
    expect(outcome.usage).toEqual({ promptTokens: 7, completionTokens: 7, totalTokens: 14, estimated: false });
  });

  it("a complete stream without a usage chunk is estimated from what was delivered", async () => {
    const result = await adapter.chat(streamCall("fake-no-usage"));
    if (result.kind !== "stream") throw new Error("expected a stream");
    const { response } = clientResponse();
    const outcome = await result.pipeTo(response);
    response.end();
    expect(outcome).toMatchObject({ completed: true, failure: null });
    expect(outcome.usage.estimated).toBe(true);
    expect(outcome.usage.completionTokens).toBeGreaterThan(3);
  });

  it("a stream still arriving goes out as it comes, not at its end", async () => {
    const result = await adapter.chat(streamCall("fake-slow-stream"));
    if (result.kind !== "stream") throw new Error("expected a stream");
    const { response, flushes } = clientResponse();
    const outcome = result.pipeTo(response);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(flushes.length).toBeGreaterThan(0); // the first events are out before the stream ends
    expect(flushes.join("")).not.toContain("[DONE]");
    expect((await outcome).completed).toBe(true);
    response.end("END");
    expect(flushes.join("")).toMatch(/data: \[DONE\]\n\nEND$/);
  });
});
