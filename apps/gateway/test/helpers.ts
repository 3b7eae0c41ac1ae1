import { Writable } from "node:stream";
import { builtinCatalog, type Account, type Catalog, type KeyMode, type Plan } from "@bentoo/core";
import { createApp, createLogger, createServices, parseConfig, type Services } from "@bentoo/gateway";
import { openStorage } from "@bentoo/storage";
import { sqliteTarget, type OpenedStorage, type StorageTarget } from "@bentoo/test-kit";
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
  /** Run as a second instance on the same database as this one (a fresh connection pool, same data). */
  shareStorageWith?: TestApp;
}

let counter = 0;

async function reopen(original: OpenedStorage): Promise<OpenedStorage> {
  const storage = await openStorage(original.url, original.schema === undefined ? {} : { schema: original.schema });
  return { storage, url: original.url, schema: original.schema, dispose: () => storage.close() };
}

/** A real app on real storage (a fresh SQLite file or PostgreSQL schema), called in process. */
export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const opened = options.shareStorageWith === undefined ? await (options.target ?? sqliteTarget).open() : await reopen(options.shareStorageWith.opened);
  const env: Record<string, string> = { ...options.env };
  const adminToken = options.adminToken === undefined ? ADMIN_TOKEN : options.adminToken;
  if (adminToken !== null) env.BENTOO_ADMIN_TOKEN = adminToken;
  const config = { ...parseConfig(env), catalog: options.catalog ?? builtinCatalog() };
  const logs = new LogCapture();
  const services = await createServices(config, (variable) => options.credentials?.[variable], { storage: opened.storage, logger: createLogger("info", logs) });
  const app = await createApp(services);
  await app.ready();
  return {
    app,
    services,
    opened,
    logs,
    async seedAccount(seed = {}) {
      counter += 1;
      const account = await services.storage.accounts.create({ email: `user${counter}-${Date.now()}@example.com`, passwordHash: null, plan: seed.plan ?? "free" });
      if (seed.balanceMicros !== undefined) await services.credits.grant(account.id, seed.balanceMicros);
      const issued = await services.keys.create(account, { name: "seeded", mode: seed.mode ?? "test" });
      return { account, key: issued.secret, keyId: issued.record.id };
    },
    async dispose() {
      await app.close();
      await services.close();
      await opened.dispose().catch(() => undefined);
    },
  };
}

export const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
