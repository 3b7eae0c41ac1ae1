import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type FakeUpstream, startFakeUpstream } from "@bentoo/test-kit";
// The BUILT package, resolved like a user's `import Bentoo from "bentoo"` (the workspace
// link node_modules/bentoo → packages/sdk-js, whose exports map points at dist/esm).
import Bentoo, {
  AuthenticationError,
  type ChatCompletionChunk,
  InsufficientCreditsError,
  NotFoundError,
  RateLimitError,
  type ResponseStreamEvent,
  Stream,
} from "bentoo";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminCall, eventually, GATEWAY_MAIN, type Gateway, startGateway, stopGateway } from "./support/sdk-e2e.js";

/**
 * End-to-end tests of the JavaScript SDK (packages/sdk-js, built) against the built
 * server (`node apps/gateway/dist/main.js`) with a temporary SQLite database and a
 * catalog whose only provider is the fake upstream of @bentoo/test-kit.
 */

const SDK_DIR = fileURLToPath(new URL("../packages/sdk-js/", import.meta.url));
const SDK_DIST = join(SDK_DIR, "dist/esm/index.js");
const SDK_README = join(SDK_DIR, "README.md");
const ADMIN_TOKEN = "sdk-js-e2e-admin-token-0123456789";
const MODEL = "fake/chat";
/** The catalog price: $1000 per million output tokens = 1000 micro-dollars per token. */
const OUTPUT_MICROS_PER_TOKEN = 1000;
const LIVE_GRANT_MICROS = 10_000_000;
const EMBEDDING_MODEL = "fake/embed";
/** $1000 per million input tokens = 1000 micro-dollars per token. */
const EMBEDDING_INPUT_MICROS_PER_TOKEN = 1000;

interface Account {
  id: string;
}
interface IssuedKey {
  id: string;
  key: string;
  key_id: string;
}

let directory: string;
let upstream: FakeUpstream;
let gateway: Gateway;
let testKey: string;
let liveAccount: Account;
let liveKey: IssuedKey;

/** Response request ids, in order, of every call a client made through this fetch. */
function recordingFetch(ids: string[], counter?: { calls: number }) {
  return async (url: string, init: RequestInit): Promise<Response> => {
    if (counter) counter.calls += 1;
    const response = await fetch(url, init);
    const id = response.headers.get("x-request-id");
    if (id !== null) ids.push(id);
    return response;
  };
}

function admin<T = Record<string, unknown>>(method: string, path: string, body?: object): Promise<T> {
  return adminCall<T>(gateway, ADMIN_TOKEN, method, path, body);
}

async function newAccount(email: string, plan: "free" | "pro" | "enterprise", mode: "live" | "test"): Promise<{ account: Account; key: IssuedKey }> {
  const account = await admin<Account>("POST", "/admin/v1/accounts", { email, plan });
  const key = await admin<IssuedKey>("POST", `/admin/v1/accounts/${account.id}/keys`, {
    name: `${email} key`,
    mode,
    // These keys read their account's audit log too.
    scopes: ["inference", "audit:read", "key:read"],
  });
  return { account, key };
}

function client(apiKey: string, options: ConstructorParameters<typeof Bentoo>[0] = {}): Bentoo {
  return new Bentoo({ apiKey, baseURL: gateway.baseURL, timeout: 15_000, ...options });
}

/** What a sync or async call rejects with. */
async function rejection(promise: () => Promise<unknown>): Promise<unknown> {
  try {
    await promise();
  } catch (error) {
    return error;
  }
  throw new Error("expected the call to fail");
}

async function collect(stream: AsyncIterable<ChatCompletionChunk>): Promise<{ chunks: ChatCompletionChunk[]; text: string }> {
  const chunks: ChatCompletionChunk[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return { chunks, text: chunks.map((chunk) => chunk.choices[0]?.delta.content ?? "").join("") };
}

describe("the JavaScript SDK against a running Bentoo", () => {
  it("uses the built SDK and server (npm test builds first)", () => {
    expect(existsSync(SDK_DIST), `${SDK_DIST} is missing: run npm run build`).toBe(true);
    expect(existsSync(GATEWAY_MAIN), `${GATEWAY_MAIN} is missing: run npm run build`).toBe(true);
  });

  beforeAll(async () => {
    directory = mkdtempSync(join(tmpdir(), "bentoo-sdk-js-e2e-"));
    upstream = await startFakeUpstream();
    const catalog = join(directory, "catalog.json");
    writeFileSync(
      catalog,
      JSON.stringify({
        providers: [{ id: "fake", type: "openai", base_url: upstream.url, api_key_env: null }],
        models: [
          {
            id: MODEL,
            provider: "fake",
            upstream_model: "fake-model",
            input_price_per_mtok: 0,
            output_price_per_mtok: 1000,
            context_length: 8192,
            max_output_tokens: 50,
          },
          {
            id: EMBEDDING_MODEL,
            kind: "embedding",
            provider: "fake",
            upstream_model: "fake-embed",
            input_price_per_mtok: 1000,
            context_length: 8191,
            dimensions: 16,
            min_dimensions: 4,
          },
        ],
      }),
    );
    gateway = await startGateway({
      BENTOO_DATABASE_URL: `sqlite:${join(directory, "bentoo.db")}`,
      BENTOO_CATALOG: catalog,
      BENTOO_ADMIN_TOKEN: ADMIN_TOKEN,
      // The demo account is on the free plan (60 requests a minute); this file sends more.
      BENTOO_PLAN_FREE_RPM: "100000",
    });
    testKey = gateway.demoKey!;
    expect(testKey).toMatch(/^btoo_sk_test_/);
    const live = await newAccount("live@sdk-js.e2e", "pro", "live");
    liveAccount = live.account;
    liveKey = live.key;
    await admin("POST", `/admin/v1/accounts/${liveAccount.id}/credits`, { amount_micros: LIVE_GRANT_MICROS });
  });

  afterAll(async () => {
    await stopGateway(gateway);
    await upstream?.close();
    if (directory) rmSync(directory, { recursive: true, force: true });
  });

  describe("with the sandbox test key", () => {
    it("creates a chat completion", async () => {
      const completion = await client(testKey).chat.completions.create({ model: MODEL, messages: [{ role: "user", content: "Hello from the JS SDK" }] });
      expect(completion.object).toBe("chat.completion");
      expect(completion.model).toBe(MODEL);
      expect(completion.id).toMatch(/^chatcmpl-/);
      expect(completion.choices).toHaveLength(1);
      expect(completion.choices[0]!.message.role).toBe("assistant");
      expect(completion.choices[0]!.message.content).toContain('Sandbox answer from fake/chat to "Hello from the JS SDK"');
      expect(completion.choices[0]!.finish_reason).toBe("stop");
      expect(completion.usage!.total_tokens).toBe(completion.usage!.prompt_tokens + completion.usage!.completion_tokens);
      expect(completion.usage!.cost_micros).toBe(0); // test keys spend nothing
      expect(upstream.requests).toHaveLength(0); // … and never reach the provider
    });

    it("streams a chat completion: for await over chunks, the text assembled, usage in the final chunk", async () => {
      const messages = [{ role: "user" as const, content: "Stream to the JS SDK" }];
      const sdk = client(testKey);
      const whole = await sdk.chat.completions.create({ model: MODEL, messages });
      const stream = await sdk.chat.completions.create({ model: MODEL, messages, stream: true, stream_options: { include_usage: true } });
      expect(stream).toBeInstanceOf(Stream);
      expect(stream.response.headers.get("content-type")).toContain("text/event-stream");
      expect(stream.response.headers.get("x-request-id")).toMatch(/^req_/);
      const { chunks, text } = await collect(stream);
      expect(chunks.length).toBeGreaterThan(3);
      for (const chunk of chunks) expect(chunk.object).toBe("chat.completion.chunk");
      expect(new Set(chunks.map((chunk) => chunk.id)).size).toBe(1);
      expect(chunks[0]!.choices[0]!.delta.role).toBe("assistant");
      // The sandbox is deterministic: the stream says what the JSON answer said.
      expect(text).toBe(whole.choices[0]!.message.content);
      expect(chunks.some((chunk) => chunk.choices[0]?.finish_reason === "stop")).toBe(true);
      const last = chunks.at(-1)!;
      expect(last.choices).toEqual([]);
      expect(last.usage!.completion_tokens).toBeGreaterThan(0);
      expect(last.usage!.total_tokens).toBe(last.usage!.prompt_tokens + last.usage!.completion_tokens);
    });

    it("stops a stream on break without an error, and the client keeps working", async () => {
      const sdk = client(testKey);
      const stream = await sdk.chat.completions.create({ model: MODEL, messages: [{ role: "user", content: "Break early" }], stream: true });
      let received = 0;
      for await (const chunk of stream) {
        received += chunk.choices.length;
        if (received >= 2) break;
      }
      expect(received).toBe(2);
      expect(stream.controller.signal.aborted).toBe(true);
      const after = await sdk.models.list();
      expect(after.object).toBe("list");
    });

    it("creates, streams, continues, retrieves and deletes a response (the Responses API)", async () => {
      const sdk = client(testKey);
      const created = await sdk.responses.create({ model: MODEL, instructions: "Be brief.", input: "Hello from responses" });
      expect(created).toMatchObject({ object: "response", status: "completed", model: MODEL, store: true });
      expect(created.output_text).toContain('Sandbox answer from fake/chat to "Hello from responses"');
      const stream = await sdk.responses.create({ model: MODEL, input: "Go on", previous_response_id: created.id, stream: true });
      const events: ResponseStreamEvent[] = [];
      for await (const event of stream) events.push(event);
      expect(events.map((event) => event.sequence_number)).toEqual(events.map((_, index) => index));
      const last = events.at(-1)!;
      if (last.type !== "response.completed") throw new Error(`the stream ended with ${last.type}`);
      expect(last.response.previous_response_id).toBe(created.id);
      expect((await sdk.responses.retrieve(created.id)).output_text).toBe(created.output_text);
      await sdk.responses.delete(created.id);
      expect(await rejection(() => sdk.responses.retrieve(created.id))).toBeInstanceOf(NotFoundError);
    });

    it("lists and retrieves models from the catalog", async () => {
      const sdk = client(testKey);
      const list = await sdk.models.list();
      expect(list.object).toBe("list");
      expect(list.data.map((model) => model.id)).toEqual([MODEL, EMBEDDING_MODEL]); // BENTOO_CATALOG replaces the built-in models
      const model = await sdk.models.retrieve(MODEL);
      expect(model).toMatchObject({
        id: MODEL,
        object: "model",
        owned_by: "fake",
        context_length: 8192,
        pricing: { input_per_mtok: 0, output_per_mtok: 1000 },
      });
      expect(model).toEqual(list.data[0]);
      const missing = await rejection(() => sdk.models.retrieve("fake/no-such-model"));
      expect(missing).toBeInstanceOf(NotFoundError);
      expect((missing as NotFoundError).status).toBe(404);
    });

    it("creates embeddings: decoded from base64 by default, floats or base64 when asked, dimensions honoured", async () => {
      const sdk = client(testKey);
      const decoded = await sdk.embeddings.create({ model: EMBEDDING_MODEL, input: ["first text", "second text"] });
      expect(decoded.data.map((entry) => entry.index)).toEqual([0, 1]);
      const first = decoded.data[0]!.embedding;
      expect(first).toHaveLength(16);
      expect(first.reduce((sum, value) => sum + value * value, 0)).toBeCloseTo(1, 5);
      expect(decoded.usage).toMatchObject({ prompt_tokens: 4, total_tokens: 4, cost_micros: 0 });
      const floats = await sdk.embeddings.create({ model: EMBEDDING_MODEL, input: "first text", encoding_format: "float" });
      expect(floats.data[0]!.embedding).toEqual(first);
      const base64 = await sdk.embeddings.create({ model: EMBEDDING_MODEL, input: "first text", encoding_format: "base64" });
      expect(typeof base64.data[0]!.embedding).toBe("string");
      expect((await sdk.embeddings.create({ model: EMBEDDING_MODEL, input: "short", dimensions: 4 })).data[0]!.embedding).toHaveLength(4);
    });

    it("retrieves the calling key: mode, plan and credits, never the key itself", async () => {
      const info = await client(testKey).key.retrieve();
      expect(info).toMatchObject({
        object: "api_key",
        key_id: testKey.slice(-4),
        name: "demo test key",
        mode: "test",
        account: { plan: "free" },
        credits: { balance_micros: 0 },
        expires_at: null,
      });
      expect(info.id).toMatch(/^key_/);
      expect(info.account.id).toMatch(/^acct_/);
      expect(info.rate_limits.requests_per_minute).toBe(100_000);
      expect(JSON.stringify(info)).not.toContain(testKey);
    });
  });

  describe("with a live key, through the fake upstream", () => {
    it("retrieves the key: live mode, pro plan, the granted credits", async () => {
      const { key: fresh } = await newAccount("introspect@sdk-js.e2e", "pro", "live");
      const info = await client(fresh.key).key.retrieve();
      expect(info).toMatchObject({
        object: "api_key",
        id: fresh.id,
        key_id: fresh.key_id,
        mode: "live",
        account: { plan: "pro" },
        credits: { balance_micros: 0 },
      });
      expect(info.rate_limits.requests_per_minute).toBe(600);
    });

    it("creates a chat completion that the provider answered, and is charged for it", async () => {
      const sdk = client(liveKey.key);
      const before = (await sdk.key.retrieve()).credits.balance_micros;
      const sent = upstream.requests.length;
      const completion = await sdk.chat.completions.create({ model: MODEL, messages: [{ role: "user", content: "Hello from the live key" }] });
      expect(completion.choices[0]!.message.content).toBe("Fake answer to: Hello from the live key");
      expect(completion.model).toBe(MODEL);
      // The fake upstream counts one token per word of its answer.
      expect(completion.usage!.completion_tokens).toBe(8);
      expect(completion.usage!.cost_micros).toBe(8 * OUTPUT_MICROS_PER_TOKEN);
      expect(upstream.requests.length).toBe(sent + 1);
      expect(upstream.requests.at(-1)!.body).toMatchObject({ model: "fake-model", messages: [{ role: "user", content: "Hello from the live key" }] });
      const balance = await eventually("the charge to appear on the balance", async () => {
        const now = (await sdk.key.retrieve()).credits.balance_micros;
        return now === before - completion.usage!.cost_micros! ? now : undefined;
      });
      expect(balance).toBe(before - 8000);
    });

    it("creates embeddings that the provider answered, and is charged for them", async () => {
      const sdk = client(liveKey.key);
      const before = (await sdk.key.retrieve()).credits.balance_micros;
      const created = await sdk.embeddings.create({ model: EMBEDDING_MODEL, input: ["one two three", "four"] });
      expect(upstream.requests.at(-1)!.body).toMatchObject({ model: "fake-embed", input: ["one two three", "four"], encoding_format: "base64" });
      expect(created.data.map((entry) => entry.embedding.length)).toEqual([16, 16]);
      // The fake upstream counts one token per word of the inputs.
      expect(created.usage).toMatchObject({ prompt_tokens: 4, total_tokens: 4, cost_micros: 4 * EMBEDDING_INPUT_MICROS_PER_TOKEN });
      const balance = await eventually("the charge to appear on the balance", async () => {
        const now = (await sdk.key.retrieve()).credits.balance_micros;
        return now === before - created.usage.cost_micros! ? now : undefined;
      });
      expect(balance).toBe(before - 4000);
    });

    it("streams a chat completion from the provider", async () => {
      const stream = await client(liveKey.key).chat.completions.create({
        model: MODEL,
        messages: [{ role: "user", content: "Stream the live answer" }],
        stream: true,
        stream_options: { include_usage: true },
      });
      const { chunks, text } = await collect(stream);
      expect(text).toBe("Fake answer to: Stream the live answer");
      expect(chunks.some((chunk) => chunk.choices[0]?.finish_reason === "stop")).toBe(true);
      const last = chunks.at(-1)!;
      expect(last.choices).toEqual([]);
      expect(last.usage!.completion_tokens).toBe(7);
      expect(upstream.requests.at(-1)!.body).toMatchObject({ model: "fake-model", stream: true });
    });

    it("streams the cost in the final usage chunk", async () => {
      const stream = await client(liveKey.key).chat.completions.create({
        model: MODEL,
        messages: [{ role: "user", content: "What does a stream cost" }],
        stream: true,
        stream_options: { include_usage: true },
      });
      const { chunks } = await collect(stream);
      const usage = chunks.at(-1)!.usage!;
      expect(usage.cost_micros).toBe(usage.completion_tokens * OUTPUT_MICROS_PER_TOKEN);
    });
  });

  describe("errors", () => {
    it("a revoked key → AuthenticationError with code revoked_api_key and a request id", async () => {
      const { key } = await newAccount("revoked@sdk-js.e2e", "free", "live");
      const sdk = client(key.key);
      expect((await sdk.key.retrieve()).key_id).toBe(key.key_id);
      await admin("DELETE", `/admin/v1/keys/${key.id}`);
      const error = await rejection(() => sdk.models.list());
      expect(error).toBeInstanceOf(AuthenticationError);
      expect(error).toBeInstanceOf(Bentoo.APIError);
      const failure = error as AuthenticationError;
      expect(failure.status).toBe(401);
      expect(failure.code).toBe("revoked_api_key");
      expect(failure.type).toBe("authentication_error");
      expect(failure.requestID).toMatch(/^req_[0-9A-Za-z]+$/);
      expect(failure.request_id).toBe(failure.requestID);
      expect(failure.message).toMatch(/^401 /);
      expect(failure.message).toContain(key.key_id);
      expect(failure.message).not.toContain(key.key);
      expect(JSON.stringify(failure)).not.toContain(key.key);
      // The same for a chat completion, streamed or not.
      const chat = await rejection(() => sdk.chat.completions.create({ model: MODEL, messages: [{ role: "user", content: "hi" }], stream: true }));
      expect(chat).toBeInstanceOf(AuthenticationError);
      expect((chat as AuthenticationError).code).toBe("revoked_api_key");
    });

    it("a balance too small for the request → InsufficientCreditsError (402), before any provider call", async () => {
      const { account, key } = await newAccount("broke@sdk-js.e2e", "free", "live");
      await admin("POST", `/admin/v1/accounts/${account.id}/credits`, { amount_micros: 10 });
      const sdk = client(key.key);
      const sent = upstream.requests.length;
      const messages = [{ role: "user" as const, content: "Too expensive" }];
      for (const stream of [false, true]) {
        const error = await rejection(() => sdk.chat.completions.create({ model: MODEL, messages, max_tokens: 50, stream }));
        expect(error, `stream: ${stream}`).toBeInstanceOf(InsufficientCreditsError);
        const failure = error as InsufficientCreditsError;
        expect(failure.status).toBe(402);
        expect(failure.code).toBe("insufficient_credits");
        expect(failure.requestID).toMatch(/^req_/);
      }
      expect(upstream.requests.length).toBe(sent);
    });

    it("over the rpm limit → RateLimitError (429), not retried with maxRetries: 0", async () => {
      const { account, key } = await newAccount("limited@sdk-js.e2e", "free", "test");
      await admin("PATCH", `/admin/v1/accounts/${account.id}`, { rpm_limit: 1 });
      const counter = { calls: 0 };
      const sdk = client(key.key, { maxRetries: 0, fetch: recordingFetch([], counter) });
      const messages = [{ role: "user" as const, content: "One a minute" }];
      await sdk.chat.completions.create({ model: MODEL, messages });
      const error = await rejection(() => sdk.chat.completions.create({ model: MODEL, messages }));
      expect(error).toBeInstanceOf(RateLimitError);
      const failure = error as RateLimitError;
      expect(failure.status).toBe(429);
      expect(failure.code).toBe("rate_limit_exceeded");
      expect(failure.type).toBe("rate_limit_error");
      expect(failure.requestID).toMatch(/^req_/);
      expect(Number(failure.headers!.get("retry-after"))).toBeGreaterThan(0);
      expect(counter.calls).toBe(2);
    });
  });

  describe("audit logs", () => {
    const made: string[] = [];
    let start: Date;

    beforeAll(async () => {
      start = new Date(Date.now() - 60_000);
      const sdk = client(testKey, { fetch: recordingFetch(made) });
      for (let index = 0; index < 4; index += 1) {
        await sdk.chat.completions.create({ model: MODEL, messages: [{ role: "user", content: `audit request ${index}` }] });
      }
      for await (const chunk of await sdk.chat.completions.create({ model: MODEL, messages: [{ role: "user", content: "audit stream" }], stream: true }))
        void chunk;
      expect(made).toHaveLength(5);
      // The audit writer flushes in batches (every 200 ms): wait until the records are stored.
      await eventually("the audit records of the requests", async () => {
        const ids = new Set<string | null>();
        for await (const record of client(testKey).audit.logs.list({ start, limit: 1000 })) ids.add(record.request_id);
        return made.every((id) => ids.has(id));
      });
    });

    it("list() auto-paginates across several pages and finds the requests made", async () => {
      const sdk = client(testKey);
      const first = await sdk.audit.logs.list({ start, end: new Date(Date.now() + 60_000), limit: 2 });
      expect(first.data).toHaveLength(2);
      expect(first.hasNextPage()).toBe(true);
      let pages = 0;
      for await (const page of first.iterPages()) {
        pages += 1;
        expect(page.data.length).toBeLessThanOrEqual(2);
      }
      expect(pages).toBeGreaterThanOrEqual(3);

      const records = [];
      for await (const record of sdk.audit.logs.list({ start, limit: 2 })) records.push(record);
      expect(records.length).toBeGreaterThan(2 * 2);
      expect(new Set(records.map((record) => record.id)).size).toBe(records.length); // no page repeats a record
      const byRequest = new Map(records.map((record) => [record.request_id, record]));
      for (const id of made) {
        expect(byRequest.get(id), `audit record of ${id}`).toMatchObject({
          object: "audit_log",
          type: "request",
          model: MODEL,
          status: 200,
          key_id: testKey.slice(-4),
        });
      }
      const times = records.map((record) => Date.parse(record.timestamp));
      expect(times).toEqual([...times].sort((a, b) => a - b)); // oldest first
      expect(JSON.stringify(records)).not.toContain(testKey);

      // Filters reach the server: only this model's successful requests.
      const filtered = [];
      for await (const record of sdk.audit.logs.list({ start, model: MODEL, status: 200, limit: 3 })) filtered.push(record);
      expect(filtered.length).toBeGreaterThanOrEqual(made.length);
      for (const record of filtered) expect(record).toMatchObject({ model: MODEL, status: 200 });
    });

    it("export() streams JSON Lines whose every line parses, and CSV", async () => {
      const sdk = client(testKey);
      const response = await sdk.audit.logs.export({ format: "jsonl", start, end: new Date(Date.now() + 60_000) });
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toContain("application/x-ndjson");
      expect(response.bodyUsed).toBe(false);
      const decoder = new TextDecoder();
      let text = "";
      let pieces = 0;
      for await (const piece of response.body! as unknown as AsyncIterable<Uint8Array>) {
        pieces += 1;
        text += decoder.decode(piece, { stream: true });
      }
      text += decoder.decode();
      expect(pieces).toBeGreaterThan(0);
      expect(text.endsWith("\n")).toBe(true);
      const lines = text.split("\n").filter((line) => line !== "");
      const records = lines.map((line) => JSON.parse(line) as { object: string; request_id: string | null });
      for (const record of records) expect(record.object).toBe("audit_log");
      const ids = new Set(records.map((record) => record.request_id));
      for (const id of made) expect(ids.has(id), `export has ${id}`).toBe(true);

      const csv = await (await sdk.audit.logs.export({ format: "csv", start })).text();
      const [header, ...rows] = csv.split(/\r?\n/).filter((line) => line !== "");
      expect(header).toContain("request_id");
      for (const id of made) expect(rows.some((row) => row.includes(id))).toBe(true);
    });
  });

  describe("the README examples, run as a program against a fresh server", () => {
    let fresh: Gateway;
    let scripts: string;

    beforeAll(async () => {
      scripts = join(directory, "readme");
      // A project that installed the package: node_modules/bentoo is the built SDK.
      mkdirSync(join(scripts, "node_modules"), { recursive: true });
      symlinkSync(SDK_DIR, join(scripts, "node_modules", "bentoo"), "dir");
      writeFileSync(join(scripts, "package.json"), JSON.stringify({ type: "module", private: true }));
      // What `npm start` does on a fresh install: the built-in catalog and the demo test key.
      fresh = await startGateway({ BENTOO_DATABASE_URL: `sqlite:${join(directory, "readme.db")}` });
    });

    afterAll(() => stopGateway(fresh));

    async function runScript(name: string, source: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
      const file = join(scripts, name);
      writeFileSync(file, source);
      const base = Object.fromEntries(Object.entries(process.env).filter(([variable]) => !variable.startsWith("BENTOO_")));
      const child = spawn(process.execPath, [file], {
        cwd: scripts,
        env: { ...base, BENTOO_API_KEY: fresh.demoKey!, BENTOO_BASE_URL: fresh.baseURL },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
      const code = await new Promise<number | null>((resolve) => child.once("close", resolve));
      console.log(`--- ${name} (exit ${code}) ---\n${stdout}${stderr}`);
      return { code, stdout, stderr };
    }

    function readmeBlock(after: string): string {
      const readme = readFileSync(SDK_README, "utf8");
      const at = readme.indexOf(after);
      expect(at, `packages/sdk-js/README.md has no "${after}"`).toBeGreaterThanOrEqual(0);
      const block = /```(?:ts|js|typescript|javascript)\n([\s\S]*?)```/.exec(readme.slice(at));
      expect(block, `no code block after "${after}"`).not.toBeNull();
      return block![1]!;
    }

    it("the Quickstart block (its placeholders filled in) exits 0 and prints a completion", async () => {
      const block = readmeBlock("## Quickstart");
      expect(block).toContain('import Bentoo from "bentoo";');
      // `{ ... }` loop bodies and the free variables model, messages, start, end are the only placeholders.
      const body = block.replace(/for await \(const (\w+) of (.*?)\) \{ \.\.\. \}/g, "for await (const $1 of $2) { seen.push($1); }");
      expect(body).not.toContain("...");
      const program = [
        'const model = "openai/gpt-6-luna";',
        'const messages = [{ role: "user", content: "Hello" }];',
        "const end = new Date(Date.now() + 60_000);",
        "const start = new Date(end.getTime() - 3_600_000);",
        "const seen = [];",
        body,
        'console.log("completion:", r.choices[0]?.message.content);',
        'console.log("streamed:", seen.filter((item) => item.object === "chat.completion.chunk").map((chunk) => chunk.choices[0]?.delta.content ?? "").join(""));',
        'console.log("audit records:", seen.filter((item) => item.object === "audit_log").length);',
      ].join("\n");
      const { code, stdout, stderr } = await runScript("quickstart.mjs", program);
      expect(code, stderr).toBe(0);
      expect(stdout).toMatch(/^completion: Sandbox answer from openai\/gpt-6-luna to "Hello"\./m);
      expect(stdout).toMatch(/^streamed: Sandbox answer from openai\/gpt-6-luna to "Hello"\./m);
      expect(Number(/^audit records: (\d+)$/m.exec(stdout)?.[1])).toBeGreaterThan(0);
    });

    it("the complete program, verbatim, exits 0 and prints a completion and its cost", async () => {
      const program = readmeBlock("A complete program:");
      expect(program).toContain('import Bentoo from "bentoo";');
      const { code, stdout, stderr } = await runScript("complete-program.mjs", program);
      expect(code, stderr).toBe(0);
      expect(stdout).toMatch(/^Sandbox answer from openai\/gpt-6-luna to "Say hello in French\."/m);
      expect(stdout).toMatch(/^0 micro-dollars$/m);
    });
  });
});
