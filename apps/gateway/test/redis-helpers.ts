import { Redis } from "ioredis";
import { vi } from "vitest";

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
