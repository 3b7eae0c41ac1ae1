import { Redis } from "ioredis";

/**
 * Redis clients for the scale-out mode. Commands fail fast when Redis is down
 * (no offline queue, one retry) so callers can apply their failure policy instead
 * of hanging; the connection itself keeps reconnecting in the background.
 */
export function createRedisClient(url: string, name: string): Redis {
  return new Redis(url, {
    connectionName: name,
    // Commands issued in the same tick (rate limit + credit hold) share one round trip.
    enableAutoPipelining: true,
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
