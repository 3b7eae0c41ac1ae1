import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { APIConnectionError, APIError, Bentoo, BentooError, type ChatCompletionChunk, InternalServerError, RateLimitError, type Stream } from "../src/index.js";
import { retryTiming } from "../src/retry.js";
import { LineDecoder } from "../src/sse-decoder.js";
import { CHAT_PARAMS, chunkedFetch, client, closeAllServers, collect, makeKey, sendJSON, sseChunk, startServer } from "./helpers.js";

const originalTiming = { ...retryTiming };
beforeEach(() => {
  retryTiming.sleep = async () => undefined;
});
afterEach(async () => {
  Object.assign(retryTiming, originalTiming);
  await closeAllServers();
});

/** Streams `chunks` (exactly as split) through the client. */
async function streamOf(chunks: Array<string | Uint8Array>): Promise<{ stream: Stream<ChatCompletionChunk>; cancelled: () => boolean }> {
  const fake = chunkedFetch(chunks);
  const bentoo = new Bentoo({ apiKey: makeKey(), baseURL: "https://bentoo.example.com/v1", fetch: fake.fetch, maxRetries: 0 });
  const stream = await bentoo.chat.completions.create({ ...CHAT_PARAMS, stream: true });
  return { stream, cancelled: fake.cancelled };
}

const contents = (chunks: ChatCompletionChunk[]): string[] => chunks.map((chunk) => chunk.choices[0]?.delta.content ?? "");

describe("SSE parsing", () => {
  it("reassembles events split at every byte, including inside multi-byte characters", async () => {
    const text = `${sseChunk("héllo 👋")}${sseChunk("世界")}data: [DONE]\n\n`;
    const bytes = new TextEncoder().encode(text);
    const { stream } = await streamOf(Array.from(bytes, (byte) => Uint8Array.of(byte)));
    expect(contents(await collect(stream))).toEqual(["héllo 👋", "世界"]);
  });

  it("accepts \\r\\n and \\r line endings, even with \\r\\n split across chunks", async () => {
    const crlf = sseChunk("a").replaceAll("\n", "\r\n");
    const cr = sseChunk("b").replaceAll("\n", "\r");
    const split = sseChunk("c").replace("\n\n", "\r");
    const { stream } = await streamOf([crlf, cr, split, "\n\r", "\ndata: [DONE]\r\n\r\n"]);
    expect(contents(await collect(stream))).toEqual(["a", "b", "c"]);
  });

  it("ignores comments, ids, retry fields and unknown fields", async () => {
    const { stream } = await streamOf([": ping\n\n", "id: 7\nretry: 1000\nfoo: bar\n", sseChunk("x"), ":keep-alive\n\ndata: [DONE]\n\n"]);
    expect(contents(await collect(stream))).toEqual(["x"]);
  });

  it("joins multi-line data with newlines", async () => {
    const { stream } = await streamOf(['data: {"id":"1","choices":\n', "data: []}\n\n", "data:[DONE]\n\n"]);
    expect(await collect(stream)).toEqual([{ id: "1", choices: [] }]);
  });

  it("stops at [DONE], ignores what follows and releases the body", async () => {
    const { stream, cancelled } = await streamOf([sseChunk("a"), "data: [DONE]\n\n", sseChunk("after")]);
    expect(contents(await collect(stream))).toEqual(["a"]);
    expect(cancelled()).toBe(true);
  });

  it("throws the matching APIError for an error event mid-stream", async () => {
    const error = { error: { message: "Upstream failed. Retry later.", type: "upstream_error", code: "upstream_error", param: null } };
    const { stream } = await streamOf([sseChunk("a"), `event: error\ndata: ${JSON.stringify(error)}\n\n`, "data: [DONE]\n\n"]);
    const received: ChatCompletionChunk[] = [];
    const thrown = await (async () => {
      for await (const chunk of stream) received.push(chunk);
    })().catch((caught: unknown) => caught);
    expect(contents(received)).toEqual(["a"]);
    expect(thrown).toBeInstanceOf(InternalServerError);
    expect((thrown as APIError).status).toBe(502);
    expect((thrown as APIError).code).toBe("upstream_error");
    expect((thrown as APIError).message).toBe("502 Upstream failed. Retry later.");
  });

  it("throws for a payload with a top-level error object", async () => {
    const error = { error: { message: "Tokens per minute exceeded.", type: "rate_limit_error", code: "rate_limit_exceeded", param: null } };
    const { stream } = await streamOf([sseChunk("a"), `data: ${JSON.stringify(error)}\n\n`]);
    await expect(collect(stream)).rejects.toBeInstanceOf(RateLimitError);
  });

  it("throws a plain APIError for an error of unknown type", async () => {
    const { stream } = await streamOf(['event: error\ndata: {"error":{"message":"odd","type":"mystery"}}\n\n']);
    const thrown = await collect(stream).catch((caught: unknown) => caught);
    expect(thrown).toBeInstanceOf(APIError);
    expect((thrown as APIError).status).toBeUndefined();
    expect((thrown as APIError).message).toBe("odd");
  });

  it("throws APIConnectionError when the body ends before [DONE]", async () => {
    const { stream } = await streamOf([sseChunk("a"), 'data: {"half":']);
    const received: string[] = [];
    const thrown = await (async () => {
      for await (const chunk of stream) received.push(chunk.choices[0]?.delta.content ?? "");
    })().catch((caught: unknown) => caught);
    expect(received).toEqual(["a"]);
    expect(thrown).toBeInstanceOf(APIConnectionError);
    expect((thrown as Error).message).toMatch(/ended before \[DONE\]/);
  });

  it("throws a BentooError for an event that is not JSON", async () => {
    const { stream } = await streamOf(["data: not json\n\n"]);
    await expect(collect(stream)).rejects.toThrow(/Could not parse a stream event as JSON/);
  });

  it("can be iterated only once", async () => {
    const { stream } = await streamOf(["data: [DONE]\n\n"]);
    await collect(stream);
    expect(() => stream[Symbol.asyncIterator]()).toThrow(BentooError);
  });
});

describe("LineDecoder", () => {
  it("holds back a trailing \\r until it knows whether \\n follows", () => {
    const decoder = new LineDecoder();
    expect(decoder.push("a\r")).toEqual([]);
    expect(decoder.push("\nb\r")).toEqual(["a"]);
    expect(decoder.push("c")).toEqual(["b"]);
    expect(decoder.flush()).toEqual(["c"]);
  });
});

describe("streams over HTTP", () => {
  it("sends stream: true with Accept: text/event-stream and reads the events", async () => {
    const server = await startServer((_request, response) => {
      response.writeHead(200, { "content-type": "text/event-stream" });
      response.end(`${sseChunk("Hel")}${sseChunk("lo")}data: [DONE]\n\n`);
    });
    const stream = await client(server).chat.completions.create({ ...CHAT_PARAMS, stream: true, stream_options: { include_usage: true } });
    expect(contents(await collect(stream))).toEqual(["Hel", "lo"]);
    const request = server.requests[0];
    expect(request?.headers.accept).toBe("text/event-stream");
    expect(JSON.parse(request?.body ?? "{}")).toEqual({ ...CHAT_PARAMS, stream: true, stream_options: { include_usage: true } });
  });

  it("retries a 503 that comes before the stream starts", async () => {
    const server = await startServer((_request, response) => {
      if (server.requests.length === 1) return sendJSON(response, 503, { error: { message: "busy", type: "api_error" } });
      response.writeHead(200, { "content-type": "text/event-stream" });
      response.end(`${sseChunk("ok")}data: [DONE]\n\n`);
    });
    const stream = await client(server).chat.completions.create({ ...CHAT_PARAMS, stream: true });
    expect(contents(await collect(stream))).toEqual(["ok"]);
    expect(server.requests).toHaveLength(2);
  });

  it("never retries once the body has started", async () => {
    const server = await startServer((_request, response) => {
      response.writeHead(200, { "content-type": "text/event-stream" });
      response.write(sseChunk("a"), () => response.destroy());
    });
    const stream = await client(server, { maxRetries: 3 }).chat.completions.create({ ...CHAT_PARAMS, stream: true });
    await expect(collect(stream)).rejects.toBeInstanceOf(APIConnectionError);
    expect(server.requests).toHaveLength(1);
  });

  /** A server that sends one chunk, then holds the stream open and reports when the client hangs up. */
  async function openEndedServer(): Promise<{ bentoo: Bentoo; closed: Promise<void> }> {
    let resolveClosed: () => void = () => undefined;
    const closed = new Promise<void>((resolve) => (resolveClosed = resolve));
    const server = await startServer((_request, response) => {
      response.writeHead(200, { "content-type": "text/event-stream" });
      response.write(sseChunk("first"));
      const ping = setInterval(() => response.write(": ping\n\n"), 10);
      response.on("close", () => {
        clearInterval(ping);
        resolveClosed();
      });
    });
    return { bentoo: client(server), closed };
  }

  it("abort() ends the iteration quietly and closes the connection", async () => {
    const { bentoo, closed } = await openEndedServer();
    const stream = await bentoo.chat.completions.create({ ...CHAT_PARAMS, stream: true });
    const received: string[] = [];
    for await (const chunk of stream) {
      received.push(chunk.choices[0]?.delta.content ?? "");
      stream.abort();
    }
    expect(received).toEqual(["first"]);
    expect(stream.controller.signal.aborted).toBe(true);
    await closed;
  });

  it("break cancels the body and closes the connection", async () => {
    const { bentoo, closed } = await openEndedServer();
    const stream = await bentoo.chat.completions.create({ ...CHAT_PARAMS, stream: true });
    for await (const chunk of stream) {
      expect(chunk.choices[0]?.delta.content).toBe("first");
      break;
    }
    expect(stream.controller.signal.aborted).toBe(true);
    await closed;
  });

  it("the caller's signal ends the stream quietly", async () => {
    const { bentoo, closed } = await openEndedServer();
    const controller = new AbortController();
    const stream = await bentoo.chat.completions.create({ ...CHAT_PARAMS, stream: true }, { signal: controller.signal });
    const received: string[] = [];
    for await (const chunk of stream) {
      received.push(chunk.choices[0]?.delta.content ?? "");
      controller.abort(); // mid-stream: the server holds the stream open
    }
    expect(received).toEqual(["first"]);
    await closed;
  });

  it("the timeout does not cut a long stream once headers have arrived", async () => {
    const server = await startServer((_request, response) => {
      response.writeHead(200, { "content-type": "text/event-stream" });
      response.write(sseChunk("a"));
      setTimeout(() => response.end(`${sseChunk("b")}data: [DONE]\n\n`), 150);
    });
    const stream = await client(server, { timeout: 50 }).chat.completions.create({ ...CHAT_PARAMS, stream: true });
    expect(contents(await collect(stream))).toEqual(["a", "b"]);
  });
});
