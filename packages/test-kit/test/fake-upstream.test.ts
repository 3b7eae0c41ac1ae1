import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeUpstream, type FakeUpstreamOptions, startFakeUpstream } from "../src/fake-upstream.js";

type Json = Record<string, unknown>;
type Init = { headers?: Record<string, string>; signal?: AbortSignal };

function asObject(value: unknown): Json {
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new Error("not an object");
  return value as Json;
}
const json = async (res: Response): Promise<Json> => asObject(await res.json());
const choice = (chunk: Json): Json => asObject(Array.isArray(chunk.choices) ? chunk.choices[0] : null);

const post = (u: FakeUpstream, body: unknown, init: Init = {}): Promise<Response> =>
  fetch(`${u.url}/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", ...init.headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
    ...(init.signal ? { signal: init.signal } : {}),
  });

/** Streams a chat request; returns the parsed chunks and whether the stream ended with [DONE]. */
async function sse(u: FakeUpstream, body: Json): Promise<{ chunks: Json[]; done: boolean }> {
  const res = await post(u, { messages, stream: true, ...body });
  expect(res.headers.get("content-type")).toBe("text/event-stream");
  const events = (await res.text()).split("\n\n");
  expect(events.pop()).toBe(""); // every event ends with a blank line
  expect(events.every((e) => e.startsWith("data: "))).toBe(true);
  const done = events.at(-1) === "data: [DONE]";
  const chunks = events.slice(0, done ? -1 : undefined).map((e) => asObject(JSON.parse(e.slice(6))));
  return { chunks, done };
}

/** Concatenated `delta.content` of the chunks. */
const deltaText = (chunks: Json[]): string =>
  chunks.map((c) => (Array.isArray(c.choices) && c.choices.length ? asObject(choice(c).delta).content : "")).join("");

const messages = [
  { role: "system", content: "Be brief." },
  {
    role: "user",
    content: [
      { type: "text", text: "Hello   there" },
      { type: "image_url", image_url: { url: "x" } },
    ],
  },
  { role: "assistant", content: "Hi!" },
  { role: "user", content: "What is\nthe time?" },
];
// prompt: (2 + 3) + (2 + 3) + (1 + 3) + (4 + 3) = 21 ; answer "Fake answer to: What is the time?" = 7 words
const PROMPT_TOKENS = 21;
const ANSWER = "Fake answer to: What is the time?";

let up: FakeUpstream;
beforeAll(async () => {
  up = await startFakeUpstream({ slowMs: 150, chunkIntervalMs: 5 });
});
afterAll(() => up.close());

async function withUpstream(options: FakeUpstreamOptions, fn: (u: FakeUpstream) => Promise<void>): Promise<void> {
  const u = await startFakeUpstream(options);
  await fn(u).finally(() => u.close());
}

describe("fake upstream: ordinary models", () => {
  it("exposes a /v1 base URL on 127.0.0.1 and lists models", async () => {
    expect(up.url).toBe(`http://127.0.0.1:${up.port}/v1`);
    const body = await json(await fetch(`${up.url}/models`));
    expect(body.object).toBe("list");
    expect((body.data as Json[]).map((m) => m.id)).toEqual(expect.arrayContaining(["fake-model", "fake-tools"]));
  });

  it("answers in OpenAI's chat.completion shape with deterministic usage", async () => {
    const res = await post(up, { model: "gpt-4o-mini", messages });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/json");
    const body = await json(res);
    expect(body).toEqual({
      id: expect.stringMatching(/^chatcmpl-/),
      object: "chat.completion",
      created: expect.any(Number),
      model: "gpt-4o-mini",
      choices: [{ index: 0, message: { role: "assistant", content: ANSWER }, finish_reason: "stop", logprobs: null }],
      usage: { prompt_tokens: PROMPT_TOKENS, completion_tokens: 7, total_tokens: PROMPT_TOKENS + 7 },
    });
    expect(Math.abs((body.created as number) - Date.now() / 1000)).toBeLessThan(5);
  });

  it("truncates the echoed user message to 200 characters", async () => {
    const body = await json(await post(up, { model: "m", messages: [{ role: "user", content: "x".repeat(500) }] }));
    expect(asObject(choice(body).message).content).toBe(`Fake answer to: ${"x".repeat(200)}`);
  });

  it("streams chunks ending with [DONE] and no usage unless asked", async () => {
    const { chunks, done } = await sse(up, { model: "m" });
    expect(done).toBe(true);
    expect(chunks.every((c) => c.object === "chat.completion.chunk" && c.model === "m")).toBe(true);
    expect(new Set(chunks.map((c) => c.id)).size).toBe(1);
    expect(chunks.some((c) => "usage" in c)).toBe(false);
    expect(choice(chunks[0]!).delta).toEqual({ role: "assistant", content: "" });
    expect(chunks).toHaveLength(1 + 7 + 1); // role, one per word, finish
    expect(choice(chunks[2]!).delta).toEqual({ content: " answer" });
    expect(deltaText(chunks)).toBe(ANSWER);
    expect(choice(chunks.at(-1)!)).toMatchObject({ delta: {}, finish_reason: "stop" });
  });

  it("adds usage: null to chunks and a final usage chunk with include_usage", async () => {
    const { chunks, done } = await sse(up, { model: "m", stream_options: { include_usage: true } });
    expect(done).toBe(true);
    const usageChunk = chunks.at(-1)!;
    expect(usageChunk.choices).toEqual([]);
    expect(usageChunk.usage).toEqual({ prompt_tokens: PROMPT_TOKENS, completion_tokens: 7, total_tokens: 28 });
    expect(chunks.slice(0, -1).every((c) => c.usage === null)).toBe(true);
    expect(choice(chunks.at(-2)!).finish_reason).toBe("stop");
  });

  it("honours max_tokens and max_completion_tokens with finish_reason length", async () => {
    const body = await json(await post(up, { model: "m", messages, max_tokens: 3 }));
    expect(choice(body)).toMatchObject({ message: { content: "Fake answer to:" }, finish_reason: "length" });
    expect(asObject(body.usage).completion_tokens).toBe(3);

    const both = await json(await post(up, { model: "m", messages, max_tokens: 3, max_completion_tokens: 2 }));
    expect(choice(both)).toMatchObject({ message: { content: "Fake answer" }, finish_reason: "length" });

    const roomy = await json(await post(up, { model: "m", messages, max_tokens: 7 }));
    expect(choice(roomy).finish_reason).toBe("stop");

    const { chunks, done } = await sse(up, { model: "m", max_tokens: 2 });
    expect(done).toBe(true);
    expect(deltaText(chunks)).toBe("Fake answer");
    expect(choice(chunks.at(-1)!).finish_reason).toBe("length");
  });
});

describe("fake upstream: errors and routing", () => {
  it("enforces apiKey with a 401 in OpenAI's envelope", async () => {
    await withUpstream({ apiKey: "sk-fake" }, async (u) => {
      for (const headers of [{}, { authorization: "Bearer wrong" }] as Record<string, string>[]) {
        const res = await post(u, { model: "m", messages }, { headers });
        expect(res.status).toBe(401);
        const error = asObject((await json(res)).error);
        expect(error).toMatchObject({ type: "invalid_request_error", code: "invalid_api_key" });
      }
      const ok = await post(u, { model: "m", messages }, { headers: { authorization: "Bearer sk-fake" } });
      expect(ok.status).toBe(200);
    });
  });

  it.each([
    ["fake-error-500", 500, "server_error", null, null],
    ["fake-error-503", 503, "server_error", null, null],
    ["fake-error-429", 429, "requests", null, "rate_limit_exceeded"],
    ["fake-error-400", 400, "invalid_request_error", "messages", null],
    ["fake-error-401", 401, "invalid_request_error", null, "invalid_api_key"],
  ])("%s answers %i in the error envelope", async (model, status, type, param, code) => {
    for (const stream of [false, true]) {
      const res = await post(up, { model, messages, stream });
      expect(res.status).toBe(status);
      const body = await json(res);
      expect(body).toEqual({ error: { message: expect.any(String), type, param, code } });
      if (param) expect(asObject(body.error).message).toBe("fake upstream rejected the request");
      expect(res.headers.get("retry-after")).toBe(status === 429 ? "1" : null);
    }
  });

  it("answers 404 for unknown routes and 400 for invalid bodies", async () => {
    const routes = [
      ["GET", "/v1/nope"],
      ["GET", "/v1/chat/completions"],
      ["POST", "/v2/models"],
    ] as const;
    for (const [method, path] of routes) {
      const res = await fetch(`http://127.0.0.1:${up.port}${path}`, { method });
      expect(res.status).toBe(404);
      expect(asObject((await json(res)).error)).toMatchObject({ type: "invalid_request_error", param: null });
    }
    for (const bad of ["{not json", "[1,2]", JSON.stringify({ messages }), JSON.stringify({ model: "m" })]) {
      const res = await post(up, bad);
      expect(res.status).toBe(400);
      expect(asObject((await json(res)).error).type).toBe("invalid_request_error");
    }
  });
});

describe("fake upstream: failure modes", () => {
  it("fake-drop destroys the socket so the fetch rejects", async () => {
    await expect(post(up, { model: "fake-drop", messages })).rejects.toThrow();
  });

  it("fake-drop-stream sends a few chunks then drops without [DONE]", async () => {
    const res = await post(up, { model: "fake-drop-stream", messages, stream: true });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/event-stream");
    let text = "";
    // The body either errors (chunked encoding cut short) or ends early; it must not complete normally.
    const failed = await (async () => {
      for await (const part of res.body!) text += Buffer.from(part).toString("utf8");
    })().then(
      () => false,
      () => true,
    );
    expect(text).not.toContain("[DONE]");
    expect(text.split("\n\n").filter((e) => e.startsWith("data: "))).toHaveLength(3); // role + 2 words
    expect(text).toContain('"content":" answer"');
    expect(failed || !text.includes("finish_reason")).toBe(true);
  });

  it("fake-slow waits slowMs before answering", async () => {
    const started = performance.now();
    const res = await post(up, { model: "fake-slow", messages });
    expect(res.status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    expect(asObject(choice(await json(res)).message).content).toBe(ANSWER);
  });

  it("fake-slow gives up when the client aborts", async () => {
    await withUpstream({ slowMs: 60_000 }, async (u) => {
      const signal = AbortSignal.timeout(100);
      await expect(post(u, { model: "fake-slow", messages }, { signal })).rejects.toThrow();
      expect((await post(u, { model: "m", messages })).status).toBe(200);
    });
  });

  it("latencyMs delays every request", async () => {
    await withUpstream({ latencyMs: 80 }, async (u) => {
      const started = performance.now();
      await (await fetch(`${u.url}/models`)).text();
      expect(performance.now() - started).toBeGreaterThanOrEqual(70);
    });
  });

  it("fake-no-usage never sends usage", async () => {
    const body = await json(await post(up, { model: "fake-no-usage", messages }));
    expect("usage" in body).toBe(false);
    expect(asObject(choice(body).message).content).toBe(ANSWER);
    const { chunks, done } = await sse(up, { model: "fake-no-usage", stream_options: { include_usage: true } });
    expect(done).toBe(true);
    expect(chunks.some((c) => "usage" in c)).toBe(false);
    expect(chunks.every((c) => Array.isArray(c.choices) && c.choices.length === 1)).toBe(true);
  });

  it("fake-slow-stream streams 40 words spaced chunkIntervalMs apart", async () => {
    const started = performance.now();
    const { chunks, done } = await sse(up, { model: "fake-slow-stream" });
    expect(done).toBe(true);
    expect(deltaText(chunks).split(" ")).toHaveLength(40);
    expect(chunks).toHaveLength(1 + 40 + 1);
    expect(performance.now() - started).toBeGreaterThanOrEqual(40 * 5 - 10);
  });

  it("fake-slow-stream stops when the client aborts mid-stream", async () => {
    await withUpstream({ chunkIntervalMs: 20 }, async (u) => {
      const controller = new AbortController();
      const res = await post(u, { model: "fake-slow-stream", messages, stream: true }, { signal: controller.signal });
      const reader = res.body!.getReader();
      expect((await reader.read()).done).toBe(false);
      controller.abort();
      await expect(reader.read()).rejects.toThrow();
      expect((await post(u, { model: "m", messages })).status).toBe(200);
    });
  });
});

describe("fake upstream: tools", () => {
  const name = "get_weather";
  const parameters = { type: "object", properties: {} };
  const tools = [
    { type: "function", function: { name, parameters } },
    { type: "function", function: { name: "other", parameters } },
  ];

  it("answers with a call of the first tool", async () => {
    const body = await json(await post(up, { model: "fake-tools", messages, tools }));
    expect(choice(body)).toEqual({
      index: 0,
      message: {
        role: "assistant",
        content: null,
        tool_calls: [{ id: expect.stringMatching(/^call_/), type: "function", function: { name, arguments: "{}" } }],
      },
      finish_reason: "tool_calls",
      logprobs: null,
    });
    expect(body.usage).toEqual({ prompt_tokens: PROMPT_TOKENS, completion_tokens: 1, total_tokens: 22 });
  });

  it("streams the tool call", async () => {
    const { chunks, done } = await sse(up, { model: "fake-tools", tools, stream_options: { include_usage: true } });
    expect(done).toBe(true);
    const head = asObject(choice(chunks[0]!).delta);
    expect(head.role).toBe("assistant");
    expect(head.tool_calls).toEqual([{ index: 0, id: expect.stringMatching(/^call_/), type: "function", function: { name, arguments: "" } }]);
    expect(asObject(choice(chunks[1]!).delta).tool_calls).toEqual([{ index: 0, function: { arguments: "{}" } }]);
    expect(choice(chunks[2]!)).toMatchObject({ delta: {}, finish_reason: "tool_calls" });
    expect(asObject(chunks[3]!.usage).completion_tokens).toBe(1);
    expect(chunks).toHaveLength(4);
  });

  it("answers ordinarily without tools", async () => {
    const body = await json(await post(up, { model: "fake-tools", messages }));
    expect(choice(body)).toMatchObject({ message: { role: "assistant", content: ANSWER }, finish_reason: "stop" });
  });
});

describe("fake upstream: recording and lifecycle", () => {
  it("records method, path, headers and parsed body", async () => {
    await withUpstream({}, async (u) => {
      await post(u, { model: "m", messages }, { headers: { "x-test": "1" } });
      await fetch(`${u.url}/models?limit=1`);
      await post(u, "{oops");
      expect(u.requests).toHaveLength(3);
      const [chat, models, bad] = u.requests;
      expect(chat).toMatchObject({ method: "POST", path: "/v1/chat/completions", body: { model: "m", messages } });
      expect(chat!.headers["x-test"]).toBe("1");
      expect(models).toMatchObject({ method: "GET", path: "/v1/models?limit=1", body: undefined });
      expect(bad!.body).toBe("{oops");
    });
  });

  it("does not record with record: false", async () => {
    await withUpstream({ record: false }, async (u) => {
      expect((await post(u, { model: "m", messages })).status).toBe(200);
      expect(u.requests).toEqual([]);
    });
  });

  it("close() resolves promptly with a fake-slow request hanging", async () => {
    const u = await startFakeUpstream({ slowMs: 60_000 });
    const pending = post(u, { model: "fake-slow", messages });
    pending.catch(() => undefined);
    await u.arrived(1);
    const started = performance.now();
    await u.close();
    expect(performance.now() - started).toBeLessThan(1_000);
    await expect(pending).rejects.toThrow();
    await expect(fetch(`${u.url}/models`)).rejects.toThrow();
    await u.close(); // idempotent
  });
});
