// A fake OpenAI-compatible upstream (node:http only) for the gateway's tests
// and benchmarks. Behaviour is chosen by the request's `model`; see README.md.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { openAiEmbeddingsBody } from "./fake-embeddings.js";
import {
  type Answer,
  BAD_KEY_MESSAGE,
  buildAnswer,
  ChunkWriter,
  type CompletionMeta,
  choicesWanted,
  completionBody,
  DONE,
  errorEnvelope,
  FAKE_ERRORS,
  isObject,
  type JsonObject,
  modelsBody,
} from "./fake-upstream-openai.js";

export { FAKE_GEMINI_DIMENSIONS, FAKE_OPENAI_DIMENSIONS, fakeValues, normalised } from "./fake-embeddings.js";
export { countWords, FAKE_MODELS, promptTokens } from "./fake-upstream-openai.js";

export interface FakeUpstreamOptions {
  /** When set, requests must carry `Authorization: Bearer <apiKey>` or get a 401 in OpenAI's error shape. */
  apiKey?: string;
  /** Delay before answering every request (ms), e.g. 20 for benchmarks. Default 0. */
  latencyMs?: number;
  /** Delay for the `fake-slow` model before headers (ms). Default 2000. */
  slowMs?: number;
  /** Delay between stream chunks for `fake-slow-stream` (ms). Default 50. */
  chunkIntervalMs?: number;
  /** Whether to record requests (default true; benchmarks turn it off). */
  record?: boolean;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0 (ephemeral). */
  port?: number;
}

export interface RecordedRequest {
  method: string;
  /** The request target as received (path and query string). */
  path: string;
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON, the raw string when it is not JSON, or undefined when empty. */
  body: unknown;
  /** The body exactly as received. */
  raw: string;
}

export interface FakeUpstream {
  /** Base URL including /v1, e.g. http://127.0.0.1:PORT/v1 */
  url: string;
  port: number;
  requests: RecordedRequest[];
  /** Resolves once `count` requests in all have arrived (bodies read, recorded or not), without polling. */
  arrived(count: number): Promise<void>;
  /** Closes the server and destroys open sockets. */
  close(): Promise<void>;
}

interface Settings {
  expectedAuth: string | null;
  latencyMs: number;
  slowMs: number;
  chunkIntervalMs: number;
  record: boolean;
  /** Requests for `fake-flaky` so far: every other one, from the first, fails. */
  flaky: number;
}

const JSON_HEADERS = { "content-type": "application/json" } as const;
const SSE_HEADERS = {
  "content-type": "text/event-stream",
  "cache-control": "no-cache",
  connection: "keep-alive",
} as const;

export async function startFakeUpstream(options: FakeUpstreamOptions = {}): Promise<FakeUpstream> {
  const settings: Settings = {
    expectedAuth: options.apiKey === undefined ? null : `Bearer ${options.apiKey}`,
    latencyMs: options.latencyMs ?? 0,
    slowMs: options.slowMs ?? 2000,
    chunkIntervalMs: options.chunkIntervalMs ?? 50,
    record: options.record ?? true,
    flaky: 0,
  };
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  let seq = 0;
  const nextId = (): number => ++seq;
  const arrivals = { count: 0, waiters: [] as Array<{ count: number; resolve: () => void }> };
  const onArrival = (): void => {
    arrivals.count += 1;
    arrivals.waiters = arrivals.waiters.filter((waiter) => {
      if (arrivals.count < waiter.count) return true;
      waiter.resolve();
      return false;
    });
  };

  const server = createServer((req, res) => {
    handle(req, res, settings, requests, nextId, onArrival).catch(() => {
      // The client is gone or something unexpected happened: never crash the test run.
      if (!res.headersSent && !res.destroyed) {
        sendJson(res, 500, errorEnvelope("fake upstream internal error", "server_error"));
      } else {
        res.destroy();
      }
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });

  const host = options.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(":") ? `[${host}]` : host;

  let closing: Promise<void> | null = null;
  return {
    url: `http://${urlHost}:${port}/v1`,
    port,
    requests,
    arrived(count: number): Promise<void> {
      if (arrivals.count >= count) return Promise.resolve();
      return new Promise((resolve) => arrivals.waiters.push({ count, resolve }));
    },
    close(): Promise<void> {
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        for (const socket of sockets) socket.destroy();
        sockets.clear();
      });
      return closing;
    },
  };
}

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  settings: Settings,
  requests: RecordedRequest[],
  nextId: () => number,
  onArrival: () => void,
): Promise<void> {
  const raw = await readBody(req);
  let body: unknown;
  let validJson = true;
  if (raw !== "") {
    try {
      body = JSON.parse(raw);
    } catch {
      body = raw;
      validJson = false;
    }
  }
  const method = req.method ?? "GET";
  const target = req.url ?? "/";
  if (settings.record) requests.push({ method, path: target, headers: { ...req.headers }, body, raw });
  onArrival();

  if (settings.latencyMs > 0 && !(await wait(settings.latencyMs, res))) return;

  if (settings.expectedAuth !== null && req.headers.authorization !== settings.expectedAuth) {
    sendJson(res, 401, errorEnvelope(BAD_KEY_MESSAGE, "invalid_request_error", null, "invalid_api_key"));
    return;
  }

  const q = target.indexOf("?");
  const path = q === -1 ? target : target.slice(0, q);
  if (method === "GET" && path === "/v1/models") {
    sendJson(res, 200, modelsBody());
    return;
  }
  if (method !== "POST" || (path !== "/v1/chat/completions" && path !== "/v1/embeddings")) {
    sendJson(res, 404, errorEnvelope(`Invalid URL (${method} ${path})`, "invalid_request_error"));
    return;
  }

  if (!validJson || !isObject(body)) {
    const msg = validJson ? "The request body must be a JSON object." : "We could not parse the JSON body of your request.";
    sendJson(res, 400, errorEnvelope(msg, "invalid_request_error"));
    return;
  }
  if (typeof body.model !== "string" || body.model === "") {
    sendJson(res, 400, errorEnvelope("Missing required parameter: 'model'.", "invalid_request_error", "model"));
    return;
  }
  if (path === "/v1/embeddings") {
    if (body.model === "fake-slow" && !(await wait(settings.slowMs, res))) return;
    embeddings(res, body, body.model, settings);
    return;
  }
  if (!Array.isArray(body.messages)) {
    const msg = "Missing required parameter: 'messages'.";
    sendJson(res, 400, errorEnvelope(msg, "invalid_request_error", "messages"));
    return;
  }
  await chat(res, body, body.model, body.messages, settings, nextId());
}

/** The error models (FAKE_ERRORS) and every other call to `fake-flaky`, answered as failures; true when one was. */
function answeredWithFailure(res: ServerResponse, model: string, settings: Settings): boolean {
  const failure = FAKE_ERRORS.get(model);
  if (failure) {
    sendJson(res, failure.status, failure.body, failure.headers);
    return true;
  }
  if (model === "fake-flaky" && settings.flaky++ % 2 === 0) {
    sendJson(res, 503, errorEnvelope("fake upstream is busy, retry shortly", "server_error"), { "retry-after-ms": "100", "retry-after": "1" });
    return true;
  }
  return false;
}

async function chat(res: ServerResponse, body: JsonObject, model: string, messages: readonly unknown[], settings: Settings, id: number): Promise<void> {
  if (answeredWithFailure(res, model, settings)) return;
  if (model === "fake-drop") {
    res.req.socket.destroy();
    return;
  }
  if (model === "fake-slow" && !(await wait(settings.slowMs, res))) return;

  const answer = buildAnswer(body, messages, `call_fake_${id}`);
  const meta: CompletionMeta = {
    id: `chatcmpl-fake${id}`,
    created: Math.floor(Date.now() / 1000),
    model,
    withUsage: model !== "fake-no-usage",
  };
  if (body.stream !== true) {
    sendJson(res, 200, completionBody(meta, answer, choicesWanted(body)));
    return;
  }
  const includeUsage = meta.withUsage && isObject(body.stream_options) && body.stream_options.include_usage === true;
  const writer = new ChunkWriter(meta, includeUsage);
  res.writeHead(200, SSE_HEADERS);

  if (model === "fake-drop-stream") {
    const words = answer.words.length >= 2 ? answer.words : ["Fake", "answer"];
    res.write(writer.role() + writer.word(words, 0));
    res.write(writer.word(words, 1), () => res.req.socket.destroy());
    return;
  }
  if (model === "fake-slow-stream") {
    await slowStream(res, writer, answer, settings.chunkIntervalMs);
    return;
  }
  res.end(streamBody(writer, answer));
}

/** POST /v1/embeddings: the error models as for chat, else deterministic vectors (fake-embeddings.ts). */
function embeddings(res: ServerResponse, body: JsonObject, model: string, settings: Settings): void {
  if (answeredWithFailure(res, model, settings)) return;
  const answer = openAiEmbeddingsBody(body, model, model !== "fake-no-usage");
  if (answer === null) {
    sendJson(res, 400, errorEnvelope("'input' must be a string, an array of strings or an array of token arrays.", "invalid_request_error", "input"));
    return;
  }
  sendJson(res, 200, answer);
}

/** Every event of an ordinary stream, in one string (cheap: one write). */
function streamBody(writer: ChunkWriter, answer: Answer): string {
  let out: string;
  if (answer.toolCall) {
    out = writer.toolCall(answer.toolCall);
  } else {
    out = writer.role();
    for (let i = 0; i < answer.words.length; i++) out += writer.word(answer.words, i);
  }
  return out + writer.finish(answer.finishReason) + writer.usage(answer.usage) + DONE;
}

async function slowStream(res: ServerResponse, writer: ChunkWriter, answer: Answer, interval: number): Promise<void> {
  res.write(writer.role());
  for (let i = 0; i < answer.words.length; i++) {
    if (!(await wait(interval, res))) return;
    res.write(writer.word(answer.words, i));
  }
  if (!(await wait(interval, res))) return;
  res.end(writer.finish(answer.finishReason) + writer.usage(answer.usage) + DONE);
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { ...JSON_HEADERS, ...headers });
  res.end(JSON.stringify(body));
}

/** Resolves true after `ms`, or false as soon as the client disconnects (timer cleared). */
function wait(ms: number, res: ServerResponse): Promise<boolean> {
  if (res.destroyed || res.req.socket.destroyed) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onClose = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      res.off("close", onClose);
      resolve(true);
    }, ms);
    res.once("close", onClose);
  });
}

/** The whole body as UTF-8 ("" when empty); rejects when the client aborts mid-body. */
function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.once("end", () => resolve(chunks.length === 0 ? "" : Buffer.concat(chunks).toString("utf8")));
    req.once("error", reject);
    req.once("close", () => {
      if (!req.complete) reject(new Error("request aborted"));
    });
  });
}
