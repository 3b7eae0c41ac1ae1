import { randomInt } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { crc32 } from "node:zlib";
import { Bentoo, type ClientOptions } from "../src/index.js";

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

export function randomBase62(length: number): string {
  let out = "";
  for (let index = 0; index < length; index++) out += BASE62.charAt(randomInt(62));
  return out;
}

/** A valid key, built independently of the SDK (Node's zlib CRC-32, BigInt-free base62). */
export function makeKey(mode: "live" | "test" = "test", random: string = randomBase62(26)): string {
  const head = `btoo_sk_${mode}_${random}`;
  let value = crc32(head);
  let checksum = "";
  do {
    checksum = BASE62.charAt(value % 62) + checksum;
    value = Math.floor(value / 62);
  } while (value > 0);
  return head + checksum.padStart(6, "0");
}

export interface RecordedRequest {
  method: string;
  /** The raw request target, as sent on the wire: `/v1/models/openai/gpt-4o?x=1`. */
  url: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: string;
  /** `performance.now()` when the request arrived. */
  at: number;
}

export type Handler = (request: RecordedRequest, response: ServerResponse, raw: IncomingMessage) => void | Promise<void>;

export interface TestServer {
  /** `http://127.0.0.1:<port>/v1` */
  baseURL: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

const openServers = new Set<Server>();

/** A loopback HTTP server that records every request; closed by `closeAllServers()`. */
export async function startServer(handler: Handler): Promise<TestServer> {
  const requests: RecordedRequest[] = [];
  const server = createServer((raw, response) => {
    const at = performance.now();
    const chunks: Buffer[] = [];
    raw.on("data", (chunk: Buffer) => chunks.push(chunk));
    raw.on("end", () => {
      const url = raw.url ?? "/";
      const parsed = new URL(url, "http://127.0.0.1");
      const request: RecordedRequest = {
        method: raw.method ?? "GET",
        url,
        path: parsed.pathname,
        query: parsed.searchParams,
        headers: raw.headers,
        body: Buffer.concat(chunks).toString("utf8"),
        at,
      };
      requests.push(request);
      Promise.resolve(handler(request, response, raw)).catch((error: unknown) => {
        response.destroy(error instanceof Error ? error : new Error(String(error)));
      });
    });
  });
  openServers.add(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    requests,
    close: () => closeServer(server),
  };
}

function closeServer(server: Server): Promise<void> {
  openServers.delete(server);
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

export async function closeAllServers(): Promise<void> {
  await Promise.all([...openServers].map(closeServer));
}

/** A port on 127.0.0.1 where nothing listens (bound, then released). */
export async function unusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export function sendJSON(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(status, { "content-type": "application/json", "x-request-id": "req_test123", ...headers });
  response.end(JSON.stringify(body));
}

export function errorEnvelope(message: string, type: string, code: string, param: string | null = null): object {
  return { error: { message, type, param, code } };
}

export function client(server: TestServer, options: ClientOptions = {}): Bentoo {
  return new Bentoo({ apiKey: makeKey(), baseURL: server.baseURL, ...options });
}

export async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

/**
 * A `fetch` whose response body is exactly the given chunks, one per read, so that
 * tests choose where the network splits the stream. `cancelled()` tells whether the
 * SDK cancelled the body.
 */
export function chunkedFetch(chunks: Array<string | Uint8Array>, init: ResponseInit = {}): { fetch: ClientOptions["fetch"]; cancelled: () => boolean } {
  let cancelled = false;
  const encoder = new TextEncoder();
  const fetch = async (): Promise<Response> => {
    let index = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        const chunk = chunks[index++];
        if (chunk === undefined) controller.close();
        else controller.enqueue(typeof chunk === "string" ? encoder.encode(chunk) : chunk);
      },
      cancel() {
        cancelled = true;
      },
    });
    return new Response(body, { status: 200, headers: { "content-type": "text/event-stream" }, ...init });
  };
  return { fetch, cancelled: () => cancelled };
}

export function sseChunk(content: string, index = 0): string {
  const chunk = {
    id: "chatcmpl-1",
    object: "chat.completion.chunk",
    created: 1_700_000_000,
    model: "openai/gpt-4o-mini",
    choices: [{ index, delta: { content }, finish_reason: null }],
  };
  return `data: ${JSON.stringify(chunk)}\n\n`;
}

export const CHAT_PARAMS = { model: "openai/gpt-4o-mini", messages: [{ role: "user" as const, content: "Hello" }] };
