import { Redis } from "ioredis";

/**
 * How long a management request (a revoke, a grant, a readiness probe) waits on
 * Redis before it goes on without it: what those calls write to Redis is a
 * notice or a copy, and the change itself is already in the database.
 */
export const MANAGEMENT_REDIS_TIMEOUT_MS = 500;

/**
 * Redis clients for the scale-out mode. Commands fail fast when Redis is down
 * (no offline queue, one retry) so callers can apply their failure policy instead
 * of hanging; the connection itself keeps reconnecting in the background.
 * `commandTimeoutMs` also bounds a command to a Redis that accepts it and never
 * answers (a stalled server keeps its connections open).
 */
export function createRedisClient(url: string, name: string, options: { commandTimeoutMs?: number; autoPipelining?: boolean } = {}): Redis {
  return new Redis(url, {
    connectionName: name,
    ...(options.commandTimeoutMs === undefined ? {} : { commandTimeout: options.commandTimeoutMs }),
    // Commands issued in the same tick (rate limit + credit hold) share one round trip. A pipeline waits for the one
    // before it, so a connection whose commands may time out goes without (each command then has its own bound).
    enableAutoPipelining: options.autoPipelining ?? true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    retryStrategy: (attempt) => Math.min(attempt * 100, 1000),
    lazyConnect: true,
  });
}

/** A subscriber connection: subscriptions must survive reconnects, so it queues commands while offline. */
export function createRedisSubscriber(url: string, name: string): Redis {
  return new Redis(url, {
    connectionName: name,
    enableOfflineQueue: true,
    maxRetriesPerRequest: null,
    connectTimeout: 2000,
    retryStrategy: (attempt) => Math.min(attempt * 100, 1000),
    lazyConnect: true,
  });
}
