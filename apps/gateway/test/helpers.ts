import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { type Account, builtinCatalog, type Catalog, type HostResolver, type KeyMode, type Plan, parseCatalog } from "@bentoo/core";
import { createApp, createLogger, createServices, parseConfig, type Services } from "@bentoo/gateway";
import { openStorage } from "@bentoo/storage";
import { type FakeUpstream, type OpenedStorage, type StorageTarget, sqliteTarget, TestClock } from "@bentoo/test-kit";
import type { FastifyInstance } from "fastify";

export const ADMIN_TOKEN = "test-admin-token-0123456789";

/** Collects every log line the server writes, so tests can grep it. */
export class LogCapture extends Writable {
  readonly lines: string[] = [];
  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: () => void): void {
    this.lines.push(...chunk.toString("utf8").split("\n").filter(Boolean));
    callback();
  }
  text(): string {
    return this.lines.join("\n");
  }
}

export interface TestApp {
  app: FastifyInstance;
  services: Services;
  opened: OpenedStorage;
  logs: LogCapture;
  /**
   * The services' clock: it stands still until a test moves it. Expiry, roll
   * grace, sessions, sign-in throttling, rate-limit refills, key-cache lifetimes
   * and audit timestamps all read it.
   */
  clock: TestClock;
  /** Creates an account with one key; returns the full secret. */
  seedAccount(options?: { plan?: Plan; mode?: KeyMode; balanceMicros?: number }): Promise<{ account: Account; key: string; keyId: string }>;
  dispose(): Promise<void>;
}

export interface TestAppOptions {
  target?: StorageTarget;
  catalog?: Catalog;
  credentials?: Record<string, string>;
  adminToken?: string | null;
  env?: Record<string, string>;
  /** Run as a second instance on the same database as this one (a fresh connection pool, same data, the same clock). */
  shareStorageWith?: TestApp;
  /** How webhook endpoint hosts resolve (default: the system resolver). */
  resolveHost?: HostResolver;
}

let counter = 0;

async function reopen(original: OpenedStorage, now: () => number): Promise<OpenedStorage> {
  const storage = await openStorage(original.url, original.schema === undefined ? { now } : { now, schema: original.schema });
  return { storage, url: original.url, schema: original.schema, dispose: () => storage.close() };
}

/** A real app on real storage (a fresh SQLite file or PostgreSQL schema), called in process. */
export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const shared = options.shareStorageWith;
  const clock = shared?.clock ?? new TestClock();
  const opened = shared === undefined ? await (options.target ?? sqliteTarget).open({ now: clock.now }) : await reopen(shared.opened, clock.now);
  const env: Record<string, string> = { ...options.env };
  // Each app journals in a directory of its own (a journal directory belongs to one process at a time).
  const journalDir = env.BENTOO_JOURNAL_DIR === undefined ? mkdtempSync(join(tmpdir(), "bentoo-test-journal-")) : null;
  if (journalDir !== null) env.BENTOO_JOURNAL_DIR = journalDir;
  const adminToken = options.adminToken === undefined ? ADMIN_TOKEN : options.adminToken;
  if (adminToken !== null) env.BENTOO_ADMIN_TOKEN = adminToken;
  const config = { ...parseConfig(env), catalog: options.catalog ?? builtinCatalog() };
  const logs = new LogCapture();
  let services: Services;
  try {
    services = await createServices(config, (variable) => options.credentials?.[variable], {
      storage: opened.storage,
      logger: createLogger("info", logs),
      now: clock.now,
      ...(options.resolveHost === undefined ? {} : { resolveHost: options.resolveHost }),
    });
  } catch (error) {
    await opened.dispose().catch(() => undefined);
    if (journalDir !== null) rmSync(journalDir, { recursive: true, force: true });
    throw error;
  }
  const app = await createApp(services);
  await app.ready();
  return {
    app,
    services,
    opened,
    logs,
    clock,
    async seedAccount(seed = {}) {
      counter += 1;
      // Straight into storage: a seeded account has no account.created event to skew the audit log.
      const account = await services.storage.accounts.create({
        email: `user${counter}-${Date.now()}@example.com`,
        passwordHash: null,
        plan: seed.plan ?? "free",
      });
      if (account === null) throw new Error("seedAccount: the generated email is taken");
      if (seed.balanceMicros !== undefined) await services.credits.grant(account.id, seed.balanceMicros);
      const issued = await services.keys.create(account, { name: "seeded", mode: seed.mode ?? "test" });
      return { account, key: issued.secret, keyId: issued.record.id };
    },
    async dispose() {
      const closing = app.close();
      // A test's client may leave a connection open (fetch's pool opens spare ones): close() would wait
      // for the client to drop it (undici's keep-alive timeout, 4 s). The tests are over: drop it now.
      app.server.closeAllConnections();
      await closing;
      await services.close();
      await opened.dispose().catch(() => undefined);
      if (journalDir !== null) rmSync(journalDir, { recursive: true, force: true });
    },
  };
}

export const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

interface SseEvent {
  data: string;
}

/** Splits an SSE body into its events' data. */
export function parseSse(body: string): SseEvent[] {
  return body
    .split("\n\n")
    .filter((block) => block.trim() !== "")
    .map((block) => ({
      data: block
        .split("\n")
        .filter((line) => line.startsWith("data: "))
        .map((line) => line.slice(6))
        .join("\n"),
    }));
}

/** Output costs 1,000 micro-dollars per token and input nothing, so holds are easy to reason about. */
export function pricedCatalog(upstream: FakeUpstream) {
  const model = (id: string, upstreamModel: string) => ({
    id,
    provider: "fake",
    upstream_model: upstreamModel,
    input_price_per_mtok: 0,
    output_price_per_mtok: 1000,
    context_length: 8192,
    max_output_tokens: 50,
  });
  return parseCatalog({
    providers: [{ id: "fake", type: "openai", base_url: upstream.url, api_key_env: null }],
    models: [
      model("fake/chat", "fake-model"),
      model("fake/no-usage", "fake-no-usage"),
      model("fake/slow-stream", "fake-slow-stream"),
      model("fake/error", "fake-error-500"),
    ],
  });
}
