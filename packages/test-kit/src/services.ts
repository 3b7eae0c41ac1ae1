import { randomBytes } from "node:crypto";
import { connect } from "node:net";
import { Redis } from "ioredis";
import pg from "pg";

/**
 * Which real services the test run may use. Vitest's global setup probes them
 * once; suites that need one run only when it answered. Locally a missing
 * service means a printed notice and skipped suites; in CI
 * (BENTOO_REQUIRE_SERVICES=1) it fails the run.
 */
export const POSTGRES_URL_VARIABLE = "BENTOO_TEST_POSTGRES_URL";
export const REDIS_URL_VARIABLE = "BENTOO_TEST_REDIS_URL";
export const DEFAULT_TEST_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/test";
export const DEFAULT_TEST_REDIS_URL = "redis://127.0.0.1:6379";

export async function postgresAnswers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query("select 1");
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export function redisAnswers(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname || "127.0.0.1", port: Number(port || 6379) });
    const finish = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(2000, () => finish(false));
    socket.once("error", () => finish(false));
    socket.once("connect", () => socket.write("PING\r\n"));
    socket.once("data", (data) => finish(data.toString().startsWith("+PONG")));
  });
}

/** The PostgreSQL URL for tests, or undefined when the suites must skip. */
export function testPostgresUrl(): string | undefined {
  return process.env[POSTGRES_URL_VARIABLE] || undefined;
}

export function testRedisUrl(): string | undefined {
  return process.env[REDIS_URL_VARIABLE] || undefined;
}

/** A Redis key prefix of a test's own (`bentoo-test:<random>:`), for BENTOO_REDIS_PREFIX. */
export function testRedisPrefix(): string {
  return `bentoo-test:${randomBytes(4).toString("hex")}:`;
}

/** Deletes every key under `prefix` (SCAN, never KEYS, on a shared server): a test's clean-up. */
export async function deleteKeysUnder(redis: Redis, prefix: string): Promise<void> {
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 1000);
    if (keys.length > 0) await redis.del(...keys);
    cursor = next;
  } while (cursor !== "0");
}

/** `deleteKeysUnder` on a connection of its own. */
export async function deleteRedisKeys(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    await deleteKeysUnder(redis, prefix);
  } finally {
    redis.disconnect();
  }
}
