import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openStorage } from "@bentoo/storage";
import { deleteRedisKeys, type FakeUpstream, startFakeUpstream, testPostgresUrl, testRedisPrefix, testRedisUrl } from "@bentoo/test-kit";
import { Redis } from "ioredis";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminCall, type BuiltServer, startBuiltServer, stopBuiltServer } from "./support/built-server.js";

/**
 * `kill -9` under load loses nothing that was answered. The BUILT server takes
 * a few seconds of concurrent chat requests (JSON and streams, on a live key
 * that spends), is killed with SIGKILL mid-load, and is started again on the
 * same data: every request that got a complete response has its audit record
 * and its ledger charge, the balance is the grant less the charges, and in
 * PostgreSQL + Redis mode Redis' copy of the balance equals the database's
 * (the dead process's holds ended, its replayed charges taken once).
 */

const ADMIN_TOKEN = "crash-test-admin-token-0123456789";
const GRANT_MICROS = 1_000_000_000;
const CONNECTIONS = 24;
/** SIGKILL goes out after this much load (and at least MIN_ANSWERED answers). */
const LOAD_MS = 1_500;
const MIN_ANSWERED = 200;

interface Answered {
  requestId: string;
  status: number;
}

interface Mode {
  name: string;
  available: boolean;
  /** The server's environment, and what to clean up. */
  prepare(directory: string): Promise<{ env: Record<string, string>; dispose(): Promise<void>; redisBalance?: (accountId: string) => Promise<number | null> }>;
}

const postgresUrl = testPostgresUrl();
const redisUrl = testRedisUrl();

const modes: Mode[] = [
  {
    name: "SQLite + memory admission",
    available: true,
    async prepare(directory) {
      return { env: { BENTOO_DATABASE_URL: `sqlite:${join(directory, "bentoo.db")}` }, dispose: async () => undefined };
    },
  },
  {
    name: "PostgreSQL + Redis",
    available: postgresUrl !== undefined && redisUrl !== undefined,
    async prepare(directory) {
      const name = `bentoo_crash_${randomBytes(5).toString("hex")}`;
      const admin = new pg.Client({ connectionString: postgresUrl });
      await admin.connect();
      await admin.query(`create database ${name}`);
      await admin.end();
      const url = new URL(postgresUrl!);
      url.pathname = `/${name}`;
      const prefix = testRedisPrefix();
      const redis = new Redis(redisUrl!);
      return {
        env: {
          BENTOO_DATABASE_URL: url.toString(),
          BENTOO_REDIS_URL: redisUrl!,
          BENTOO_REDIS_PREFIX: prefix,
          BENTOO_JOURNAL_DIR: join(directory, "journal"),
        },
        redisBalance: async (accountId) => {
          const value = await redis.hget(`${prefix}credit:{${accountId}}`, "b");
          return value === null ? null : Number(value);
        },
        async dispose() {
          redis.disconnect();
          await deleteRedisKeys(redisUrl!, prefix);
          const client = new pg.Client({ connectionString: postgresUrl });
          await client.connect();
          await client.query(`drop database if exists ${name} with (force)`);
          await client.end();
        },
      };
    },
  },
];

describe.each(modes)("kill -9 under load: $name", (mode) => {
  let upstream: FakeUpstream;
  const directory = mkdtempSync(join(tmpdir(), "bentoo-crash-"));
  const servers: BuiltServer[] = [];
  let disposeMode: (() => Promise<void>) | null = null;

  beforeAll(async () => {
    upstream = await startFakeUpstream({ record: false, latencyMs: 2 });
  });
  afterAll(async () => {
    for (const server of servers) if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill("SIGKILL");
    await upstream?.close();
    await disposeMode?.();
    rmSync(directory, { recursive: true, force: true });
  });

  it.skipIf(!mode.available)(
    "every answered request has its audit record and its charge after a restart; the balances agree",
    async () => {
      const prepared = await mode.prepare(directory);
      disposeMode = prepared.dispose;
      const catalog = join(directory, "catalog.json");
      writeFileSync(
        catalog,
        JSON.stringify({
          providers: [{ id: "fake", type: "openai", base_url: upstream.url, api_key_env: null }],
          models: [
            {
              id: "fake/chat",
              provider: "fake",
              upstream_model: "fake-model",
              input_price_per_mtok: 1,
              output_price_per_mtok: 1000,
              context_length: 8192,
              max_output_tokens: 50,
            },
          ],
        }),
      );
      const env = { ...prepared.env, BENTOO_CATALOG: catalog, BENTOO_ADMIN_TOKEN: ADMIN_TOKEN, BENTOO_SEED_DEMO: "false" };
      const first = await startBuiltServer(env);
      servers.push(first);
      const admin = (baseUrl: string, path: string, body: object, method = "POST") => adminCall(baseUrl, ADMIN_TOKEN, method, path, body);
      const account = await admin(first.baseUrl, "/admin/v1/accounts", { email: "crash@example.com", plan: "pro" });
      const accountId = account.id as string;
      await admin(first.baseUrl, `/admin/v1/accounts/${accountId}`, { rpm_limit: 1_000_000, tpm_limit: 1_000_000_000 }, "PATCH");
      await admin(first.baseUrl, `/admin/v1/accounts/${accountId}/credits`, { amount_micros: GRANT_MICROS });
      const key = (await admin(first.baseUrl, `/admin/v1/accounts/${accountId}/keys`, { name: "load", mode: "live" })).key as string;

      // Load until the kill: each connection sends a request, reads the whole answer, sends the next.
      const answered: Answered[] = [];
      let sent = 0;
      let killed = false;
      const send = async (index: number): Promise<void> => {
        const stream = index % 3 === 0;
        const response = await fetch(`${first.baseUrl}/v1/chat/completions`, {
          method: "POST",
          headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
          body: JSON.stringify({
            model: "fake/chat",
            messages: [{ role: "user", content: `request number ${index}` }],
            max_tokens: 8,
            ...(stream ? { stream: true, stream_options: { include_usage: true } } : {}),
          }),
        });
        const body = await response.text(); // a complete response: its last byte arrived
        if (stream && response.status === 200 && !body.includes("[DONE]")) return;
        answered.push({ requestId: response.headers.get("x-request-id") ?? "(none)", status: response.status });
      };
      const connection = async (): Promise<void> => {
        while (!killed) {
          sent += 1;
          await send(sent).catch(() => undefined); // cut by the kill: not answered
        }
      };
      const started = Date.now();
      const load = Array.from({ length: CONNECTIONS }, connection);
      while (Date.now() - started < LOAD_MS || answered.length < MIN_ANSWERED) await new Promise((resolve) => setTimeout(resolve, 20));
      const exited = new Promise((resolve) => first.child.once("exit", resolve));
      first.child.kill("SIGKILL");
      await exited;
      killed = true;
      await Promise.all(load);
      const inFlight = sent - answered.length;
      process.stdout.write(`[crash ${mode.name}] ${answered.length} answered, ${inFlight} cut by SIGKILL\n`);
      expect(inFlight, "the kill must land while requests are in flight").toBeGreaterThan(0);
      expect(answered.filter((answer) => answer.status !== 200)).toEqual([]);

      // Started again on the same data: it replays the journal before it serves.
      const second = await startBuiltServer(env);
      servers.push(second);
      const storage = await openStorage(env.BENTOO_DATABASE_URL);
      try {
        const ids = answered.map((answer) => answer.requestId);
        const audited = new Map<string, number>();
        const charged = new Map<string, number>();
        for (let offset = 0; offset < ids.length; offset += 500) {
          const chunk = ids.slice(offset, offset + 500);
          for (const row of await storage.db.selectFrom("audit_log").select(["request_id"]).where("request_id", "in", chunk).execute())
            audited.set(row.request_id!, (audited.get(row.request_id!) ?? 0) + 1);
          for (const row of await storage.db.selectFrom("credit_ledger").select(["request_id"]).where("request_id", "in", chunk).execute())
            charged.set(row.request_id!, (charged.get(row.request_id!) ?? 0) + 1);
        }
        expect(
          ids.filter((id) => audited.get(id) !== 1),
          "answered requests without exactly one audit record",
        ).toEqual([]);
        expect(
          ids.filter((id) => charged.get(id) !== 1),
          "answered requests without exactly one charge",
        ).toEqual([]);
        const balance = (await storage.accounts.get(accountId))!.balanceMicros;
        const charges = await storage.db
          .selectFrom("credit_ledger")
          .select((eb) => eb.fn.sum<number>("amount_micros").as("total"))
          .where("account_id", "=", accountId)
          .where("kind", "=", "charge")
          .executeTakeFirstOrThrow();
        expect(balance).toBe(GRANT_MICROS + Number(charges.total));
        expect(balance).toBeLessThan(GRANT_MICROS);
        if (prepared.redisBalance !== undefined) expect(await prepared.redisBalance(accountId)).toBe(balance);
        process.stdout.write(`[crash ${mode.name}] all ${ids.length} recorded and charged once; balance ${balance} µ$ in the database and in admission\n`);
      } finally {
        await storage.close();
      }
      expect(await stopBuiltServer(second)).toBe(0);
    },
    60_000,
  );
});
