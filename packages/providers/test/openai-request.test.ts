import { Writable } from "node:stream";
import { type FakeUpstream, startFakeUpstream } from "@bentoo/test-kit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OpenAiAdapter } from "../src/openai/adapter.js";
import { chatCall, modelFor, providerAt } from "./calls.js";

/** What the upstream receives: the client's body, model replaced, streams asking for usage. */
describe("OpenAI-compatible adapter: the request it forwards", () => {
  let upstream: FakeUpstream;
  let adapter: OpenAiAdapter;
  const model = modelFor("fake", "fake-model-1");

  beforeAll(async () => {
    upstream = await startFakeUpstream();
    adapter = new OpenAiAdapter(providerAt(upstream.url), null);
  });
  afterAll(async () => {
    await adapter?.close();
    await upstream?.close();
  });

  /** Sends `text` as a client would have (parsed body plus its bytes); returns the body the upstream received. */
  async function forward(text: string, withBytes = true): Promise<string> {
    const body = JSON.parse(text) as Record<string, unknown>;
    const call = chatCall(model, body, { raw: withBytes });
    call.client.raw = withBytes ? Buffer.from(text) : null;
    const result = await adapter.send(call, model.routes[0]!);
    if (result.kind === "stream") await result.pipeTo(new Writable({ write: (_chunk, _encoding, done) => done() }));
    return upstream.requests.at(-1)!.raw;
  }

  it("sends the client's bytes as they came, but for the model", async () => {
    const text = '{ "model" : "vendor/chat",\n  "messages": [{"role":"user","content":"caf\\u00e9 \\"quoted\\" {x}"}], "temperature": 1.0, "max_tokens": 5 }';
    expect(await forward(text)).toBe(text.replace('"vendor/chat"', '"fake-model-1"'));
  });

  it("asks a stream for usage: stream_options added when absent, completed when present", async () => {
    const absent = '{"model":"vendor/chat","messages":[{"role":"user","content":"hi"}],"stream":true}\n';
    expect(await forward(absent)).toBe(
      '{"model":"fake-model-1","messages":[{"role":"user","content":"hi"}],"stream":true,"stream_options":{"include_usage":true}}\n',
    );
    const present =
      '{"model":"vendor/chat","stream_options":{"include_usage":false,"continuous_usage_stats":true},"messages":[{"role":"user","content":"hi"}],"stream":true}';
    expect(await forward(present)).toBe(
      '{"model":"fake-model-1","stream_options":{"include_usage":true,"continuous_usage_stats":true},"messages":[{"role":"user","content":"hi"}],"stream":true}',
    );
    const nulled = '{"model":"vendor/chat","stream_options":null,"messages":[{"role":"user","content":"hi"}],"stream":true}';
    expect(JSON.parse(await forward(nulled))).toMatchObject({ model: "fake-model-1", stream_options: { include_usage: true } });
  });

  it("serialises the parsed body when the bytes cannot be spliced safely, or are not at hand", async () => {
    // JSON.parse keeps the last of two "model" members; the upstream must get the route's model either way.
    const twice = '{"model":"other","model":"vendor/chat","messages":[{"role":"user","content":"hi"}]}';
    expect(await forward(twice)).toBe('{"model":"fake-model-1","messages":[{"role":"user","content":"hi"}]}');
    const plain = '{"model":"vendor/chat", "messages":[{"role":"user","content":"hi"}], "stream":true}';
    expect(await forward(plain, false)).toBe(
      '{"model":"fake-model-1","messages":[{"role":"user","content":"hi"}],"stream":true,"stream_options":{"include_usage":true}}',
    );
  });
});
