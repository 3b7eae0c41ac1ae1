import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { deleteKeysUnder } from "@bentoo/test-kit";
import { MemoryRateLimiter, RedisRateLimiter, type RateLimiter } from "../src/index.js";

/** Set by the root vitest global setup when Redis answers; unset means skip. */
export const testRedisUrl: string | undefined = process.env.BENTOO_TEST_REDIS_URL || undefined;

/**
 * The client settings the README asks callers to use: no offline queue and one
 * retry, so a dead Redis rejects at once instead of hanging.
 */
export async function connectTestRedis(url: string): Promise<Redis> {
  const redis = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: true });
  await redis.connect();
  return redis;
}

export function testKeyPrefix(): string {
  return `bentoo-test:${randomUUID()}:`;
}

/** Two limiters sharing one state: two instances on two clients for Redis, one instance twice for memory. */
export interface OpenedLimiters {
  limiter: RateLimiter;
  peer: RateLimiter;
  dispose(): Promise<void>;
}

export interface Backend {
  name: "memory" | "redis";
  available: boolean;
  open(now: () => number): Promise<OpenedLimiters>;
}

export const memoryBackend: Backend = {
  name: "memory",
  available: true,
  async open(now) {
    const limiter = new MemoryRateLimiter({ now });
    return { limiter, peer: limiter, dispose: () => limiter.close() };
  },
};

export const redisBackend: Backend = {
  name: "redis",
  available: testRedisUrl !== undefined,
  async open(now) {
    if (testRedisUrl === undefined) throw new Error("BENTOO_TEST_REDIS_URL is not set");
    const keyPrefix = testKeyPrefix();
    const first = await connectTestRedis(testRedisUrl);
    const second = await connectTestRedis(testRedisUrl);
    return {
      limiter: new RedisRateLimiter({ redis: first, keyPrefix, now }),
      peer: new RedisRateLimiter({ redis: second, keyPrefix, now }),
      async dispose() {
        await deleteKeysUnder(first, keyPrefix);
        await Promise.all([first.quit(), second.quit()]);
      },
    };
  },
};
