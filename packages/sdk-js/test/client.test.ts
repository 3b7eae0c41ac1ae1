import { inspect } from "node:util";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { APIConnectionError, AuthenticationError, Bentoo, BentooError } from "../src/index.js";
import { closeAllServers, errorEnvelope, makeKey, sendJSON, startServer, unusedPort } from "./helpers.js";

const MODELS = { object: "list", data: [] };

beforeEach(() => {
  vi.stubEnv("BENTOO_API_KEY", "");
  vi.stubEnv("BENTOO_BASE_URL", "");
});

afterEach(async () => {
  vi.unstubAllEnvs();
  await closeAllServers();
});

describe("constructor", () => {
  it("names BENTOO_API_KEY and the apiKey option when no key is found", () => {
    expect(() => new Bentoo()).toThrow(BentooError);
    expect(() => new Bentoo()).toThrow(/BENTOO_API_KEY environment variable is missing or empty.*apiKey option/);
    expect(() => new Bentoo({ apiKey: "" })).toThrow(/BENTOO_API_KEY/);
  });

  it("reads BENTOO_API_KEY and BENTOO_BASE_URL from the environment", async () => {
    const server = await startServer((_request, response) => sendJSON(response, 200, MODELS));
    const key = makeKey("live");
    vi.stubEnv("BENTOO_API_KEY", `${key}\n`);
    vi.stubEnv("BENTOO_BASE_URL", `${server.baseURL}/`);
    const client = new Bentoo();
    expect(client.baseURL).toBe(server.baseURL);
    await client.models.list();
    expect(server.requests[0]?.headers.authorization).toBe(`Bearer ${key}`);
    expect(server.requests[0]?.path).toBe("/v1/models");
  });

  it("prefers options over the environment", () => {
    vi.stubEnv("BENTOO_API_KEY", "not a key at all");
    vi.stubEnv("BENTOO_BASE_URL", "http://env.invalid/v1");
    const client = new Bentoo({ apiKey: makeKey(), baseURL: "https://bentoo.example.com/v1///" });
    expect(client.baseURL).toBe("https://bentoo.example.com/v1");
  });

  it("defaults to the local server, 10 minutes and 2 retries", () => {
    const client = new Bentoo({ apiKey: makeKey() });
    expect(client.toJSON()).toEqual({ baseURL: "http://127.0.0.1:8080/v1", timeout: 600_000, maxRetries: 2 });
  });

  const random = "Q".repeat(26);
  it.each([
    ["another vendor's key", "sk-proj-abcdefghijklmnopqrstuvwxyz0123456789", /does not hold a Bentoo API key/],
    ["a truncated key", makeKey("live", random).slice(0, -1), /does not hold a Bentoo API key/],
    ["a key with a typo", makeKey("live", random).replace("QQQ", "QQR"), /checksum does not match/],
  ])("rejects %s before any request, without echoing it", async (_label, apiKey, message) => {
    const server = await startServer((_request, response) => sendJSON(response, 200, MODELS));
    let thrown: unknown;
    try {
      new Bentoo({ apiKey, baseURL: server.baseURL });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(BentooError);
    const text = `${String(thrown)} ${inspect(thrown)}`;
    expect(text).toMatch(message);
    expect(text).toContain("The apiKey option");
    expect(text).not.toContain(apiKey);
    expect(text).not.toContain(apiKey.slice(8, 24));
    expect(server.requests).toHaveLength(0);
  });

  it("says the bad key came from BENTOO_API_KEY", () => {
    vi.stubEnv("BENTOO_API_KEY", "btoo_sk_live_tooShort");
    expect(() => new Bentoo()).toThrow(/The BENTOO_API_KEY environment variable does not hold a Bentoo API key/);
  });

  it.each([
    [{ timeout: 0 }, /timeout must be a positive number/],
    [{ timeout: Number.NaN }, /timeout must be a positive number/],
    [{ maxRetries: -1 }, /maxRetries must be a non-negative integer/],
    [{ maxRetries: 1.5 }, /maxRetries must be a non-negative integer/],
    [{ baseURL: "not a url" }, /baseURL must be an absolute/],
    [{ baseURL: "ftp://example.com/v1" }, /baseURL must use http or https/],
  ])("rejects invalid options %o", (options, message) => {
    expect(() => new Bentoo({ apiKey: makeKey(), ...options })).toThrow(message);
  });
});

describe("the API key stays secret", () => {
  it("is not in JSON.stringify, util.inspect or console output of the client", () => {
    const apiKey = makeKey("live");
    const client = new Bentoo({ apiKey });
    const renderings = [
      JSON.stringify(client),
      inspect(client),
      inspect(client, { showHidden: true, depth: Infinity }),
      inspect(client.chat, { showHidden: true, depth: Infinity }),
      inspect(client.audit.logs, { showHidden: true, depth: Infinity }),
      JSON.stringify(client.chat),
      JSON.stringify({ ...client }),
      String(Object.values(client)),
    ];
    for (const text of renderings) {
      expect(text).not.toContain(apiKey);
      expect(text).not.toContain(apiKey.slice(13, 30));
    }
    expect(inspect(client)).toContain("baseURL");
  });

  it("is redacted from an error message even if the server echoes it", async () => {
    const apiKey = makeKey("live");
    const server = await startServer((request, response) => {
      const presented = String(request.headers.authorization).replace("Bearer ", "");
      sendJSON(response, 401, errorEnvelope(`Invalid API key ${presented}`, "authentication_error", "invalid_api_key"));
    });
    const error = await new Bentoo({ apiKey, baseURL: server.baseURL }).models.list().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AuthenticationError);
    for (const text of [String(error), inspect(error, { depth: Infinity }), JSON.stringify(error)]) {
      expect(text).not.toContain(apiKey);
    }
    expect(String(error)).toContain("401 Invalid API key [redacted API key]");
  });

  it("is not in connection errors", async () => {
    const apiKey = makeKey("live");
    const port = await unusedPort();
    const client = new Bentoo({ apiKey, baseURL: `http://127.0.0.1:${port}/v1`, maxRetries: 0 });
    const error = await client.models.list().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(APIConnectionError);
    expect(inspect(error, { depth: Infinity })).not.toContain(apiKey);
  });
});

describe("request headers", () => {
  it("sends the key, the SDK version and JSON content negotiation", async () => {
    const server = await startServer((request, response) =>
      request.method === "GET" ? sendJSON(response, 200, MODELS) : sendJSON(response, 200, { id: "chatcmpl-1" }),
    );
    const apiKey = makeKey();
    const client = new Bentoo({ apiKey, baseURL: server.baseURL });
    await client.models.list();
    await client.chat.completions.create({ model: "openai/gpt-4o-mini", messages: [{ role: "user", content: "Hi" }] });
    const [get, post] = server.requests;
    expect(get?.headers.authorization).toBe(`Bearer ${apiKey}`);
    expect(get?.headers["x-bentoo-sdk"]).toBe("js/0.1.0");
    expect(get?.headers.accept).toBe("application/json");
    expect(get?.headers["content-type"]).toBeUndefined();
    expect(post?.headers["content-type"]).toBe("application/json");
    expect(post?.headers.accept).toBe("application/json");
    expect(post?.headers.authorization).toBe(`Bearer ${apiKey}`);
  });

  it("merges default headers, then per-request headers; null removes a header", async () => {
    const server = await startServer((_request, response) => sendJSON(response, 200, MODELS));
    const client = new Bentoo({ apiKey: makeKey(), baseURL: server.baseURL, defaultHeaders: { "X-Team": "search", "X-Trace": "a" } });
    await client.models.list({ headers: { "X-Trace": "b", "X-Team": null } });
    const headers = server.requests[0]?.headers;
    expect(headers?.["x-trace"]).toBe("b");
    expect(headers?.["x-team"]).toBeUndefined();
    expect(headers?.["x-bentoo-sdk"]).toBe("js/0.1.0");
  });

  it("withOptions keeps the key and changes only what is given", async () => {
    const server = await startServer((_request, response) => sendJSON(response, 200, MODELS));
    const apiKey = makeKey();
    const base = new Bentoo({ apiKey, baseURL: "http://127.0.0.1:1/v1", maxRetries: 5 });
    const derived = base.withOptions({ baseURL: server.baseURL });
    expect(derived.maxRetries).toBe(5);
    await derived.models.list();
    expect(server.requests[0]?.headers.authorization).toBe(`Bearer ${apiKey}`);
  });

  it("uses the fetch option when given", async () => {
    const calls: string[] = [];
    const client = new Bentoo({
      apiKey: makeKey(),
      baseURL: "https://bentoo.example.com/v1",
      fetch: async (url) => {
        calls.push(url);
        return new Response(JSON.stringify(MODELS), { status: 200, headers: { "content-type": "application/json" } });
      },
    });
    await expect(client.models.list()).resolves.toEqual(MODELS);
    expect(calls).toEqual(["https://bentoo.example.com/v1/models"]);
  });
});
