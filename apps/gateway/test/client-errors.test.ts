import { type AddressInfo, connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "./helpers.js";

/** Sends raw bytes (optionally more later), returns what came back and when the server closed. */
async function rawExchange(port: number, payload: string, waitMs = 3000): Promise<{ received: string; closedAfterMs: number | null }> {
  const socket = connect(port, "127.0.0.1");
  const started = performance.now();
  let received = "";
  socket.on("data", (chunk: Buffer) => (received += chunk.toString("latin1")));
  socket.on("error", () => undefined);
  socket.write(payload);
  const closed = await Promise.race([
    new Promise<true>((resolve) => socket.once("close", () => resolve(true))),
    new Promise<false>((resolve) => setTimeout(() => resolve(false), waitMs)),
  ]);
  const closedAfterMs = closed ? performance.now() - started : null;
  socket.destroy();
  return { received, closedAfterMs };
}

/** Splits a raw HTTP/1.1 answer into status, lower-cased headers and the JSON body. */
function parseAnswer(raw: string): { status: number; headers: Record<string, string>; body: { error: Record<string, unknown> } } {
  const [head = "", body = ""] = raw.split("\r\n\r\n");
  const [statusLine = "", ...lines] = head.split("\r\n");
  const headers = Object.fromEntries(lines.map((line) => [line.slice(0, line.indexOf(":")).toLowerCase(), line.slice(line.indexOf(":") + 1).trim()]));
  return { status: Number(statusLine.split(" ")[1]), headers, body: JSON.parse(body) };
}

/** What Node's HTTP parser refuses before a request exists is answered in OpenAI's envelope too. */
describe("answers written by the server for requests it could not parse", () => {
  let t: TestApp;
  let port: number;
  const HEADERS_TIMEOUT_MS = 300;
  const REQUEST_TIMEOUT_MS = 600;
  beforeAll(async () => {
    t = await createTestApp({ env: { BENTOO_HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS), BENTOO_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS) } });
    await t.app.listen({ host: "127.0.0.1", port: 0 });
    port = (t.app.server.address() as AddressInfo).port;
  });
  afterAll(() => t?.dispose());

  it("headers over the limit get 431 request_header_fields_too_large as JSON (Node's fetch reads it)", async () => {
    const response = await fetch(`http://127.0.0.1:${port}/v1/models`, { headers: { "x-padding": "a".repeat(20_000) } });
    expect(response.status).toBe(431);
    expect(response.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(response.headers.get("x-request-id")).toMatch(/^req_/);
    expect(response.headers.get("connection")).toBe("close");
    const body = (await response.json()) as { error: Record<string, unknown> };
    expect(body.error).toMatchObject({ code: "request_header_fields_too_large", type: "invalid_request_error", param: null });
    expect(body.error.message).toContain("16384 bytes");
  });

  it("a malformed request line gets 400 invalid_request in the envelope, then the connection closes", async () => {
    const { received, closedAfterMs } = await rawExchange(port, "GET /v1/models HTTP/1.1 extra\r\nHost: x\r\n\r\n");
    const answer = parseAnswer(received);
    expect(answer.status).toBe(400);
    expect(answer.headers["content-type"]).toBe("application/json; charset=utf-8");
    expect(answer.headers["content-length"]).toBe(String(Buffer.byteLength(received.split("\r\n\r\n")[1]!)));
    expect(answer.body.error).toMatchObject({ code: "invalid_request", type: "invalid_request_error" });
    expect(answer.body.error.message).toContain("not valid HTTP/1.1");
    expect(closedAfterMs).not.toBeNull();
  });

  it("headers that do not arrive in time get 408 request_timeout in the envelope", async () => {
    const { received, closedAfterMs } = await rawExchange(port, "GET /v1/models HTTP/1.1\r\nHost: x\r\n");
    const answer = parseAnswer(received);
    expect(answer.status).toBe(408);
    expect(answer.body.error).toMatchObject({ code: "request_timeout", type: "invalid_request_error" });
    expect(answer.body.error.message).toContain(`within ${HEADERS_TIMEOUT_MS / 1000} s`);
    expect(closedAfterMs).toBeGreaterThan(HEADERS_TIMEOUT_MS - 100);
  });

  it("a request already answered (401 while its body was arriving) gets no second answer when its body times out", async () => {
    const head = "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer btoo_sk_test_0000\r\nContent-Type: application/json\r\n";
    const { received, closedAfterMs } = await rawExchange(port, `${head}Content-Length: 100000\r\n\r\n${"x".repeat(1000)}`);
    expect(received).toMatch(/^HTTP\/1\.1 401 /);
    expect(received.match(/HTTP\/1\.1 /g)).toHaveLength(1);
    expect(closedAfterMs).not.toBeNull();
  });
});
