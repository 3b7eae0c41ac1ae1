import { afterEach, describe, expect, it } from "vitest";
import { type AuditRecord, AuthenticationError, BentooError, type ChatCompletion, NotFoundError, Page, PagePromise } from "../src/index.js";
import { CHAT_PARAMS, client, closeAllServers, collect, errorEnvelope, sendJSON, startServer } from "./helpers.js";

afterEach(closeAllServers);

const COMPLETION: ChatCompletion = {
  id: "chatcmpl-1",
  object: "chat.completion",
  created: 1_700_000_000,
  model: "openai/gpt-4o-mini",
  choices: [{ index: 0, message: { role: "assistant", content: "Hi!" }, finish_reason: "stop", logprobs: null }],
  usage: { prompt_tokens: 9, completion_tokens: 3, total_tokens: 12, cost: 0.000003, cost_micros: 3, estimated: false },
};

describe("chat.completions.create", () => {
  it("POSTs the params, extra fields included, and returns the completion", async () => {
    const server = await startServer((_request, response) => sendJSON(response, 200, COMPLETION));
    const params = { ...CHAT_PARAMS, temperature: 0.2, tools: [], provider_hint: { order: ["openai"] } };
    const completion = await client(server).chat.completions.create(params);
    expect(completion).toEqual(COMPLETION);
    expect(completion.usage?.cost_micros).toBe(3);
    expect(server.requests[0]?.method).toBe("POST");
    expect(server.requests[0]?.url).toBe("/v1/chat/completions");
    expect(JSON.parse(server.requests[0]?.body ?? "")).toEqual(params);
  });
});

describe("models", () => {
  const model = {
    id: "openai/gpt-4o",
    object: "model",
    created: 1_700_000_000,
    owned_by: "openai",
    context_length: 128_000,
    pricing: { input_per_mtok: 2.5, output_per_mtok: 10 },
  };

  it("lists the catalog", async () => {
    const server = await startServer((_request, response) => sendJSON(response, 200, { object: "list", data: [model] }));
    const list = await client(server).models.list();
    expect(list.data[0]?.pricing.output_per_mtok).toBe(10);
    expect(server.requests[0]?.url).toBe("/v1/models");
  });

  it.each([
    ["openai/gpt-4o", "/v1/models/openai/gpt-4o"],
    ["gpt-4o", "/v1/models/gpt-4o"],
    ["meta-llama/llama-3.1-8b-instruct:free", "/v1/models/meta-llama/llama-3.1-8b-instruct%3Afree"],
    ["odd vendor/name?with#chars%", "/v1/models/odd%20vendor/name%3Fwith%23chars%25"],
  ])("retrieve(%j) requests %s", async (id, path) => {
    const server = await startServer((_request, response) => sendJSON(response, 200, { ...model, id }));
    const retrieved = await client(server).models.retrieve(id);
    expect(retrieved.id).toBe(id);
    expect(server.requests[0]?.url).toBe(path);
  });

  it.each(["", "../key", "openai/../../audit/logs", "openai//gpt", "./x"])("refuses the id %j without a request", async (id) => {
    const server = await startServer((_request, response) => sendJSON(response, 200, model));
    await expect(client(server).models.retrieve(id)).rejects.toThrow(/Invalid model id/);
    expect(server.requests).toHaveLength(0);
  });

  it("maps an unknown model to NotFoundError", async () => {
    const server = await startServer((_request, response) =>
      sendJSON(
        response,
        404,
        errorEnvelope("Model nope/nope is not in the catalog. List models with GET /v1/models.", "not_found_error", "model_not_found", "model"),
      ),
    );
    await expect(client(server).models.retrieve("nope/nope")).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe("key.retrieve", () => {
  it("GETs /key", async () => {
    const info = {
      id: "key_1",
      object: "api_key",
      key_id: "Ab12",
      name: "ci",
      mode: "test",
      account: { id: "acct_1", plan: "free" },
      rate_limits: { requests_per_minute: 60, tokens_per_minute: 100_000 },
      credits: { balance_micros: 5_000_000, balance_usd: 5, spends: false },
      created_at: "2025-01-01T00:00:00Z",
      expires_at: null,
    };
    const server = await startServer((_request, response) => sendJSON(response, 200, info));
    const retrieved = await client(server).key.retrieve();
    expect(retrieved).toEqual(info);
    expect(server.requests[0]?.url).toBe("/v1/key");
  });
});

function record(id: string): AuditRecord {
  return {
    id,
    object: "audit_log",
    type: "request",
    event: "api.request",
    timestamp: "2025-01-01T00:00:00Z",
    request_id: `req_${id}`,
    account_id: "acct_1",
    key_id: "Ab12",
    api_key_id: "key_1",
    key_name: "ci",
    model: "openai/gpt-4o",
    provider: "openai",
    status: 200,
    error_code: null,
    prompt_tokens: 1,
    completion_tokens: 1,
    total_tokens: 2,
    cost_micros: 1,
    usage_estimated: false,
    source_ip: "127.0.0.1",
    user_agent: "test",
    latency_ms: 5,
    actor: null,
    metadata: null,
    endpoint: "/v1/chat/completions",
    cache_read_tokens: 0,
    cache_write_tokens: 0,
    reasoning_tokens: 0,
  };
}

/** Three pages: [a, b] → cursor c2 → [c, d] → cursor c3 → [e]. */
async function auditServer() {
  const pages: Record<string, { data: AuditRecord[]; next: string | null }> = {
    "": { data: [record("a"), record("b")], next: "c2" },
    c2: { data: [record("c"), record("d")], next: "c3" },
    c3: { data: [record("e")], next: null },
  };
  return startServer((request, response) => {
    const page = pages[request.query.get("cursor") ?? ""];
    if (page === undefined) return sendJSON(response, 400, errorEnvelope("bad cursor", "invalid_request_error", "invalid_request"));
    sendJSON(response, 200, { object: "list", data: page.data, has_more: page.next !== null, next_cursor: page.next });
  });
}

describe("audit.logs.list", () => {
  const start = new Date("2025-01-01T00:00:00.000Z");

  it("auto-paginates across three pages, following next_cursor with the same filters", async () => {
    const server = await auditServer();
    const filters = { start, end: "2025-02-01T00:00:00Z", key_id: "Ab12", model: "openai/gpt-4o", endpoint: "/v1/chat/completions", status: 200, limit: 2 };
    const ids: string[] = [];
    for await (const entry of client(server).audit.logs.list(filters)) ids.push(entry.id);
    expect(ids).toEqual(["a", "b", "c", "d", "e"]);
    expect(server.requests.map((request) => request.query.get("cursor"))).toEqual([null, "c2", "c3"]);
    for (const request of server.requests) {
      expect(request.path).toBe("/v1/audit/logs");
      expect(Object.fromEntries(request.query)).toMatchObject({
        start: "2025-01-01T00:00:00.000Z",
        end: "2025-02-01T00:00:00Z",
        key_id: "Ab12",
        model: "openai/gpt-4o",
        endpoint: "/v1/chat/completions",
        status: "200",
        limit: "2",
      });
      expect(request.query.has("event")).toBe(false);
    }
  });

  it("awaits to the first page, with hasNextPage, nextCursor and getNextPage", async () => {
    const server = await auditServer();
    const promise = client(server).audit.logs.list();
    expect(promise).toBeInstanceOf(PagePromise);
    const first = await promise;
    expect(first).toBeInstanceOf(Page);
    expect(first.data.map((entry) => entry.id)).toEqual(["a", "b"]);
    expect(first.hasNextPage()).toBe(true);
    expect(first.nextCursor).toBe("c2");
    const second = await first.getNextPage();
    expect(second.data.map((entry) => entry.id)).toEqual(["c", "d"]);
    const third = await second.getNextPage();
    expect(third.hasNextPage()).toBe(false);
    expect(third.nextCursor).toBeNull();
    await expect(third.getNextPage()).rejects.toBeInstanceOf(BentooError);
    const pages = await collect(first.iterPages());
    expect(pages.map((page) => page.data.length)).toEqual([2, 2, 1]);
    expect(server.requests).toHaveLength(3 + 2); // three by hand, then pages 2 and 3 again
  });

  it("starts from a given cursor", async () => {
    const server = await auditServer();
    const ids = (await collect(client(server).audit.logs.list({ cursor: "c3" }))).map((entry) => entry.id);
    expect(ids).toEqual(["e"]);
  });

  it("rejects both await and for await with the API error", async () => {
    const server = await startServer((_request, response) =>
      sendJSON(response, 401, errorEnvelope("Invalid API key", "authentication_error", "invalid_api_key")),
    );
    await expect(client(server).audit.logs.list()).rejects.toBeInstanceOf(AuthenticationError);
    await expect(collect(client(server).audit.logs.list())).rejects.toBeInstanceOf(AuthenticationError);
  });

  it("refuses an invalid Date", async () => {
    const server = await auditServer();
    await expect(client(server).audit.logs.list({ start: new Date("nope") })).rejects.toThrow(/start must be a valid Date/);
    expect(server.requests).toHaveLength(0);
  });
});

describe("audit.logs.export", () => {
  it("resolves to the Response while the body is still streaming", async () => {
    let finish: () => void = () => undefined;
    const finished = new Promise<void>((resolve) => (finish = resolve));
    const server = await startServer(async (_request, response) => {
      response.writeHead(200, { "content-type": "application/x-ndjson" });
      response.write(`${JSON.stringify(record("a"))}\n`);
      await finished;
      response.end(`${JSON.stringify(record("b"))}\n`);
    });
    const response = await client(server).audit.logs.export({ format: "jsonl", start: new Date("2025-01-01T00:00:00Z"), model: "openai/gpt-4o" });
    expect(response).toBeInstanceOf(Response);
    expect(response.headers.get("content-type")).toBe("application/x-ndjson");
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toContain('"id":"a"');
    finish();
    let rest = "";
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) rest += new TextDecoder().decode(chunk.value);
    expect(rest).toContain('"id":"b"');
    const request = server.requests[0];
    expect(request?.path).toBe("/v1/audit/logs/export");
    expect(Object.fromEntries(request?.query ?? [])).toEqual({ format: "jsonl", start: "2025-01-01T00:00:00.000Z", model: "openai/gpt-4o" });
    expect(request?.headers.accept).toContain("application/x-ndjson");
  });

  it("asks for CSV", async () => {
    const server = await startServer((_request, response) => {
      response.writeHead(200, { "content-type": "text/csv" });
      response.end("id,model\na,openai/gpt-4o\n");
    });
    const response = await client(server).audit.logs.export({ format: "csv" });
    expect(await response.text()).toBe("id,model\na,openai/gpt-4o\n");
    expect(server.requests[0]?.headers.accept).toContain("text/csv");
  });

  it("throws the API error instead of returning an error response", async () => {
    const server = await startServer((_request, response) =>
      sendJSON(response, 401, errorEnvelope("Invalid API key", "authentication_error", "invalid_api_key")),
    );
    await expect(client(server).audit.logs.export({ format: "jsonl" })).rejects.toBeInstanceOf(AuthenticationError);
  });

  it("refuses an unknown format without a request", async () => {
    const server = await startServer((_request, response) => sendJSON(response, 200, {}));
    const params = { format: "xml" } as unknown as { format: "csv" };
    await expect(client(server).audit.logs.export(params)).rejects.toThrow(/format must be "jsonl" or "csv"/);
    expect(server.requests).toHaveLength(0);
  });
});

describe("embeddings.create", () => {
  const vector = [0.5, -0.25, 0.125];
  const base64 = Buffer.from(new Float32Array(vector).buffer).toString("base64");
  const answer = (embedding: unknown) => ({
    object: "list",
    data: [{ object: "embedding", index: 0, embedding }],
    model: "openai/text-embedding-3-small",
    usage: { prompt_tokens: 2, total_tokens: 2, cost: 0.000001, cost_micros: 1 },
  });

  it("without encoding_format: asks for base64 and decodes it into numbers, as OpenAI's SDK does", async () => {
    const server = await startServer((_request, response) => sendJSON(response, 200, answer(base64)));
    const created = await client(server).embeddings.create({ model: "openai/text-embedding-3-small", input: "hello", dimensions: 3 });
    expect(created.data[0]?.embedding).toEqual(vector);
    expect(created.usage.cost_micros).toBe(1);
    expect(server.requests[0]?.url).toBe("/v1/embeddings");
    expect(JSON.parse(server.requests[0]?.body ?? "")).toEqual({
      model: "openai/text-embedding-3-small",
      input: "hello",
      dimensions: 3,
      encoding_format: "base64",
    });
  });

  it("with an encoding_format: sends it and returns the answer as it came", async () => {
    const server = await startServer((_request, response) => sendJSON(response, 200, answer(base64)));
    const created = await client(server).embeddings.create({ model: "m", input: ["a", "b"], encoding_format: "base64" });
    expect(created.data[0]?.embedding).toBe(base64);
    expect(JSON.parse(server.requests[0]?.body ?? "").encoding_format).toBe("base64");
    const floats = await startServer((_request, response) => sendJSON(response, 200, answer(vector)));
    expect((await client(floats).embeddings.create({ model: "m", input: [[1, 2]], encoding_format: "float" })).data[0]?.embedding).toEqual(vector);
  });
});
