// A fake Anthropic Messages API upstream (node:http only) for the gateway's
// tests. Behaviour is chosen by the request's `model`; see README.md. Written
// from the API reference: https://docs.anthropic.com/en/api/messages (request
// checks and answers), https://docs.anthropic.com/en/api/errors (error shapes),
// https://docs.anthropic.com/en/docs/build-with-claude/streaming (events).
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import {
  ANTHROPIC_ERRORS,
  buildReply,
  errorBody,
  inputTokens,
  messageBody,
  slowStreamEvents,
  streamErrorEvent,
  streamEvents,
} from "./fake-anthropic-messages.js";
import type { RecordedRequest } from "./fake-upstream.js";
import { isObject, type JsonObject } from "./fake-upstream-openai.js";

export { FAKE_CACHE_READ_TOKENS, FAKE_CACHE_WRITE_TOKENS, FAKE_DOCUMENT_TOKENS, FAKE_IMAGE_TOKENS, SLOW_STREAM_WORDS } from "./fake-anthropic-messages.js";

export interface FakeAnthropicOptions {
  /** When set, requests must carry `x-api-key: <apiKey>` or get a 401 `authentication_error`. */
  apiKey?: string;
  /** Whether to record requests (default true). */
  record?: boolean;
  /** Default 127.0.0.1. */
  host?: string;
  /** The gap between the events of `fake-slow-stream` (default 50 ms). */
  chunkIntervalMs?: number;
}

export interface FakeAnthropic {
  /** Base URL including /v1, e.g. http://127.0.0.1:PORT/v1 */
  url: string;
  port: number;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

const SSE_HEADERS = { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" } as const;

export async function startFakeAnthropic(options: FakeAnthropicOptions = {}): Promise<FakeAnthropic> {
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  let sequence = 0;
  const server = createServer((request, response) => {
    handle(request, response, options, requests, () => ++sequence).catch(() => {
      if (!response.headersSent && !response.destroyed) sendJson(response, 500, errorBody("api_error", "fake upstream internal error"));
      else response.destroy();
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  const host = options.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  let closing: Promise<void> | null = null;
  return {
    url: `http://${host}:${port}/v1`,
    port,
    requests,
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        for (const socket of sockets) socket.destroy();
      });
      return closing;
    },
  };
}

async function handle(
  request: IncomingMessage,
  response: ServerResponse,
  options: FakeAnthropicOptions,
  requests: RecordedRequest[],
  next: () => number,
): Promise<void> {
  const raw = await readBody(request);
  let body: unknown;
  try {
    body = raw === "" ? undefined : JSON.parse(raw);
  } catch {
    body = raw;
  }
  const method = request.method ?? "GET";
  const path = request.url ?? "/";
  if (options.record ?? true) requests.push({ method, path, headers: { ...request.headers }, body, raw });
  const counting = path === "/v1/messages/count_tokens";
  if (method !== "POST" || (path !== "/v1/messages" && !counting)) return sendError(response, 404, "not_found_error", `Not found: ${method} ${path}`);
  if (options.apiKey !== undefined && request.headers["x-api-key"] !== options.apiKey)
    return sendError(response, 401, "authentication_error", "invalid x-api-key");
  if (typeof request.headers["anthropic-version"] !== "string")
    return sendError(response, 400, "invalid_request_error", "anthropic-version: header is required");
  if (!isObject(body)) return sendError(response, 400, "invalid_request_error", "The request body is not valid JSON.");
  if (counting) return countTokens(response, body);
  const problem = requestProblem(body);
  if (problem !== null) return sendError(response, 400, "invalid_request_error", problem);
  const model = body.model as string;
  const failure = ANTHROPIC_ERRORS.get(model);
  if (failure !== undefined) return sendError(response, failure.status, failure.type, failure.message, failure.headers);
  const id = next();
  const reply = buildReply(body, model, body.messages as JsonObject[], id);
  if (body.stream !== true) return sendJson(response, 200, messageBody(id, model, reply));
  response.writeHead(200, SSE_HEADERS);
  if (model === "fake-drop-stream") {
    response.write(streamEvents(id, model, reply, true).join(""), () => response.socket?.destroy());
    return;
  }
  if (model === "fake-slow-stream") return writeSlowly(response, slowStreamEvents(id, model, reply), options.chunkIntervalMs ?? 50);
  if (model === "fake-stream-error") {
    response.end(streamEvents(id, model, reply, true).join("") + streamErrorEvent("overloaded_error", "Overloaded"));
    return;
  }
  response.end(streamEvents(id, model, reply).join(""));
}

/** `count_tokens`: the `input_tokens` a Message's usage would report for the same request. */
function countTokens(response: ServerResponse, body: JsonObject): void {
  const messages = Array.isArray(body.messages) ? body.messages.filter(isObject) : [];
  const failure = typeof body.model === "string" ? ANTHROPIC_ERRORS.get(body.model) : undefined;
  if (typeof body.model !== "string" || body.model === "") sendError(response, 400, "invalid_request_error", "model: Field required");
  else if (messages.length === 0) sendError(response, 400, "invalid_request_error", "messages: Field required");
  else if (body.max_tokens !== undefined) sendError(response, 400, "invalid_request_error", "max_tokens: Extra inputs are not permitted");
  else if (failure !== undefined) sendError(response, failure.status, failure.type, failure.message, failure.headers);
  else sendJson(response, 200, { input_tokens: inputTokens(body, messages) });
}

/** What the real API would refuse with a 400, checked as its reference states; null when the request is well formed. */
function requestProblem(body: JsonObject): string | null {
  if (typeof body.model !== "string" || body.model === "") return "model: Field required";
  if (typeof body.max_tokens !== "number" || !Number.isInteger(body.max_tokens) || body.max_tokens < 0) return "max_tokens: Field required";
  if (!Array.isArray(body.messages) || body.messages.length === 0) return "messages: Field required";
  if (body.system !== undefined && typeof body.system !== "string" && !Array.isArray(body.system)) return "system: Input should be a valid string or list";
  let previousToolUses = new Set<string>();
  for (const [index, message] of body.messages.entries()) {
    if (!isObject(message) || (message.role !== "user" && message.role !== "assistant")) return `messages.${index}.role: Input should be 'user' or 'assistant'`;
    const content = typeof message.content === "string" ? [{ type: "text", text: message.content }] : message.content;
    if (!Array.isArray(content) || content.length === 0) return `messages.${index}: all messages must have non-empty content`;
    const toolUses = new Set<string>();
    for (const block of content) {
      if (!isObject(block)) return `messages.${index}.content: Input should be a valid list of content blocks`;
      if (block.type === "text" && (typeof block.text !== "string" || block.text === "")) return `messages.${index}: text content blocks must be non-empty`;
      if (block.type === "tool_use") {
        if (!isObject(block.input)) return `messages.${index}.content: tool_use.input: Input should be a valid dictionary`;
        toolUses.add(String(block.id));
      }
      if (block.type === "tool_result" && !previousToolUses.has(String(block.tool_use_id)))
        return `messages.${index}.content: unexpected \`tool_use_id\` found in \`tool_result\` blocks: ${String(block.tool_use_id)}`;
    }
    previousToolUses = toolUses;
  }
  const thinking = body.thinking;
  if (isObject(thinking) && thinking.type === "adaptive") {
    if (thinking.budget_tokens !== undefined) return "thinking.adaptive.budget_tokens: Extra inputs are not permitted";
  }
  const effort = isObject(body.output_config) ? body.output_config.effort : undefined;
  if (effort !== undefined && !["low", "medium", "high", "max"].includes(String(effort)))
    return "output_config.effort: Input should be 'low', 'medium', 'high' or 'max'";
  if (isObject(thinking) && thinking.type === "enabled") {
    if (ADAPTIVE_ONLY.test(String(body.model)))
      return `thinking.type.enabled is not supported for this model. Use thinking.type.adaptive and output_config.effort to control thinking behavior.`;
    const budget = thinking.budget_tokens;
    if (typeof budget !== "number" || budget < 1024) return "thinking.enabled.budget_tokens: Input should be greater than or equal to 1024";
    if (budget >= body.max_tokens) return "`max_tokens` must be greater than `thinking.budget_tokens`";
  }
  return null;
}

/** Writes one event every `intervalMs`; stops when the client goes away. */
async function writeSlowly(response: ServerResponse, events: readonly string[], intervalMs: number): Promise<void> {
  for (const text of events) {
    if (response.destroyed) return;
    response.write(text);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  if (!response.destroyed) response.end();
}

/** Models that refuse fixed thinking budgets (Claude Opus 4.7 and later, as Anthropic documents): adaptive thinking only. */
const ADAPTIVE_ONLY = /^claude-opus-(?:4-(?:[7-9]|[1-9]\d)|[5-9])(?!\d)/;

function sendError(response: ServerResponse, status: number, type: string, message: string, headers: Record<string, string> = {}): void {
  sendJson(response, status, errorBody(type, message), headers);
}

function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(status, { "content-type": "application/json", "request-id": "req_fake_anthropic", ...headers });
  response.end(JSON.stringify(body));
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.once("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    request.once("error", reject);
  });
}
