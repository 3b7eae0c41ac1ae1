import { once } from "node:events";
import { type AddressInfo, connect, type Socket } from "node:net";
import Fastify, { type FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { answerBeforeBody, drainLimits } from "../src/http/unread-body.js";

const LIMITS = { maxBytes: 256 * 1024, maxMs: 400 };
/** Per path, so that each bound is tested with the other out of reach. */
const LIMITS_BY_PATH: Record<string, typeof LIMITS> = {
  "/refuse": LIMITS,
  "/refuse-bytes": { maxBytes: LIMITS.maxBytes, maxMs: 60_000 },
  "/refuse-time": { maxBytes: 1024 * 1024 * 1024, maxMs: LIMITS.maxMs },
};

/** A raw connection that records what the server sent and when it closed. */
class RawClient {
  received = "";
  closedAt: number | null = null;
  readonly socket: Socket;
  readonly #closing: Promise<void>;
  constructor(port: number) {
    this.socket = connect(port, "127.0.0.1");
    this.socket.on("data", (chunk: Buffer) => (this.received += chunk.toString("latin1")));
    // A reset while we are still writing is one of the outcomes under test, not a failure.
    this.socket.on("error", () => undefined);
    this.#closing = new Promise((resolve) =>
      this.socket.once("close", () => {
        this.closedAt = performance.now();
        resolve();
      }),
    );
  }
  async ready(): Promise<this> {
    await once(this.socket, "connect");
    return this;
  }
  /** Resolves once `text` has arrived (or rejects after `ms`). */
  async waitFor(text: string, ms = 2000): Promise<void> {
    const deadline = performance.now() + ms;
    while (!this.received.includes(text)) {
      if (performance.now() > deadline) throw new Error(`waited ${ms} ms for ${JSON.stringify(text)}; got ${JSON.stringify(this.received)}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }
  async closed(ms = 3000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.#closing, new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`still open after ${ms} ms`)), ms)))]);
    clearTimeout(timer);
  }
}

const head = (length: number | "chunked", path = "/refuse") =>
  `POST ${path} HTTP/1.1\r\nHost: x\r\n${length === "chunked" ? "Transfer-Encoding: chunked" : `Content-Length: ${length}`}\r\nContent-Type: application/json\r\n\r\n`;

/**
 * A refusal answered while the body is still on its way, after Fastify asked for
 * the connection to close (as it does after a body error).
 */
describe("answers sent before the request body has arrived", () => {
  let app: FastifyInstance;
  let port: number;
  beforeAll(async () => {
    app = Fastify();
    app.addHook("onRequest", (request, reply, done) => {
      const limits = LIMITS_BY_PATH[request.url];
      if (limits === undefined) return done();
      reply.header("connection", "close");
      answerBeforeBody(request, reply, limits);
      reply.code(401).send({ error: { code: "refused" } });
    });
    app.get("/next", async () => ({ ok: true }));
    await app.listen({ host: "127.0.0.1", port: 0 });
    port = (app.server.address() as AddressInfo).port;
  });
  afterAll(() => app?.close());

  it("answers at once, reads the rest of the body, and keeps the connection for the next request", async () => {
    const client = await new RawClient(port).ready();
    client.socket.write(`${head(100_000)}${"x".repeat(1000)}`);
    await client.waitFor('{"error":{"code":"refused"}}');
    expect(client.received).toMatch(/^HTTP\/1\.1 401 /);
    expect(client.received.toLowerCase()).not.toContain("connection: close");
    // The rest of the body, then another request on the same connection.
    client.socket.write("x".repeat(99_000));
    client.socket.write("GET /next HTTP/1.1\r\nHost: x\r\n\r\n");
    await client.waitFor('{"ok":true}');
    expect(client.closedAt).toBeNull();
    client.socket.destroy();
  });

  it("closes the connection, after the answer, once more than maxBytes of body arrived", async () => {
    const client = await new RawClient(port).ready();
    client.socket.write(head("chunked", "/refuse-bytes"));
    await client.waitFor("refused");
    const chunk = `${(64 * 1024).toString(16)}\r\n${"x".repeat(64 * 1024)}\r\n`;
    // Eight times the bound; the server stops reading and closes well before the end.
    for (let sent = 0; sent < 8 * LIMITS.maxBytes && client.closedAt === null; sent += 64 * 1024) {
      if (!client.socket.write(chunk)) await Promise.race([once(client.socket, "drain"), client.closed()]).catch(() => undefined);
    }
    await client.closed();
    expect(client.received).toMatch(/^HTTP\/1\.1 401 /);
  });

  it("closes the connection once maxMs have passed and the body is still not complete", async () => {
    const client = await new RawClient(port).ready();
    const started = performance.now();
    client.socket.write(`${head(10_000, "/refuse-time")}${"x".repeat(100)}`);
    await client.waitFor("refused");
    await client.closed();
    expect(client.closedAt! - started).toBeGreaterThanOrEqual(LIMITS.maxMs - 50);
    expect(client.closedAt! - started).toBeLessThan(LIMITS.maxMs + 1500);
  });

  it("does not read a body declared larger than maxBytes: the answer says Connection: close", async () => {
    const client = await new RawClient(port).ready();
    client.socket.write(`${head(LIMITS.maxBytes + 1)}xx`);
    await client.waitFor("refused");
    expect(client.received.toLowerCase()).toContain("connection: close");
    await client.closed();
  });

  it("reads up to 64 MiB, or twice the body limit when that is more, for 5 seconds", () => {
    expect(drainLimits(4 * 1024 * 1024)).toEqual({ maxBytes: 64 * 1024 * 1024, maxMs: 5000 });
    expect(drainLimits(64 * 1024 * 1024)).toEqual({ maxBytes: 128 * 1024 * 1024, maxMs: 5000 });
  });
});
