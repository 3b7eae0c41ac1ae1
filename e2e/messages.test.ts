import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Anthropic from "@anthropic-ai/sdk";
import type { AuditRecordJson } from "@bentoo/api-types";
import { type FakeAnthropic, startFakeAnthropic } from "@bentoo/test-kit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminCall, type BuiltServer, eventually, startBuiltServer, stopBuiltServer } from "./support/built-server.js";

/**
 * A Claude Code-style session against the built server (`node apps/gateway/dist/main.js`)
 * with `@anthropic-ai/sdk`, unmodified, pointed at Bentoo as Claude Code is
 * (`ANTHROPIC_BASE_URL` = the server's origin, `ANTHROPIC_AUTH_TOKEN` = a Bentoo key):
 * system blocks with cache_control, many tools, beta headers, token counts, a
 * streamed tool call and its result. On a test key (the sandbox) and on a live key
 * whose model a native `anthropic` provider serves (the fake Anthropic), with
 * exact billing through the Audit API.
 */

const ADMIN_TOKEN = "messages-e2e-admin-token-0123456789";
const ANTHROPIC_KEY = "sk-ant-fake-e2e-0123456789";
/** $3 input, $15 output, $0.30 cache reads, $3.75 cache writes per million tokens. */
const PRICES = { input_price_per_mtok: 3, output_price_per_mtok: 15, cache_read_price_per_mtok: 0.3, cache_write_price_per_mtok: 3.75 };
const GRANT = 5_000_000;
const BETA = "claude-code-20250219,interleaved-thinking-2025-05-14,fine-grained-tool-streaming-2025-05-14";

/** Claude Code's kind of tool list: many tools, each with a JSON schema, the last one marked for the prompt cache. */
const TOOLS: Anthropic.Tool[] = ["Bash", "Read", "Edit", "Write", "Glob", "Grep", "LS", "TodoWrite", "WebFetch", "NotebookEdit", "MultiEdit", "Task"].map(
  (name, index, all) => ({
    name,
    description: `The ${name} tool: ${"does what its name says. ".repeat(8)}`,
    input_schema: {
      type: "object",
      properties: { path: { type: "string", description: "an absolute path" }, command: { type: "string" }, limit: { type: "integer" } },
      required: ["path"],
      additionalProperties: false,
    },
    ...(index === all.length - 1 ? { cache_control: { type: "ephemeral" as const } } : {}),
  }),
);
const SYSTEM: Anthropic.TextBlockParam[] = [
  { type: "text", text: "You are an interactive command line tool that helps users with software engineering tasks.", cache_control: { type: "ephemeral" } },
  { type: "text", text: `Working directory: /home/user/project\nPlatform: linux\n${"Repository notes. ".repeat(40)}`, cache_control: { type: "ephemeral" } },
];

interface Session {
  requestIds: string[];
  usages: Anthropic.Usage[];
}

/** One Claude Code-style exchange: a count, a streamed turn, the tool's result when a tool was called, another count. */
async function claudeCodeSession(client: Anthropic, model: string): Promise<Session & { first: Anthropic.Message; last: Anthropic.Message }> {
  const session: Session = { requestIds: [], usages: [] };
  const options = { headers: { "anthropic-beta": BETA } };
  const messages: Anthropic.MessageParam[] = [
    { role: "user", content: [{ type: "text", text: "List the files in src and fix the failing test", cache_control: { type: "ephemeral" } }] },
  ];
  const counted = await client.messages.countTokens({ model, system: SYSTEM, tools: TOOLS, messages }, options).withResponse();
  session.requestIds.push(counted.response.headers.get("x-request-id")!);
  expect(counted.data.input_tokens).toBeGreaterThan(0);

  const turn = async () => {
    const stream = client.messages.stream({ model, max_tokens: 32_000, system: SYSTEM, tools: TOOLS, metadata: { user_id: "session-1" }, messages }, options);
    const message = await stream.finalMessage();
    session.requestIds.push((await stream.withResponse()).response.headers.get("x-request-id")!);
    session.usages.push(message.usage);
    return message;
  };
  const first = await turn();
  let last = first;
  const call = first.content.find((block): block is Anthropic.ToolUseBlock => block.type === "tool_use");
  if (call !== undefined) {
    messages.push({ role: "assistant", content: first.content });
    messages.push({ role: "user", content: [{ type: "tool_result", tool_use_id: call.id, content: "src/index.ts\nsrc/app.test.ts" }] });
    last = await turn();
  }
  const recount = await client.messages.countTokens({ model, system: SYSTEM, tools: TOOLS, messages }, options).withResponse();
  session.requestIds.push(recount.response.headers.get("x-request-id")!);
  // The tool's call and result make the conversation longer; without them it is the same.
  if (call === undefined) expect(recount.data.input_tokens).toBe(counted.data.input_tokens);
  else expect(recount.data.input_tokens).toBeGreaterThan(counted.data.input_tokens);
  return { ...session, first, last };
}

/**
 * Anthropic's SDK sending the key in x-api-key only, as Claude Code does with
 * ANTHROPIC_API_KEY: no credential of the SDK's own (none read from the
 * environment either), and no Authorization header.
 */
function viaApiKeyHeader(baseURL: string, key: string): Anthropic {
  return new Anthropic({ baseURL, maxRetries: 0, apiKey: null, authToken: null, defaultHeaders: { "x-api-key": key, authorization: null } });
}

describe("a Claude Code-style session against the built server", () => {
  let directory: string;
  let anthropic: FakeAnthropic;
  let server: BuiltServer;
  let testKey: string;
  let liveKey: string;

  /** The caller's audit records of these requests, once all are written. */
  const auditedRequests = (key: string, requestIds: readonly string[]) =>
    eventually("the session's audit records", async () => {
      const response = await fetch(`${server.baseUrl}/v1/audit/logs?limit=100`, { headers: { "x-api-key": key } });
      const page = (await response.json()) as { data: AuditRecordJson[] };
      const found = page.data.filter((record) => record.request_id !== null && requestIds.includes(record.request_id));
      return found.length >= requestIds.length ? found : undefined;
    });

  beforeAll(async () => {
    directory = mkdtempSync(join(tmpdir(), "bentoo-messages-e2e-"));
    anthropic = await startFakeAnthropic({ apiKey: ANTHROPIC_KEY });
    const catalog = join(directory, "catalog.json");
    const claude = (id: string, upstream: string) => ({
      id,
      provider: "claude",
      upstream_model: upstream,
      context_length: 200_000,
      max_output_tokens: 64_000,
      ...PRICES,
    });
    writeFileSync(
      catalog,
      JSON.stringify({
        providers: [{ id: "claude", type: "anthropic", base_url: anthropic.url, api_key_env: "ANTHROPIC_KEY" }],
        models: [claude("claude/code", "fake-tools"), claude("claude/cached", "fake-cache")],
      }),
    );
    server = await startBuiltServer(
      {
        BENTOO_DATABASE_URL: `sqlite:${join(directory, "bentoo.db")}`,
        BENTOO_CATALOG: catalog,
        BENTOO_ADMIN_TOKEN: ADMIN_TOKEN,
        BENTOO_SEED_DEMO: "false",
        BENTOO_LOG_LEVEL: "warn",
        ANTHROPIC_KEY,
      },
      {},
    );
    const account = await adminCall(server.baseUrl, ADMIN_TOKEN, "POST", "/admin/v1/accounts", { email: "coder@messages.e2e", plan: "pro" });
    const accountId = account.id as string;
    testKey = (await adminCall(server.baseUrl, ADMIN_TOKEN, "POST", `/admin/v1/accounts/${accountId}/keys`, { name: "claude-code-test", mode: "test" }))
      .key as string;
    liveKey = (await adminCall(server.baseUrl, ADMIN_TOKEN, "POST", `/admin/v1/accounts/${accountId}/keys`, { name: "claude-code-live", mode: "live" }))
      .key as string;
    await adminCall(server.baseUrl, ADMIN_TOKEN, "POST", `/admin/v1/accounts/${accountId}/credits`, { amount_micros: GRANT });
  });
  afterAll(async () => {
    await stopBuiltServer(server);
    await anthropic?.close();
    if (directory) rmSync(directory, { recursive: true, force: true });
  });

  it("serves the session on a test key from the sandbox, with no upstream call and no charge", async () => {
    const before = anthropic.requests.length;
    // As Claude Code does with ANTHROPIC_BASE_URL and ANTHROPIC_AUTH_TOKEN: the origin (the SDK adds /v1), the key as a Bearer token.
    const client = new Anthropic({ baseURL: server.baseUrl, authToken: testKey, maxRetries: 0 });
    const session = await claudeCodeSession(client, "claude/code");
    expect(session.first.content.some((block) => block.type === "text")).toBe(true);
    expect(anthropic.requests.length).toBe(before);
    const records = await auditedRequests(testKey, session.requestIds);
    expect(records.map((record) => [record.status, record.cost_micros])).toEqual(session.requestIds.map(() => [200, 0]));
  });

  it("serves the session on a live key through the Anthropic passthrough: the streamed tool call, its result, and exact billing", async () => {
    // Claude Code with ANTHROPIC_API_KEY sends the key as x-api-key.
    const client = viaApiKeyHeader(server.baseUrl, liveKey);
    const session = await claudeCodeSession(client, "claude/code");
    const call = session.first.content.find((block): block is Anthropic.ToolUseBlock => block.type === "tool_use")!;
    expect(call).toMatchObject({ name: "Bash", input: { query: "List the files in src and fix the failing test" } });
    expect(session.last.content).toEqual([{ type: "text", text: "Fake answer to: src/index.ts src/app.test.ts" }]);

    // What reached Anthropic: the beta header, the system blocks and tools with their cache_control, as the client sent them.
    const turns = anthropic.requests.filter((request) => request.path === "/v1/messages");
    const lastTurn = turns.at(-1)!;
    expect(lastTurn.headers["anthropic-beta"]).toBe(BETA);
    expect(lastTurn.body).toMatchObject({ model: "fake-tools", max_tokens: 32_000, system: SYSTEM, tools: TOOLS, stream: true });
    expect(anthropic.requests.filter((request) => request.path === "/v1/messages/count_tokens")).toHaveLength(2);
    // Claude Code's beta client adds ?beta=true to both paths.
    const beta = await fetch(`${server.baseUrl}/v1/messages/count_tokens?beta=true`, {
      method: "POST",
      headers: { "x-api-key": liveKey, "content-type": "application/json", "anthropic-version": "2023-06-01", "anthropic-beta": BETA },
      body: JSON.stringify({ model: "claude/code", messages: [{ role: "user", content: "Hello" }] }),
    });
    expect([beta.status, await beta.json()]).toEqual([200, { input_tokens: 4 }]);
    session.requestIds.push(beta.headers.get("x-request-id")!);

    // One turn more on a model whose provider reports cache tokens.
    const cached = await client.messages.stream({ model: "claude/cached", max_tokens: 1024, system: SYSTEM, messages: [{ role: "user", content: "Hello" }] });
    const cachedMessage = await cached.finalMessage();
    session.requestIds.push((await cached.withResponse()).response.headers.get("x-request-id")!);
    expect(cachedMessage.usage).toMatchObject({ cache_read_input_tokens: 1000, cache_creation_input_tokens: 200 });
    session.usages.push(cachedMessage.usage);

    const records = await auditedRequests(liveKey, session.requestIds);
    const priced = (usage: Anthropic.Usage) =>
      Math.ceil(usage.input_tokens * 3) +
      Math.ceil((usage.cache_read_input_tokens ?? 0) * 0.3) +
      Math.ceil((usage.cache_creation_input_tokens ?? 0) * 3.75) +
      Math.ceil(usage.output_tokens * 15);
    const byId = new Map(records.map((record) => [record.request_id, record]));
    // The counts cost nothing; each turn what the provider reported, at the catalog's prices.
    const turnIds = session.requestIds.filter((id) => byId.get(id)!.endpoint === "/v1/messages");
    expect(turnIds).toHaveLength(session.usages.length);
    expect(turnIds.map((id) => byId.get(id)!.cost_micros)).toEqual(session.usages.map(priced));
    const charged = records.reduce((sum, record) => sum + (record.cost_micros ?? 0), 0);
    expect(charged).toBe(session.usages.reduce((sum, usage) => sum + priced(usage), 0));
    const key = (await (await fetch(`${server.baseUrl}/v1/key`, { headers: { authorization: `Bearer ${liveKey}` } })).json()) as {
      credits: { balance_micros: number };
    };
    expect(key.credits.balance_micros).toBe(GRANT - charged);
  });
});
