import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { APIConnectionError, APIConnectionTimeoutError, type APIError, APIUserAbortError, Bentoo, InternalServerError, RateLimitError } from "../src/index.js";
import { retryTiming } from "../src/retry.js";
import { client, closeAllServers, errorEnvelope, makeKey, sendJSON, startServer, type TestServer, unusedPort } from "./helpers.js";

const MODELS = { object: "list", data: [] };
const originalTiming = { ...retryTiming };
let sleeps: number[] = [];

beforeEach(() => {
  sleeps = [];
  retryTiming.sleep = async (ms) => {
    sleeps.push(ms);
  };
  retryTiming.random = () => 0.5;
});

afterEach(async () => {
  Object.assign(retryTiming, originalTiming);
  await closeAllServers();
});

/** A server that fails `failures` times with `status` (and `headers`), then succeeds. */
function failThenSucceed(failures: number, status: number, headers: Record<string, string> = {}): Promise<TestServer> {
  let count = 0;
  return startServer((_request, response) => {
    count++;
    if (count <= failures) sendJSON(response, status, errorEnvelope(`failure ${count}`, "api_error", "internal_error"), headers);
    else sendJSON(response, 200, MODELS);
  });
}

describe("server-requested delays", () => {
  it("retries a 429 after retry-after-ms (real clock)", async () => {
    Object.assign(retryTiming, originalTiming);
    const server = await failThenSucceed(1, 429, { "retry-after-ms": "20", "retry-after": "30" });
    await expect(client(server).models.list()).resolves.toEqual(MODELS);
    expect(server.requests).toHaveLength(2);
    const waited = (server.requests[1]?.at ?? 0) - (server.requests[0]?.at ?? 0);
    expect(waited).toBeGreaterThanOrEqual(15);
    expect(waited).toBeLessThan(300); // the back-off would be 375–500 ms, Retry-After 30 s
  });

  it("honours Retry-After in seconds", async () => {
    const server = await failThenSucceed(1, 429, { "retry-after": "2" });
    await client(server).models.list();
    expect(sleeps).toEqual([2000]);
  });

  it("honours Retry-After as an HTTP date", async () => {
    retryTiming.now = () => Date.parse("2030-01-01T00:00:00.000Z");
    const server = await failThenSucceed(1, 503, { "retry-after": "Tue, 01 Jan 2030 00:00:05 GMT" });
    await client(server).models.list();
    expect(sleeps).toEqual([5000]);
  });

  it.each([
    ["Retry-After above 60 s", { "retry-after": "120" }],
    ["retry-after-ms of 0", { "retry-after-ms": "0" }],
    ["a negative retry-after-ms", { "retry-after-ms": "-5" }],
    ["a garbage Retry-After", { "retry-after": "soon" }],
  ])("falls back to the back-off for %s", async (_label, headers) => {
    const server = await failThenSucceed(1, 429, headers);
    await client(server).models.list();
    expect(sleeps).toEqual([437.5]);
  });
});

describe("exponential back-off", () => {
  it("waits 0.5 s then 1 s, with jitter, before giving up on a 503", async () => {
    const server = await failThenSucceed(99, 503);
    const error = await client(server)
      .models.list()
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InternalServerError);
    expect((error as APIError).status).toBe(503);
    expect((error as APIError).message).toBe("503 failure 3");
    expect(server.requests).toHaveLength(3);
    expect(sleeps).toEqual([437.5, 875]);
  });

  it("doubles up to 8 s and stays there", async () => {
    retryTiming.random = () => 0;
    const server = await failThenSucceed(99, 500);
    await expect(client(server, { maxRetries: 6 }).models.list()).rejects.toBeInstanceOf(InternalServerError);
    expect(sleeps).toEqual([500, 1000, 2000, 4000, 8000, 8000]);
  });

  it("removes at most 25 % as jitter", async () => {
    retryTiming.random = () => 0.999_999;
    const server = await failThenSucceed(2, 502);
    await client(server).models.list();
    expect(sleeps.map((ms) => Math.round(ms))).toEqual([375, 750]);
  });
});

describe("what is retried", () => {
  it.each([408, 409, 429, 500, 502, 503, 504])("retries %i", async (status) => {
    const server = await failThenSucceed(1, status);
    await expect(client(server).models.list()).resolves.toEqual(MODELS);
    expect(server.requests).toHaveLength(2);
  });

  it.each([400, 401, 402, 403, 404, 413, 422])("does not retry %i", async (status) => {
    const server = await failThenSucceed(1, status);
    const error = await client(server)
      .models.list()
      .catch((caught: unknown) => caught);
    expect((error as APIError).status).toBe(status);
    expect(server.requests).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it("respects maxRetries from the client and per request", async () => {
    const server = await failThenSucceed(99, 429);
    await expect(client(server, { maxRetries: 0 }).models.list()).rejects.toBeInstanceOf(RateLimitError);
    expect(server.requests).toHaveLength(1);
    await expect(client(server, { maxRetries: 3 }).models.list()).rejects.toBeInstanceOf(RateLimitError);
    expect(server.requests).toHaveLength(5);
    await expect(client(server, { maxRetries: 3 }).models.list({ maxRetries: 1 })).rejects.toBeInstanceOf(RateLimitError);
    expect(server.requests).toHaveLength(7);
  });

  it("retries a refused connection, then throws APIConnectionError", async () => {
    const port = await unusedPort();
    let calls = 0;
    const bentoo = new Bentoo({
      apiKey: makeKey(),
      baseURL: `http://127.0.0.1:${port}/v1`,
      fetch: (url, init) => {
        calls++;
        return fetch(url, init);
      },
    });
    const error = await bentoo.models.list().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(APIConnectionError);
    expect(error).not.toBeInstanceOf(APIConnectionTimeoutError);
    expect((error as APIConnectionError).message).toBe("Connection error.");
    expect((error as APIConnectionError).cause).toBeDefined();
    expect(calls).toBe(3);
    expect(sleeps).toEqual([437.5, 875]);
  });

  it("times out a silent server with APIConnectionTimeoutError, retrying each attempt", async () => {
    const server = await startServer(() => undefined); // never answers
    const started = performance.now();
    const error = await client(server, { timeout: 100, maxRetries: 1 })
      .models.list()
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(APIConnectionTimeoutError);
    expect(error).toBeInstanceOf(APIConnectionError);
    expect(performance.now() - started).toBeGreaterThanOrEqual(190);
    expect(server.requests).toHaveLength(2);
    expect(sleeps).toHaveLength(1);
  });

  it("applies a per-request timeout", async () => {
    const server = await startServer(() => undefined);
    const bentoo = client(server, { maxRetries: 0 });
    await expect(bentoo.models.list({ timeout: 50 })).rejects.toBeInstanceOf(APIConnectionTimeoutError);
  });
});

describe("aborting", () => {
  it("rejects with APIUserAbortError and does not retry", async () => {
    const controller = new AbortController();
    const server = await startServer(() => controller.abort()); // aborted once the request has arrived, while its answer is awaited
    const pending = client(server).models.list({ signal: controller.signal });
    await expect(pending).rejects.toBeInstanceOf(APIUserAbortError);
    expect(server.requests).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it("interrupts the wait between retries", async () => {
    let waiting: () => void = () => undefined;
    const retryWaitStarted = new Promise<void>((resolve) => (waiting = resolve));
    // A wait that never ends.
    retryTiming.sleep = () => {
      waiting();
      return new Promise<void>(() => undefined);
    };
    const server = await failThenSucceed(99, 503);
    const controller = new AbortController();
    const pending = client(server).models.list({ signal: controller.signal });
    await retryWaitStarted;
    controller.abort();
    await expect(pending).rejects.toBeInstanceOf(APIUserAbortError);
    expect(server.requests).toHaveLength(1);
  });

  it("does not send a request with an already aborted signal", async () => {
    const server = await startServer((_request, response) => sendJSON(response, 200, MODELS));
    await expect(client(server).models.list({ signal: AbortSignal.abort() })).rejects.toBeInstanceOf(APIUserAbortError);
    expect(server.requests).toHaveLength(0);
  });
});
