// A fake Gemini API upstream (node:http only) for the tests of the `gemini`
// provider type. It speaks generateContent and streamGenerateContent?alt=sse as
// the reference describes them (https://ai.google.dev/api/generate-content), with
// Gemini's error envelope; behaviour is chosen by the model in the path. See README.md.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { geminiEmbeddingsBody } from "./fake-embeddings.js";
import { answerParts, buildAnswer, checkRequest, type FakeAnswer, FakeGeminiError, geminiError, response } from "./fake-gemini-answers.js";
import type { RecordedRequest } from "./fake-upstream.js";
import { isObject, type JsonObject } from "./fake-upstream-openai.js";

export { MEDIA_TOKENS, UNKNOWN_SIGNATURE } from "./fake-gemini-answers.js";

export interface FakeGeminiOptions {
  /** When set, requests must carry `x-goog-api-key: <apiKey>` or get Gemini's 400 API_KEY_INVALID. */
  apiKey?: string;
  /** Whether to record requests (default true). */
  record?: boolean;
}

export interface FakeGemini {
  /** Base URL including the API version, e.g. http://127.0.0.1:PORT/v1beta */
  url: string;
  port: number;
  requests: RecordedRequest[];
  /** The thought signatures the fake issued, in order (for `fake-signed-tools`). */
  signatures: string[];
  close(): Promise<void>;
}

const ROUTE = /^\/v1beta\/models\/([^/:]+):(generateContent|streamGenerateContent|batchEmbedContents)$/;
const SSE_HEADERS = { "content-type": "text/event-stream", "cache-control": "no-cache" } as const;

/** The error each `fake-error-…` model answers with (https://ai.google.dev/gemini-api/docs/troubleshooting#error-codes). */
const ERRORS: Record<string, [number, string, string, unknown[]?]> = {
  "fake-error-400": [400, "INVALID_ARGUMENT", "Request contains an invalid argument."],
  "fake-error-key": [
    400,
    "INVALID_ARGUMENT",
    "API key not valid. Please pass a valid API key.",
    [{ "@type": "type.googleapis.com/google.rpc.ErrorInfo", reason: "API_KEY_INVALID", domain: "googleapis.com" }],
  ],
  "fake-error-precondition": [400, "FAILED_PRECONDITION", "User location is not supported for the API use."],
  "fake-error-403": [403, "PERMISSION_DENIED", "The caller does not have permission"],
  "fake-error-404": [404, "NOT_FOUND", "models/fake-error-404 is not found for API version v1beta."],
  "fake-error-429": [
    429,
    "RESOURCE_EXHAUSTED",
    "You exceeded your current quota, please check your plan and billing details.",
    [{ "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: "1s" }],
  ],
  "fake-error-500": [500, "INTERNAL", "An internal error has occurred."],
  "fake-error-503": [503, "UNAVAILABLE", "The model is overloaded. Please try again later."],
  "fake-error-504": [504, "DEADLINE_EXCEEDED", "Deadline expired before operation could complete."],
};

export async function startFakeGemini(options: FakeGeminiOptions = {}): Promise<FakeGemini> {
  const requests: RecordedRequest[] = [];
  const signatures: string[] = [];
  const sockets = new Set<Socket>();
  let seq = 0;
  const state = { requests, signatures, record: options.record ?? true, apiKey: options.apiKey ?? null, next: () => ++seq };
  const server = createServer((req, res) => {
    handle(req, res, state).catch(() => {
      if (!res.headersSent && !res.destroyed) send(res, 500, geminiError(500, "INTERNAL", "fake Gemini internal error"));
      else res.destroy();
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  let closing: Promise<void> | null = null;
  return {
    url: `http://127.0.0.1:${port}/v1beta`,
    port,
    requests,
    signatures,
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        for (const socket of sockets) socket.destroy();
      });
      return closing;
    },
  };
}

interface State {
  requests: RecordedRequest[];
  signatures: string[];
  record: boolean;
  apiKey: string | null;
  next: () => number;
}

async function handle(req: IncomingMessage, res: ServerResponse, state: State): Promise<void> {
  const raw = await readBody(req);
  let body: unknown;
  try {
    body = raw === "" ? undefined : JSON.parse(raw);
  } catch {
    body = raw;
  }
  const target = new URL(req.url ?? "/", "http://fake");
  if (state.record) state.requests.push({ method: req.method ?? "GET", path: `${target.pathname}${target.search}`, headers: { ...req.headers }, body, raw });
  if (state.apiKey !== null && req.headers["x-goog-api-key"] !== state.apiKey) {
    const [status, code, message, details] = ERRORS["fake-error-key"]!;
    send(res, status, geminiError(status, code, message, details));
    return;
  }
  const route = ROUTE.exec(target.pathname);
  if (req.method !== "POST" || route === null) {
    send(res, 404, geminiError(404, "NOT_FOUND", `Invalid URL (${req.method} ${target.pathname})`));
    return;
  }
  const model = decodeURIComponent(route[1]!);
  const error = ERRORS[model];
  if (error !== undefined) {
    send(res, error[0], geminiError(error[0], error[1], error[2], error[3]));
    return;
  }
  if (route[2] === "batchEmbedContents") {
    const answer = isObject(body) ? geminiEmbeddingsBody(body, model) : "Invalid JSON payload received.";
    if (typeof answer === "string") send(res, 400, geminiError(400, "INVALID_ARGUMENT", answer));
    else send(res, 200, answer);
    return;
  }
  const streamed = route[2] === "streamGenerateContent";
  if (streamed && target.searchParams.get("alt") !== "sse") {
    send(res, 400, geminiError(400, "INVALID_ARGUMENT", "The fake Gemini streams only as server-sent events: add ?alt=sse."));
    return;
  }
  if (!isObject(body)) {
    send(res, 400, geminiError(400, "INVALID_ARGUMENT", "Invalid JSON payload received."));
    return;
  }
  let answer: FakeAnswer;
  try {
    checkRequest(body, model, new Set(state.signatures));
    answer = buildAnswer(body, model, () => issueSignature(state));
  } catch (failure) {
    if (!(failure instanceof FakeGeminiError)) throw failure;
    send(res, failure.status, failure.body);
    return;
  }
  const meta = { model, id: `fake-gemini-${state.next()}` };
  if (!streamed) {
    send(res, 200, response(answer, answerParts(answer), answer.finishReason, answer.usage, meta));
    return;
  }
  res.writeHead(200, SSE_HEADERS);
  const events = streamChunks(answer, meta).map((chunk) => `data: ${JSON.stringify(chunk)}\r\n\r\n`);
  if (model === "fake-drop-stream") {
    res.write(events.slice(0, 2).join(""), () => res.socket?.destroy());
    return;
  }
  if (model === "fake-stream-error") {
    res.end(`${events[0]}data: ${JSON.stringify(geminiError(500, "INTERNAL", "An internal error has occurred."))}\r\n\r\n`);
    return;
  }
  res.end(events.join(""));
}

/** A signature Gemini would issue: opaque base64 (with `+`, `/` and padding, which clients must keep). */
function issueSignature(state: State): string {
  const signature = Buffer.concat([Buffer.from(`fake-signature-${state.signatures.length + 1}`), Buffer.from([0xfb, 0xef, 0xff, 0xff])]).toString("base64");
  state.signatures.push(signature);
  return signature;
}

/**
 * The chunks of a stream: the prompt block alone; or a thought chunk (when asked
 * for), one chunk per piece of text, and a last chunk with the function calls,
 * the finish reason and the whole usage (earlier chunks carry the prompt count).
 */
function streamChunks(answer: FakeAnswer, meta: { model: string; id: string }): JsonObject[] {
  const promptOnly = { promptTokenCount: answer.usage.promptTokenCount, totalTokenCount: answer.usage.promptTokenCount };
  if (answer.blockReason !== null) return [response(answer, [], null, answer.usage, meta)];
  const chunks: JsonObject[] = [];
  if (answer.thought !== null) chunks.push(response(answer, [{ text: answer.thought, thought: true }], null, promptOnly, meta));
  const pieces = answer.pieces;
  const last = answer.finishReason === "SAFETY" || answer.calls.length > 0 ? pieces.length : pieces.length - 1;
  for (let index = 0; index < last; index += 1) chunks.push(response(answer, [{ text: pieces[index]! }], null, promptOnly, meta));
  const final: JsonObject[] = [];
  if (last < pieces.length) final.push({ text: pieces[last]! });
  for (const call of answer.calls)
    final.push({
      functionCall: { name: call.name, args: call.args },
      ...(call.thoughtSignature === undefined ? {} : { thoughtSignature: call.thoughtSignature }),
    });
  chunks.push(response(answer, final, answer.finishReason, answer.usage, meta));
  return chunks;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json; charset=UTF-8" });
  res.end(JSON.stringify(body));
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.once("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.once("error", reject);
  });
}
