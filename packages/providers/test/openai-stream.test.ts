import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Writable } from "node:stream";
import { basicUsage } from "@bentoo/core";
import { type FakeUpstream, startFakeUpstream } from "@bentoo/test-kit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OpenAiAdapter } from "../src/openai/adapter.js";
import type { StreamOutcome } from "../src/provider.js";
import { chatCall, modelFor, providerAt } from "./calls.js";

/**
 * A client with a 1-byte buffer that finishes each write only on a later turn of
 * the event loop, so every write reports a full buffer: the relay must pause the
 * upstream, wait for 'drain' and resume, and still deliver every byte in order.
 * `until(text)` resolves once what it received contains `text`.
 */
class SlowClient extends Writable {
  received = "";
  #waiters: Array<{ text: string; resolve: () => void }> = [];
  constructor() {
    super({ highWaterMark: 1 });
  }
  until(text: string): Promise<void> {
    if (this.received.includes(text)) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ text, resolve }));
  }
  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: () => void): void {
    setImmediate(() => {
      this.received += chunk.toString("utf8");
      this.#waiters = this.#waiters.filter((waiter) => {
        if (!this.received.includes(waiter.text)) return true;
        waiter.resolve();
        return false;
      });
      callback();
    });
  }
}

describe("OpenAI adapter: streams to a slow client", () => {
  let upstream: FakeUpstream;
  let adapter: OpenAiAdapter;
  const model = modelFor("fake", "fake-slow-stream", "fake/slow-stream");
  const body = { model: model.id, stream: true, stream_options: { include_usage: true }, messages: [{ role: "user", content: "count" }] };

  beforeAll(async () => {
    upstream = await startFakeUpstream({ chunkIntervalMs: 1 });
    adapter = new OpenAiAdapter(providerAt(upstream.url), null);
  });
  afterAll(async () => {
    await adapter?.close();
    await upstream?.close();
  });

  it("pauses the upstream while the client's buffer is full and delivers every event in order", async () => {
    const answer = await adapter.send(chatCall(model, body), model.routes[0]!);
    if (answer.kind !== "stream") throw new Error("expected a stream");
    const client = new SlowClient();
    const outcome = await answer.pipeTo(client);
    await new Promise<void>((resolve) => client.end(resolve));
    expect(outcome).toMatchObject({ completed: true, failure: null, clientAborted: false, usage: { outputTokens: 40, estimated: false } });
    const words = [...client.received.matchAll(/"content":" ?(word\d+)"/g)].map((match) => match[1]);
    expect(words).toEqual(Array.from({ length: 40 }, (_, index) => `word${index + 1}`));
    expect(client.received).toContain('"cost_micros":400');
    expect(client.received.trimEnd().endsWith("data: [DONE]")).toBe(true);
  });

  it("stops reading and reports a client abort when the client goes away midway, with what was delivered counted", async () => {
    const controller = new AbortController();
    const answer = await adapter.send(chatCall(model, body, { signal: controller.signal }), model.routes[0]!);
    if (answer.kind !== "stream") throw new Error("expected a stream");
    const client = new SlowClient();
    void client.until('word5"').then(() => {
      client.destroy();
      controller.abort();
    });
    const outcome = await answer.pipeTo(client);
    expect(outcome.clientAborted).toBe(true);
    expect(outcome.failure).toBeNull();
    expect(outcome.usage.estimated).toBe(true);
    expect(outcome.usage.outputTokens).toBeLessThan(40);
  });
});

/**
 * How a stream's bytes are rewritten and its end read, on streams sent in writes
 * 20 ms apart (0 ms, byte for byte), so they arrive as separate chunks wherever
 * the writes cut them: a real socket gives no other way to make TCP deliver them apart.
 */
describe("OpenAI adapter: a stream's events, however they are chunked", () => {
  /** In a scenario's writes: wait until the test releases the rest. */
  const HOLD = "(hold)";
  const event = (payload: unknown) => `data: ${JSON.stringify(payload)}\n\n`;
  const content = (text: string) =>
    event({ id: "c", object: "chat.completion.chunk", model: "raw-2025", choices: [{ index: 0, delta: { content: text }, finish_reason: null }], usage: null });
  const usage = (prompt: number, completion: number) =>
    event({
      id: "c",
      object: "chat.completion.chunk",
      model: "raw-2025",
      choices: [],
      usage: { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion },
    });
  const DONE = "data: [DONE]\n\n";
  const whole = content("one two three") + usage(5, 7) + DONE;
  const scenarios: Record<string, string[]> = {
    "one-chunk": [whole],
    "done-apart": [content("one two three") + usage(5, 7), DONE],
    "usage-split": [content("one two three") + usage(5, 7).slice(0, 60), usage(5, 7).slice(60) + DONE],
    "byte-by-byte": [...whole].map((character) => character),
    crlf: [whole.replaceAll("\n\n", "\r\n\r\n")],
    "negative-count": [content("one two three") + usage(5, -7) + DONE],
    "trailing-comment": [`${whole}: bye\n\n`],
    cumulative: [content("one") + usage(5, 1), content(" two three") + usage(5, 7) + DONE],
    "no-done": [content("one two three") + usage(5, 7)],
    "done-without-blank-line": [`${content("one two three")}${usage(5, 7)}data: [DONE]\n`],
    "in-band-error": [content("one two") + event({ error: { message: "overloaded", code: "server_error" } })],
    "held-back": [content("one two three"), HOLD, usage(5, 7) + DONE],
  };
  /** What a scenario's HOLD waits for: the test releases the rest of the stream. */
  let released: Promise<void> = Promise.resolve();
  let server: Server;
  let adapter: OpenAiAdapter;
  const model = modelFor("raw", "raw", "raw/stream");

  beforeAll(async () => {
    server = createServer((request, response) => {
      let body = "";
      request.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
      request.on("end", async () => {
        const writes = scenarios[(JSON.parse(body) as { scenario: string }).scenario]!;
        response.writeHead(200, { "content-type": "text/event-stream" });
        for (const [index, write] of writes.entries()) {
          if (write === HOLD) {
            await released;
            continue;
          }
          if (index > 0) await new Promise((resolve) => setTimeout(resolve, writes.length > 20 ? 0 : 20));
          response.write(write);
        }
        response.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    adapter = new OpenAiAdapter(providerAt(`http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, "raw"), null);
  });
  afterAll(async () => {
    await adapter?.close();
    await new Promise((resolve) => server?.close(resolve));
  });

  const run = async (scenario: string, streamUsage = true): Promise<{ outcome: StreamOutcome; received: string }> => {
    const answer = await adapter.send(
      chatCall(model, { model: model.id, scenario, stream: true, messages: [{ role: "user", content: "count" }] }, { streamUsage }),
      model.routes[0]!,
    );
    if (answer.kind !== "stream") throw new Error("expected a stream");
    const client = new SlowClient();
    const outcome = await answer.pipeTo(client);
    await new Promise<void>((resolve) => client.end(resolve));
    return { outcome, received: client.received };
  };
  const dataOf = (received: string) =>
    received
      .split(/\r?\n\r?\n/)
      .filter((block) => block.startsWith("data: "))
      .map((block) => block.slice("data: ".length).trim());

  it.each(["one-chunk", "done-apart", "usage-split", "byte-by-byte", "crlf", "trailing-comment", "done-without-blank-line"])(
    "%s: the usage read, the cost added to it, the model renamed, the stream complete",
    async (scenario) => {
      const { outcome, received } = await run(scenario);
      expect(outcome).toEqual({ usage: basicUsage(5, 7), completed: true, failure: null, clientAborted: false });
      const chunks = dataOf(received)
        .filter((data) => data !== "[DONE]")
        .map((data) => JSON.parse(data));
      expect(chunks.map((chunk) => chunk.model)).toEqual(["raw/stream", "raw/stream"]);
      expect(chunks.at(-1).usage).toEqual({ prompt_tokens: 5, completion_tokens: 7, total_tokens: 12, cost_micros: 70 });
    },
  );

  it("writes each event to the client as it arrives, while the upstream still holds back the rest", async () => {
    let release: () => void = () => undefined;
    released = new Promise((resolve) => (release = resolve));
    const answer = await adapter.send(
      chatCall(model, { model: model.id, scenario: "held-back", stream: true, messages: [{ role: "user", content: "count" }] }),
      model.routes[0]!,
    );
    if (answer.kind !== "stream") throw new Error("expected a stream");
    const client = new SlowClient();
    const outcome = answer.pipeTo(client);
    await client.until("one two three"); // never resolves (the test times out) if the relay waited for the end
    expect(client.received).not.toContain("[DONE]");
    release();
    expect(await outcome).toMatchObject({ completed: true, usage: { outputTokens: 7 } });
  }, 5_000);

  it("leaves the usage chunk out when the client did not ask for usage, and still meters from it", async () => {
    for (const scenario of ["one-chunk", "usage-split", "byte-by-byte"]) {
      const { outcome, received } = await run(scenario, false);
      expect(outcome.usage, scenario).toEqual(basicUsage(5, 7));
      const data = dataOf(received);
      expect(data.at(-1)).toBe("[DONE]");
      const chunks = data.slice(0, -1).map((text) => JSON.parse(text));
      expect(chunks, scenario).toHaveLength(1);
      expect(chunks[0].choices[0].delta.content).toBe("one two three");
    }
  });

  it("does not believe a usage count that is not a non-negative integer: the usage is estimated", async () => {
    const { outcome } = await run("negative-count");
    expect(outcome.completed).toBe(true);
    expect(outcome.usage.estimated).toBe(true);
    expect(outcome.usage.outputTokens).toBeGreaterThan(0);
  });

  it("with usage in several chunks, the last one counts", async () => {
    expect((await run("cumulative")).outcome.usage).toEqual(basicUsage(5, 7));
  });

  it("without [DONE] the stream is incomplete, whatever its usage said", async () => {
    const { outcome } = await run("no-done");
    expect(outcome.completed).toBe(false);
    expect(outcome.failure?.code).toBe("upstream_error");
    expect(outcome.usage).toEqual(basicUsage(5, 7));
  });

  it("an error the upstream reports in the stream is the failure, with its message", async () => {
    const { outcome } = await run("in-band-error");
    expect(outcome.completed).toBe(false);
    expect(outcome.failure).toMatchObject({ code: "upstream_error", message: expect.stringContaining("overloaded") });
    expect(outcome.usage.estimated).toBe(true);
  });
});
