import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bearer, createTestApp, type TestApp } from "./helpers.js";

describe("bad input to POST /v1/chat/completions", () => {
  let t: TestApp;
  let key: string;
  beforeAll(async () => {
    t = await createTestApp({ env: { BENTOO_BODY_LIMIT: "65536" } });
    ({ key } = await t.seedAccount());
  });
  afterAll(() => t?.dispose());

  const post = (payload: string, contentType = "application/json") =>
    t.app.inject({ method: "POST", url: "/v1/chat/completions", headers: { ...bearer(key), "content-type": contentType }, payload });

  it.each([
    ["malformed JSON", '{"model": ', 400, "invalid_json", null],
    ["an empty body", "", 400, "invalid_json", null],
    ["a JSON array", "[1,2]", 400, "invalid_request", null],
    ["a JSON string", '"hello"', 400, "invalid_request", null],
    ["no model", JSON.stringify({ messages: [{ role: "user", content: "hi" }] }), 400, "invalid_request", "model"],
    ["no messages", JSON.stringify({ model: "openai/gpt-6.2-sol" }), 400, "invalid_request", "messages"],
    ["empty messages", JSON.stringify({ model: "openai/gpt-6.2-sol", messages: [] }), 400, "invalid_request", "messages"],
    ["model as a number", JSON.stringify({ model: 42, messages: [{ role: "user", content: "hi" }] }), 400, "invalid_request", "model"],
    ["messages as a string", JSON.stringify({ model: "openai/gpt-6.2-sol", messages: "hi" }), 400, "invalid_request", "messages"],
    ["a message without role", JSON.stringify({ model: "openai/gpt-6.2-sol", messages: [{ content: "hi" }] }), 400, "invalid_request", "messages[0].role"],
    [
      "content as a number",
      JSON.stringify({ model: "openai/gpt-6.2-sol", messages: [{ role: "user", content: 5 }] }),
      400,
      "invalid_request",
      "messages[0].content",
    ],
    [
      "stream as a string",
      JSON.stringify({ model: "openai/gpt-6.2-sol", messages: [{ role: "user", content: "hi" }], stream: "yes" }),
      400,
      "invalid_request",
      "stream",
    ],
    [
      "max_tokens of zero",
      JSON.stringify({ model: "openai/gpt-6.2-sol", messages: [{ role: "user", content: "hi" }], max_tokens: 0 }),
      400,
      "invalid_request",
      "max_tokens",
    ],
    [
      "max_tokens as a float",
      JSON.stringify({ model: "openai/gpt-6.2-sol", messages: [{ role: "user", content: "hi" }], max_tokens: 1.5 }),
      400,
      "invalid_request",
      "max_tokens",
    ],
    [
      "temperature as a string",
      JSON.stringify({ model: "openai/gpt-6.2-sol", messages: [{ role: "user", content: "hi" }], temperature: "hot" }),
      400,
      "invalid_request",
      "temperature",
    ],
    [
      "stream_options without stream",
      JSON.stringify({ model: "openai/gpt-6.2-sol", messages: [{ role: "user", content: "hi" }], stream_options: { include_usage: true } }),
      400,
      "invalid_request",
      "stream_options",
    ],
    ["an unknown model", JSON.stringify({ model: "acme/unknown", messages: [{ role: "user", content: "hi" }] }), 404, "model_not_found", "model"],
    [
      "a body over the limit",
      JSON.stringify({ model: "openai/gpt-6.2-sol", messages: [{ role: "user", content: "x".repeat(70_000) }] }),
      413,
      "request_too_large",
      null,
    ],
  ])("%s → %i %s", async (_label, payload, status, code, param) => {
    const response = await post(payload);
    expect(response.statusCode).toBe(status);
    expect(response.headers["x-request-id"]).toMatch(/^req_/);
    const body = response.json();
    expect(body.error.code).toBe(code);
    expect(body.error.param).toBe(param);
    expect(body.error.message).not.toMatch(/at .*\.(ts|js):\d+/);
  });

  it("a non-JSON content type → 415 unsupported_media_type", async () => {
    const response = await post("model=x", "application/x-www-form-urlencoded");
    expect(response.statusCode).toBe(415);
    expect(response.json().error.code).toBe("unsupported_media_type");
  });

  it("prototype-poisoning payloads are refused as client errors", async () => {
    const response = await post('{"model":"openai/gpt-6.2-sol","messages":[{"role":"user","content":"hi"}],"__proto__":{"admin":true}}');
    expect(response.statusCode).toBe(400);
  });

  it("unknown request fields are accepted (they pass through to the upstream)", async () => {
    const response = await post(
      JSON.stringify({ model: "openai/gpt-6.2-sol", messages: [{ role: "user", content: "hi" }], some_vendor_flag: { deep: [1, 2] }, seed: 7 }),
    );
    expect(response.statusCode).toBe(200);
  });

  it("no client mistake yields a 5xx: 300 random mutations of a valid body", async () => {
    const valid = JSON.stringify({ model: "openai/gpt-6-luna", messages: [{ role: "user", content: "hi" }], max_tokens: 5 });
    let seed = 42;
    const random = (bound: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % bound;
    };
    const junk = ['"', "{", "}", "[", "]", ",", ":", "null", "-1", "1e999", "\\u0000", "true", "\u00ff", "😀"];
    const statuses = new Map<number, number>();
    for (let index = 0; index < 300; index += 1) {
      let body = valid;
      for (let edit = 0; edit < 1 + random(4); edit += 1) {
        const at = random(body.length);
        body = random(2) === 0 ? body.slice(0, at) + junk[random(junk.length)] + body.slice(at) : body.slice(0, at) + body.slice(at + 1 + random(3));
      }
      const response = await post(body);
      statuses.set(response.statusCode, (statuses.get(response.statusCode) ?? 0) + 1);
      expect(response.statusCode, body).toBeLessThan(500);
    }
    expect(statuses.get(400) ?? 0).toBeGreaterThan(100);
  });
});

describe("methods and paths", () => {
  let t: TestApp;
  let key: string;
  beforeAll(async () => {
    t = await createTestApp();
    ({ key } = await t.seedAccount());
  });
  afterAll(() => t?.dispose());

  it.each([
    ["GET", "/v1/chat/completions", "POST"],
    ["PUT", "/v1/chat/completions", "POST"],
    ["POST", "/v1/models", "GET, HEAD"],
    ["DELETE", "/v1/models/openai/gpt-6.2-sol", "GET, HEAD"],
    ["POST", "/v1/key", "GET, HEAD"],
    ["GET", "/admin/v1/keys/key_123/roll", "POST"],
  ])("%s %s → 405 method_not_allowed naming the methods it takes", async (method, url, allow) => {
    const response = await t.app.inject({ method: method as "GET", url, headers: bearer(key) });
    expect(response.statusCode).toBe(405);
    expect(response.headers.allow).toBe(allow);
    expect(response.headers["x-request-id"]).toMatch(/^req_/);
    expect(response.json().error).toMatchObject({ code: "method_not_allowed", type: "invalid_request_error" });
    expect(response.json().error.message).toContain(allow.split(",")[0]);
  });

  it("an unknown path is still 404 not_found, whatever the method", async () => {
    for (const method of ["GET", "POST", "DELETE"] as const) {
      const response = await t.app.inject({ method, url: "/v1/no-such-thing", headers: bearer(key) });
      expect(response.statusCode, method).toBe(404);
      expect(response.json().error.code).toBe("not_found");
    }
  });
});
