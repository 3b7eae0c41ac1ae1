// A webhook receiver (node:http only) for tests: records every delivery and
// answers 200, or a chosen failure for the next few.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

export interface ReceivedWebhook {
  path: string;
  /** Header names lower-cased; repeated headers joined with ", ". */
  headers: Record<string, string>;
  /** The body exactly as received (what the signature covers). */
  body: string;
  /** The status this receiver answered. */
  answeredWith: number;
}

export interface WebhookReceiver {
  /** `http://127.0.0.1:PORT` */
  url: string;
  received: ReceivedWebhook[];
  /** The next `count` deliveries are answered with `status` (default 500) instead of 200. */
  failNext(count: number, status?: number): void;
  /** Every answer waits this long first (ms), to make attempts overlap. */
  delayMs: number;
  /** Resolves once `count` deliveries in all have arrived; rejects after `timeoutMs` (default 10 s) saying how many did. */
  arrived(count: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

function headersOf(request: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  return headers;
}

/** Starts a receiver on 127.0.0.1, on an ephemeral port. */
export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  const waiters: Array<{ count: number; resolve: () => void }> = [];
  const sockets = new Set<Socket>();
  let failures: { count: number; status: number } = { count: 0, status: 500 };
  const receiver: WebhookReceiver = {
    url: "",
    received,
    delayMs: 0,
    failNext(count, status = 500) {
      failures = { count, status };
    },
    arrived(count, timeoutMs = 10_000) {
      if (received.length >= count) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`expected ${count} webhook deliveries, ${received.length} arrived in ${timeoutMs} ms`)), timeoutMs);
        waiters.push({
          count,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        });
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const status = failures.count > 0 ? failures.status : 200;
      if (failures.count > 0) failures.count -= 1;
      setTimeout(() => {
        received.push({ path: request.url ?? "", headers: headersOf(request), body: Buffer.concat(chunks).toString("utf8"), answeredWith: status });
        response.writeHead(status, { "content-type": "text/plain" }).end(status === 200 ? "ok" : "failing on purpose");
        for (const waiter of waiters.filter((candidate) => received.length >= candidate.count)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve();
        }
      }, receiver.delayMs);
    });
  });
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return receiver;
}
