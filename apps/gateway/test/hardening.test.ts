import { once } from "node:events";
import { type AddressInfo, connect, type Socket } from "node:net";
import { builtinCatalog, type Storage } from "@bentoo/core";
import { createApp, createLogger, createServices, parseConfig } from "@bentoo/gateway";
import { type FakeUpstream, sqliteTarget, startFakeUpstream } from "@bentoo/test-kit";
import Fastify from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { installErrorHandler } from "../src/http/error-handler.js";
import { ADMIN_TOKEN, bearer, createTestApp, LogCapture, parseSse, pricedCatalog, type TestApp } from "./helpers.js";

const CHAT = { model: "openai/gpt-6-luna", messages: [{ role: "user", content: "hi" }], max_tokens: 5 };

/** A chat body whose extra field nests so that the whole document is `depth` levels deep. */
function nestedBody(depth: number): string {
  const inner = depth - 1; // the outer object is level 1
  return `${JSON.stringify(CHAT).slice(0, -1)},"vendor_extra":${"[".repeat(inner)}${"]".repeat(inner)}}`;
}

describe("request bodies: JSON only, UTF-8, bounded", () => {
  let t: TestApp;
  let key: string;
  beforeAll(async () => {
    t = await createTestApp({ env: { BENTOO_BODY_LIMIT: "65536" } });
    ({ key } = await t.seedAccount());
  });
  afterAll(() => t?.dispose());

  const post = (payload: string | Buffer, contentType: string | null = "application/json", url = "/v1/chat/completions") =>
    t.app.inject({ method: "POST", url, headers: { ...bearer(key), ...(contentType === null ? {} : { "content-type": contentType }) }, payload });

  it("accepts 64 levels of nesting and refuses 65 with 400 json_too_deep", async () => {
    expect((await post(nestedBody(64))).statusCode).toBe(200);
    const refused = await post(nestedBody(65));
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error).toMatchObject({ code: "json_too_deep", type: "invalid_request_error" });
  });

  it("refuses very deep documents at once, before parsing", async () => {
    const started = performance.now();
    const response = await post("[".repeat(30_000) + "]".repeat(30_000)); // within the 64 KiB body limit
    expect(response.json().error.code).toBe("json_too_deep");
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it("does not count brackets inside strings, escaped quotes included", async () => {
    const content = `a \\" ${"[{".repeat(500)}`;
    const response = await post(JSON.stringify({ ...CHAT, messages: [{ role: "user", content }] }));
    expect(response.statusCode).toBe(200);
  });

  it.each([
    ["a lone continuation byte", [0x80]],
    ["a truncated sequence", [0xe2, 0x82]],
    ["an overlong encoding of '/'", [0xc0, 0xaf]],
    ["an encoded surrogate", [0xed, 0xa0, 0x80]],
    ["0xFF", [0xff]],
  ])("refuses invalid UTF-8 (%s) with 400 invalid_json", async (_label, bytes) => {
    const prefix = Buffer.from('{"model":"openai/gpt-6-luna","messages":[{"role":"user","content":"');
    const response = await post(Buffer.concat([prefix, Buffer.from(bytes), Buffer.from('"}]}')]));
    expect(response.statusCode).toBe(400);
    expect(response.json().error).toMatchObject({ code: "invalid_json" });
    expect(response.json().error.message).toContain("UTF-8");
  });

  it("accepts UTF-8 text, multi-byte characters and a byte-order mark", async () => {
    const body = JSON.stringify({ ...CHAT, messages: [{ role: "user", content: "héllo — 你好 😀" }] });
    expect((await post(body)).statusCode).toBe(200);
    expect((await post(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(body)]))).statusCode).toBe(200);
  });

  it.each([
    ["application/json", 200],
    ["application/json; charset=utf-8", 200],
    ["Application/JSON;charset=UTF8", 200],
    ["application/json; charset=latin1", 415],
    ["application/json; charset=utf-16", 415],
    ["text/plain", 415],
    ["text/json", 415],
    ["application/x-www-form-urlencoded", 415],
    ["multipart/form-data; boundary=x", 415],
    ["application/json-patch+json", 415],
    ["application/jsonx", 415],
    ["", 415],
    [null, 415],
  ])("Content-Type %j → %i", async (contentType, status) => {
    const response = await post(JSON.stringify(CHAT), contentType);
    expect(response.statusCode).toBe(status);
    if (status === 415) expect(response.json().error.code).toBe("unsupported_media_type");
  });

  it.each([
    ["__proto__", '{"model":"openai/gpt-6-luna","messages":[{"role":"user","content":"hi"}],"__proto__":{"admin":true}}'],
    ["escaped __proto__", '{"model":"openai/gpt-6-luna","messages":[{"role":"user","content":"hi"}],"\\u005f_proto__":{"admin":true}}'],
    ["constructor.prototype", '{"model":"openai/gpt-6-luna","messages":[{"role":"user","content":"hi","constructor":{"prototype":{"admin":true}}}]}'],
  ])("keeps refusing prototype poisoning (%s) with 400", async (_label, payload) => {
    const response = await post(payload);
    expect(response.statusCode).toBe(400);
    expect(response.json().error.code).toBe("invalid_json");
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
  });

  it("the body limit gives 413 request_too_large on every surface", async () => {
    const huge = JSON.stringify({ ...CHAT, messages: [{ role: "user", content: "x".repeat(70_000) }] });
    for (const url of ["/v1/chat/completions", "/admin/v1/accounts", "/api/auth/signin"]) {
      const response = await t.app.inject({
        method: "POST",
        url,
        headers: { ...bearer(url.startsWith("/admin") ? ADMIN_TOKEN : key), "content-type": "application/json" },
        payload: huge,
      });
      expect(response.statusCode, url).toBe(413);
      expect(response.json().error.code).toBe("request_too_large");
    }
  });
});

describe("5xx responses never carry internals", () => {
  it("an unexpected error becomes 500 internal_error with the request id, no message or stack", async () => {
    const app = Fastify();
    installErrorHandler(app, 1024);
    app.get("/boom", async () => {
      throw new Error("ECONNREFUSED postgres://admin:hunter2@db.internal:5432 at /srv/bentoo/storage.ts:42");
    });
    const response = await app.inject({ url: "/boom" });
    expect(response.statusCode).toBe(500);
    expect(response.json().error).toMatchObject({ code: "internal_error", type: "api_error", param: null });
    expect(response.json().error.message).toMatch(/^Bentoo hit an unexpected error\. Retry; if it persists, report request id \S+\.$/);
    expect(response.body).not.toMatch(/hunter2|db\.internal|storage\.ts|ECONNREFUSED|\bat \//);
    await app.close();
  });

  it("a storage failure on the request path answers 5xx without the database's message", async () => {
    const opened = await sqliteTarget.open();
    const failing: Storage = new Proxy(opened.storage, {
      get(target, property, receiver) {
        if (property !== "keys") return Reflect.get(target, property, receiver);
        return new Proxy(target.keys, {
          get(keys, name, keysReceiver) {
            if (name === "findByHash") return async () => Promise.reject(new Error("SQLITE_IOERR: disk I/O error at /var/lib/bentoo/secret.db"));
            return Reflect.get(keys, name, keysReceiver);
          },
        });
      },
    });
    const logs = new LogCapture();
    const services = await createServices({ ...parseConfig({ BENTOO_DATABASE_URL: opened.url }), catalog: builtinCatalog() }, () => undefined, {
      storage: failing,
      logger: createLogger("info", logs),
    });
    const app = await createApp(services);
    const account = (await opened.storage.accounts.create({ email: "io@example.com", passwordHash: null, plan: "free" }))!;
    const issued = await services.keys.create(account, { name: "k", mode: "test" });
    const response = await app.inject({ url: "/v1/models", headers: bearer(issued.secret) });
    expect(response.statusCode).toBeGreaterThanOrEqual(500);
    expect(response.body).not.toMatch(/SQLITE|disk I\/O|secret\.db|\bat \//);
    expect(response.json().error.message).toContain(response.headers["x-request-id"]);
    // The request's own logger (made lazily, on this first line) binds the request id.
    expect(logs.lines.some((line) => line.includes(`"reqId":"${response.headers["x-request-id"]}"`))).toBe(true);
    await app.close();
    await services.close();
    await opened.dispose();
    expect(logs.text()).not.toContain(issued.secret.slice(13));
  });
});

describe("log redaction", () => {
  it("no key material reaches the logs from headers, cookies, bodies, URLs or malformed requests", async () => {
    const opened = await sqliteTarget.open();
    const logs = new LogCapture();
    const services = await createServices(
      { ...parseConfig({ BENTOO_ADMIN_TOKEN: ADMIN_TOKEN, BENTOO_DATABASE_URL: opened.url }), catalog: builtinCatalog() },
      () => undefined,
      {
        storage: opened.storage,
        logger: createLogger("trace", logs),
      },
    );
    const app = await createApp(services);
    await app.listen({ host: "127.0.0.1", port: 0 });
    const port = (app.server.address() as AddressInfo).port;
    const account = (await services.storage.accounts.create({ email: "logs@example.com", passwordHash: null, plan: "free" }))!;
    const live = (await services.keys.create(account, { name: "k", mode: "live" })).secret;
    const revoked = await services.keys.create(account, { name: "r", mode: "test" });
    await services.keys.revoke(revoked.record.id);
    const secrets = [live, revoked.secret, "btoo_sk_test_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"];

    const base = `http://127.0.0.1:${port}`;
    for (const secret of secrets) {
      await fetch(`${base}/v1/models?api_key=${secret}`, {
        headers: { authorization: `Bearer ${secret}`, cookie: `bentoo_session=${secret}`, "x-api-key": secret },
      });
      await fetch(`${base}/v1/chat/completions?key=${secret}`, {
        method: "POST",
        headers: { authorization: `Bearer ${secret}`, "content-type": "application/json" },
        body: JSON.stringify({ model: secret, messages: [{ role: "user", content: secret }] }),
      });
      await fetch(`${base}/v1/chat/completions`, {
        method: "POST",
        headers: { authorization: `Bearer ${secret}`, "content-type": "application/json" },
        body: `{"model":"${secret}",`,
      });
      await fetch(`${base}/admin/v1/accounts`, {
        method: "POST",
        headers: { authorization: `Bearer ${secret}`, "content-type": "application/json" },
        body: JSON.stringify({ email: secret }),
      });
      await fetch(`${base}/api/auth/signin`, {
        method: "POST",
        headers: { "content-type": "application/json", cookie: `bentoo_session=${secret}` },
        body: JSON.stringify({ email: `${secret}@example.com`, password: secret }),
      });
      for (const raw of [
        `GET /v1/models?api_key=${secret} HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\nAuthorization: Bearer ${secret}\r\n\r\n`,
        `POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\nAuthorization: Bearer ${secret}\r\n\r\nzz\r\n${secret}\r\n0\r\n\r\n`,
        `GET /${secret}\u0000 HTTP/1.1\r\nHost: x\r\n\r\n`,
      ]) {
        await rawExchange(port, raw);
      }
    }
    // And what code might log itself: nested objects, URLs, errors.
    for (const secret of secrets) {
      services.logger.warn(
        { request: { url: `/v1/models?api_key=${secret}`, headers: { Authorization: `Bearer ${secret}`, Cookie: secret } }, echoed: [secret] },
        `upstream said ${secret}`,
      );
      services.logger.error({ err: Object.assign(new Error(`failed for ${secret}`), { rawPacket: Buffer.from(secret) }) }, "failure");
    }
    await app.close();
    await services.close();
    await opened.dispose();
    // The capture is a synchronous stream: every line is in it once the server has closed.
    const text = logs.text();
    expect(text).toContain("client error"); // the malformed requests were seen at trace level
    expect(text).toContain("btoo_sk_[redacted]");
    for (const secret of secrets) expect(text).not.toContain(secret.slice(13, 30));
  });
});

/** Sends raw bytes, returns what came back when the server closed (or after a second: a bound, in case it keeps the connection). */
async function rawExchange(port: number, payload: string): Promise<string> {
  const socket = connect(port, "127.0.0.1");
  let received = "";
  socket.on("data", (chunk: Buffer) => (received += chunk.toString("latin1")));
  socket.on("error", () => undefined);
  socket.write(payload);
  await Promise.race([new Promise((resolve) => socket.once("close", resolve)), new Promise((resolve) => setTimeout(resolve, 1000))]);
  socket.destroy();
  return received;
}

describe("slow clients (headers and request timeouts) vs long responses", () => {
  let t: TestApp;
  let upstream: FakeUpstream;
  let port: number;
  let key: string;

  // Real sockets and Node's own timers: these waits are what is tested, kept short.
  const HEADERS_TIMEOUT_MS = 400;
  const REQUEST_TIMEOUT_MS = 600;
  const CHUNK_INTERVAL_MS = 50; // 40 words: a 2-second stream, over three times the request timeout

  beforeAll(async () => {
    upstream = await startFakeUpstream({ chunkIntervalMs: CHUNK_INTERVAL_MS });
    t = await createTestApp({
      catalog: pricedCatalog(upstream),
      env: { BENTOO_HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS), BENTOO_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS) },
    });
    await t.app.listen({ host: "127.0.0.1", port: 0 });
    port = (t.app.server.address() as AddressInfo).port;
    ({ key } = await t.seedAccount({ mode: "live", balanceMicros: 100_000_000 }));
  });
  afterAll(async () => {
    await t?.dispose();
    await upstream?.close();
  });

  /** Opens a socket, writes `start`, then one byte of `trickle` every 100 ms; resolves when the server closes it. */
  async function slowClient(start: string, trickle: string): Promise<{ closedAfterMs: number; received: string }> {
    const socket: Socket = connect(port, "127.0.0.1");
    await once(socket, "connect");
    const started = performance.now();
    let received = "";
    socket.on("data", (chunk: Buffer) => (received += chunk.toString("latin1")));
    socket.on("error", () => undefined);
    socket.write(start);
    let index = 0;
    const timer = setInterval(() => {
      if (!socket.destroyed) socket.write(trickle[index++ % trickle.length]!);
    }, 100);
    const giveUp = setTimeout(() => socket.destroy(), 8000);
    await new Promise((resolve) => socket.once("close", resolve));
    clearInterval(timer);
    clearTimeout(giveUp);
    return { closedAfterMs: performance.now() - started, received };
  }

  it("disconnects a client that never finishes its headers (slowloris) within the headers timeout", async () => {
    const { closedAfterMs, received } = await slowClient(
      `POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${key}\r\n`,
      "X-Slow: aaaaaaaa",
    );
    process.stdout.write(`\nslowloris (headers never finished): closed after ${Math.round(closedAfterMs)} ms (headers timeout ${HEADERS_TIMEOUT_MS} ms)\n`);
    expect(closedAfterMs).toBeGreaterThan(HEADERS_TIMEOUT_MS - 100);
    expect(closedAfterMs).toBeLessThan(HEADERS_TIMEOUT_MS + 1500);
    expect(received).toMatch(/^HTTP\/1\.1 408|^$/);
  });

  it("disconnects a client that sends its body too slowly within the request timeout", async () => {
    const body = JSON.stringify(CHAT);
    const head = `POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${key}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`;
    const { closedAfterMs } = await slowClient(head, body);
    process.stdout.write(`slow body: closed after ${Math.round(closedAfterMs)} ms (request timeout ${REQUEST_TIMEOUT_MS} ms)\n`);
    expect(closedAfterMs).toBeGreaterThan(REQUEST_TIMEOUT_MS - 100);
    expect(closedAfterMs).toBeLessThan(REQUEST_TIMEOUT_MS + 1500);
  });

  it("a streamed response three times longer than the request timeout is not cut by either timeout", async () => {
    const started = performance.now();
    const response = await fetch(`http://127.0.0.1:${port}/v1/chat/completions`, {
      method: "POST",
      headers: { ...bearer(key), "content-type": "application/json" },
      body: JSON.stringify({ model: "fake/slow-stream", messages: [{ role: "user", content: "count" }], stream: true }),
    });
    expect(response.status).toBe(200);
    const events = parseSse(await response.text());
    const elapsed = performance.now() - started;
    process.stdout.write(`stream: ${events.length} events over ${Math.round(elapsed)} ms\n`);
    expect(elapsed).toBeGreaterThan(3 * REQUEST_TIMEOUT_MS);
    expect(events.at(-1)?.data).toBe("[DONE]");
    expect(events.map((event) => event.data).join("")).toContain("word40");
  });
});
