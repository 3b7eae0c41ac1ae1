import { Redis } from "ioredis";
import { afterAll, beforeAll, vi } from "vitest";
import { deleteRedisKeys, testRedisPrefix } from "@bentoo/test-kit";

/**
 * A client with the gateway's settings (no offline queue, one retry) that counts
 * the script calls it sends (EVALSHA, or EVAL after a NOSCRIPT), so a test can
 * check how many round trips a turn's work took.
 */
export async function scriptCountingRedis(url: string): Promise<{ redis: Redis; scriptCalls: () => number; resetCount: () => void }> {
  const redis = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: true });
  await redis.connect();
  let calls = 0;
  const send = redis.sendCommand.bind(redis);
  vi.spyOn(redis, "sendCommand").mockImplementation((command, ...rest) => {
    if (command.name === "evalsha" || command.name === "eval") calls += 1;
    return send(command, ...rest);
  });
  return { redis, scriptCalls: () => calls, resetCount: () => (calls = 0) };
}

/**
 * For a describe block: a script-counting client connected before its tests and
 * closed after them, and a key prefix of its own, whose keys are deleted at the end.
 */
export function scriptCountingSuite(url: string): { readonly prefix: string; readonly redis: Redis; scriptCalls(): number; resetCount(): void } {
  const prefix = testRedisPrefix();
  let client: Awaited<ReturnType<typeof scriptCountingRedis>> | null = null;
  const connected = () => {
    if (client === null) throw new Error("the suite's Redis client connects in beforeAll");
    return client;
  };
  beforeAll(async () => {
    client = await scriptCountingRedis(url);
  });
  afterAll(async () => {
    client?.redis.disconnect();
    await deleteRedisKeys(url, prefix);
  });
  return {
    prefix,
    get redis() {
      return connected().redis;
    },
    scriptCalls: () => connected().scriptCalls(),
    resetCount: () => connected().resetCount(),
  };
}
