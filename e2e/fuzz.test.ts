import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Pool } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BuiltServer, startBuiltServer, stopBuiltServer } from "./support/built-server.js";
import { type FuzzCase, type FuzzFixtures, fuzzCase, prng } from "./support/fuzz-cases.js";

/**
 * The bad-input suite: the real built server on loopback, at least
 * 10,000 generated malformed requests over 32 concurrent connections. No 5xx, no
 * crash, bounded memory, and a normal request still works afterwards.
 */
const SEED = 0xb3e7_0006;
const CASES = 10_400;
const CONCURRENCY = 32;
const BODY_LIMIT = 262_144;
const ADMIN_TOKEN = "e2e-fuzz-admin-token-0123456789";
const RAW_WAIT_MS = 1_500;

interface Outcome {
  /** An HTTP status, or "no response" / a client-side error code. */
  status: number | string;
  body: string;
}

function rssMegabytes(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, "utf8")
    .split("\n")
    .find((entry) => entry.startsWith("VmRSS:"));
  return Number(/(\d+)/.exec(line ?? "")?.[1] ?? 0) / 1024;
}

function describeCase(fuzz: FuzzCase): string {
  if (fuzz.kind === "raw") return `[${fuzz.family}] raw ${JSON.stringify(fuzz.bytes.toString("latin1").slice(0, 400))}`;
  const body = fuzz.body === undefined ? "" : ` body=${JSON.stringify((Buffer.isBuffer(fuzz.body) ? fuzz.body.toString("latin1") : fuzz.body).slice(0, 400))}`;
  return `[${fuzz.family}] ${fuzz.method} ${fuzz.path.slice(0, 200)} headers=${JSON.stringify(fuzz.headers).slice(0, 300)}${body}`;
}

async function sendRaw(port: number, bytes: Buffer): Promise<Outcome> {
  const socket = connect(port, "127.0.0.1");
  let received = "";
  socket.on("data", (chunk: Buffer) => (received += chunk.toString("latin1")));
  socket.on("error", () => undefined);
  socket.write(bytes);
  const timer = setTimeout(() => socket.destroy(), RAW_WAIT_MS);
  await new Promise((resolve) => socket.once("close", resolve));
  clearTimeout(timer);
  const status = /^HTTP\/1\.[01] (\d{3})/.exec(received)?.[1];
  return { status: status === undefined ? "no response" : Number(status), body: received.slice(0, 600) };
}

/** Errors of a reused keep-alive connection the server was closing as the request went out. */
const CONNECTION_RACES = new Set(["ECONNRESET", "UND_ERR_SOCKET", "EPIPE"]);
let retriedAfterReset = 0;

/**
 * One request. Like every HTTP client that reuses connections (the OpenAI SDKs
 * included), it sends again once when the connection was reset under it: a
 * request can go out on a keep-alive connection the server is closing after a
 * 413 or a timeout. A second reset counts as no answer.
 */
async function sendHttp(pool: Pool, fuzz: Extract<FuzzCase, { kind: "http" }>, attempt = 1): Promise<Outcome> {
  try {
    const response = await pool.request({ method: fuzz.method, path: fuzz.path, headers: fuzz.headers, body: fuzz.body ?? null });
    const body = await response.body.text();
    return { status: response.statusCode, body: body.slice(0, 600) };
  } catch (error) {
    const code = (error as { code?: string }).code ?? (error as Error).name;
    if (attempt === 1 && CONNECTION_RACES.has(code)) {
      retriedAfterReset += 1;
      return sendHttp(pool, fuzz, 2);
    }
    return { status: code === "UND_ERR_INVALID_ARG" ? "not sent (client refused)" : `client error ${code}`, body: (error as Error).message };
  }
}

async function json(server: BuiltServer, method: string, path: string, body?: object): Promise<Record<string, unknown>> {
  const response = await fetch(`${server.baseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const parsed = (await response.json()) as Record<string, unknown>;
  if (response.status >= 300) throw new Error(`${method} ${path} → ${response.status} ${JSON.stringify(parsed)}`);
  return parsed;
}

async function enterpriseAccount(server: BuiltServer, email: string, keys: number): Promise<{ id: string; keys: Array<{ id: string; key: string }> }> {
  const account = await json(server, "POST", "/admin/v1/accounts", { email, plan: "enterprise" });
  const id = account.id as string;
  await json(server, "PATCH", `/admin/v1/accounts/${id}`, { rpm_limit: 1_000_000_000, tpm_limit: 1_000_000_000 });
  const created: Array<{ id: string; key: string }> = [];
  for (let index = 0; index < keys; index += 1) {
    const key = await json(server, "POST", `/admin/v1/accounts/${id}/keys`, { name: `fuzz-${index}`, mode: "test" });
    created.push({ id: key.id as string, key: key.key as string });
  }
  return { id, keys: created };
}

const chatOk = async (server: BuiltServer, key: string) =>
  fetch(`${server.baseUrl}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify({ model: "openai/gpt-6-luna", messages: [{ role: "user", content: "Still there?" }] }),
  });

describe("bad-input suite against the built server", () => {
  const directory = mkdtempSync(join(tmpdir(), "bentoo-fuzz-"));
  let server: BuiltServer;
  let pool: Pool;
  let exitedDuringRun: number | null | undefined;

  beforeAll(async () => {
    server = await startBuiltServer({
      BENTOO_DATABASE_URL: `sqlite:${join(directory, "bentoo.db")}`,
      BENTOO_ADMIN_TOKEN: ADMIN_TOKEN,
      BENTOO_BODY_LIMIT: String(BODY_LIMIT),
      BENTOO_HEADERS_TIMEOUT_MS: "5000",
      BENTOO_REQUEST_TIMEOUT_MS: "10000",
      BENTOO_LOG_LEVEL: "warn",
    });
    server.child.once("exit", (code) => (exitedDuringRun = code));
    pool = new Pool(server.baseUrl, { connections: CONCURRENCY, headersTimeout: 15_000, bodyTimeout: 15_000 });
  }, 60_000);

  afterAll(async () => {
    await pool?.close().catch(() => undefined);
    await stopBuiltServer(server);
    rmSync(directory, { recursive: true, force: true });
  });

  it(`answers ${CASES} malformed requests without a 5xx or a crash, with bounded memory, and still serves afterwards`, { timeout: 180_000 }, async () => {
    const main = await enterpriseAccount(server, "fuzz@example.com", 3);
    const victim = await enterpriseAccount(server, "victim@example.com", 3);
    const revoked = (await json(server, "POST", `/admin/v1/accounts/${victim.id}/keys`, { name: "revoked", mode: "test" })) as { id: string; key: string };
    await json(server, "DELETE", `/admin/v1/keys/${revoked.id}`);
    const fixtures: FuzzFixtures = {
      keys: main.keys.map((entry) => entry.key),
      revokedKey: revoked.key,
      adminToken: ADMIN_TOKEN,
      victimAccountId: victim.id,
      victimKeyIds: victim.keys.map((entry) => entry.id),
      bodyLimit: BODY_LIMIT,
    };
    const port = Number(new URL(server.baseUrl).port);

    // Warm up (JIT, caches, tokenizer) before the baseline.
    for (let round = 0; round < 200; round += 1) expect((await chatOk(server, fixtures.keys[0]!)).status).toBe(200);
    const rssBefore = rssMegabytes(server.child.pid!);

    const random = prng(SEED);
    const cases = Array.from({ length: CASES }, (_, index) => fuzzCase(random, index, fixtures));
    const statuses = new Map<string, number>();
    const byFamily = new Map<string, Map<string, number>>();
    const serverErrors: string[] = [];
    /** Well-formed HTTP that got no HTTP answer (a reset or hang-up): raw malformed bytes may be dropped, these may not. */
    const unanswered: string[] = [];
    let sent = 0;
    let next = 0;
    const started = performance.now();
    const worker = async () => {
      while (next < cases.length) {
        const fuzz = cases[next++]!;
        const outcome = fuzz.kind === "raw" ? await sendRaw(port, fuzz.bytes) : await sendHttp(pool, fuzz);
        const status = String(outcome.status);
        if (!status.startsWith("not sent")) sent += 1;
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        const family = byFamily.get(fuzz.family) ?? new Map<string, number>();
        family.set(status, (family.get(status) ?? 0) + 1);
        byFamily.set(fuzz.family, family);
        if (typeof outcome.status === "number" && outcome.status >= 500) serverErrors.push(`${outcome.status} ← ${describeCase(fuzz)}\n    → ${outcome.body}`);
        if (fuzz.kind === "http" && status.startsWith("client error")) unanswered.push(`${status} ← ${describeCase(fuzz)}`);
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    const seconds = (performance.now() - started) / 1000;
    const rssAfter = rssMegabytes(server.child.pid!);

    const sorted = (map: Map<string, number>) =>
      [...map.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([status, count]) => `${status}: ${count}`)
        .join(", ");
    const report = [
      "",
      `bad-input suite (seed 0x${SEED.toString(16)}): ${sent} requests sent over ${CONCURRENCY} connections in ${seconds.toFixed(1)} s (${Math.round(sent / seconds)}/s)`,
      `statuses: ${sorted(statuses)}; sent again after a connection reset: ${retriedAfterReset}`,
      ...[...byFamily.entries()].map(([family, counts]) => `  ${family.padEnd(36)} ${sorted(counts)}`),
      `5xx: ${serverErrors.length}`,
      `server RSS: ${rssBefore.toFixed(1)} MB before, ${rssAfter.toFixed(1)} MB after (${(rssAfter - rssBefore).toFixed(1)} MB growth)`,
      ...serverErrors.map((entry) => `5xx: ${entry}`),
      "",
    ];
    process.stdout.write(report.join("\n"));

    expect(serverErrors, serverErrors.join("\n")).toEqual([]);
    expect(unanswered, unanswered.join("\n")).toEqual([]);
    expect(sent).toBeGreaterThanOrEqual(10_000);
    expect(exitedDuringRun).toBeUndefined();
    expect(server.child.exitCode).toBeNull();
    expect(rssAfter - rssBefore).toBeLessThan(100);

    // Still serving normally: health, a key used throughout, an untouched key, and a brand-new one.
    expect((await fetch(`${server.baseUrl}/healthz`)).status).toBe(200);
    expect((await chatOk(server, fixtures.keys[1]!)).status).toBe(200);
    const demo = await chatOk(server, server.demoKey!);
    expect(demo.status).toBe(200);
    expect(((await demo.json()) as { object: string }).object).toBe("chat.completion");
    const fresh = await enterpriseAccount(server, "after-fuzz@example.com", 1);
    expect((await chatOk(server, fresh.keys[0]!.key)).status).toBe(200);
  });
});
