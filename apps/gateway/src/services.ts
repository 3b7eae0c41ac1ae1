import { AccountService, KeyCache, KeyService, KeyVerifier, randomBase62, type Catalog, type KeyActivity, type KeyInvalidation, type PlanLimits, type Plan, type Storage } from "@bentoo/core";
import { createProviderRegistry, warmTokenizer, type CredentialSource, type ProviderRegistry } from "@bentoo/providers";
import { MemoryRateLimiter, RedisRateLimiter, type RateLimiter } from "@bentoo/ratelimit";
import { openStorage } from "@bentoo/storage";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import { SessionManager } from "./auth/sessions.js";
import { SignInThrottle } from "./auth/sign-in-throttle.js";
import { AuditWriter } from "./audit/audit-writer.js";
import type { Config } from "./config.js";
import { CreditService } from "./credits/credit-service.js";
import { LedgerWriter } from "./credits/ledger-writer.js";
import { MemoryCreditBank } from "./credits/memory-bank.js";
import { RedisCreditBank } from "./credits/redis-bank.js";
import { RedisAdmissions } from "./chat/redis-admissions.js";
import { RedisInvalidationBus } from "./infra/invalidation-bus.js";
import { createMetrics, type Metrics } from "./infra/metrics.js";
import { createRedisClient, createRedisSubscriber } from "./infra/redis.js";
import { createLogger } from "./logger.js";

/** Everything a request handler may use, built once at start-up (the composition root's product). */
export interface Services {
  config: Config;
  logger: Logger;
  storage: Storage;
  catalog: Catalog;
  plans: Readonly<Record<Plan, PlanLimits>>;
  providers: ProviderRegistry;
  keyCache: KeyCache;
  verifier: KeyVerifier;
  keys: KeyService;
  accounts: AccountService;
  invalidation: KeyInvalidation;
  /** Present in scale-out mode (BENTOO_REDIS_URL). */
  redis: { client: Redis; bus: RedisInvalidationBus } | null;
  sessions: SessionManager;
  signInThrottle: SignInThrottle;
  limiter: RateLimiter;
  /** Scale-out mode's joint admission and settlement (rate limits and credit holds in one Redis call); null in embedded mode. */
  admissions: RedisAdmissions | null;
  /** Whether requests pass when the shared limiter is unreachable. */
  failOpen: boolean;
  credits: CreditService;
  ledgerWriter: LedgerWriter;
  auditWriter: AuditWriter;
  metrics: Metrics;
  /** Last use and recent request counts per key (from the audit log). */
  keyActivity(accountId: string, keyIds: readonly string[]): Promise<KeyActivity[]>;
  now: () => number;
  close(): Promise<void>;
}

export interface ServiceOverrides {
  logger?: Logger;
  storage?: Storage;
  now?: () => number;
}

/** In embedded mode invalidation stays in this process. */
function localInvalidation(cache: KeyCache): KeyInvalidation {
  return {
    keyChanged: (_keyId, hash) => cache.delete(hash),
    accountChanged: (accountId) => cache.deleteAccount(accountId),
  };
}

export async function createServices(config: Config, credentials: CredentialSource, overrides: ServiceOverrides = {}): Promise<Services> {
  const logger = overrides.logger ?? createLogger(config.logLevel);
  const now = overrides.now ?? Date.now;
  const storage = overrides.storage ?? (await openStorage(config.databaseUrl, { now }));
  const providers = createProviderRegistry(config.catalog, credentials);
  const keyCache = new KeyCache({ maxEntries: 100_000, ttlMs: 60_000, negativeTtlMs: 2_000 }, now);

  let redis: Services["redis"] = null;
  let invalidation = localInvalidation(keyCache);
  if (config.redisUrl !== null) {
    // Connection names carry an instance id so an operator can tell instances apart in CLIENT LIST.
    const instance = randomBase62(8);
    const client = createRedisClient(config.redisUrl, `bentoo-commands-${instance}`);
    const subscriber = createRedisSubscriber(config.redisUrl, `bentoo-invalidation-${instance}`);
    const bus = new RedisInvalidationBus(createRedisClient(config.redisUrl, `bentoo-publisher-${instance}`), subscriber, keyCache, config.redisPrefix, logger);
    await Promise.all([client.connect(), bus.start()]);
    redis = { client, bus };
    invalidation = bus;
  }
  const bus = redis?.bus;
  const verifier = new KeyVerifier((hash) => storage.keys.findByHash(hash), keyCache, now, bus === undefined ? undefined : () => bus.healthy);
  const keys = new KeyService(storage, config.plans, invalidation, now);
  const loadBalance = async (accountId: string) => (await storage.accounts.get(accountId))?.balanceMicros ?? 0;
  let limiter: RateLimiter;
  let bank: MemoryCreditBank | RedisCreditBank;
  let admissions: RedisAdmissions | null = null;
  if (redis === null) {
    limiter = new MemoryRateLimiter({ now });
    bank = new MemoryCreditBank(loadBalance);
  } else {
    const redisLimiter = new RedisRateLimiter({ redis: redis.client, keyPrefix: config.redisPrefix });
    const redisBank = new RedisCreditBank(redis.client, loadBalance, config.redisPrefix);
    admissions = new RedisAdmissions({ redis: redis.client, limiter: redisLimiter, bank: redisBank, logger });
    limiter = redisLimiter;
    bank = redisBank;
  }
  const ledgerWriter = new LedgerWriter(storage.ledger, logger);
  const credits = new CreditService(bank, storage.ledger, ledgerWriter, now);
  const auditWriter = new AuditWriter({
    store: storage.audit,
    onError: (error, lost) => logger.error({ err: error, lost }, "audit records lost"),
  });
  warmTokenizer();
  return {
    config,
    logger,
    storage,
    catalog: config.catalog,
    plans: config.plans,
    providers,
    keyCache,
    verifier,
    keys,
    accounts: new AccountService(storage, config.plans, invalidation, now),
    invalidation,
    redis,
    sessions: new SessionManager(storage.sessions, now),
    signInThrottle: new SignInThrottle(undefined, now),
    limiter,
    admissions,
    failOpen: config.rateLimitFailOpen,
    credits,
    ledgerWriter,
    auditWriter,
    metrics: createMetrics({ auditQueueDepth: () => auditWriter.stats.queued, auditDropped: () => auditWriter.stats.dropped, ledgerPending: () => ledgerWriter.pending }),
    keyActivity: (accountId, keyIds) => storage.audit.keyActivity(accountId, now(), keyIds),
    now,
    async close() {
      await auditWriter.close();
      await ledgerWriter.close();
      await admissions?.flush();
      await limiter.close();
      if (bank instanceof RedisCreditBank) await bank.flush();
      await providers.close();
      if (redis !== null) {
        await redis.bus.close();
        redis.client.disconnect();
      }
      await storage.close();
    },
  };
}
