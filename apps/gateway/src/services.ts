import {
  type Admission,
  type AttemptLimiter,
  MemoryAdmission,
  MemoryAttemptLimiter,
  type PendingCharge,
  RedisAdmission,
  RedisAttemptLimiter,
  type SettlementErrorHandler,
} from "@bentoo/admission";
import {
  AccountService,
  type Catalog,
  type HostResolver,
  type KeyActivity,
  KeyCache,
  type KeyInvalidation,
  KeyService,
  KeyVerifier,
  type Plan,
  type PlanLimits,
  randomBase62,
  type Storage,
  WebhookService,
} from "@bentoo/core";
import { type CredentialSource, createProviderRegistry, type ProviderRegistry, warmTokenizer } from "@bentoo/providers";
import { openStorage, RecordJournal, RecordWriter } from "@bentoo/storage";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import { AccountThrottle } from "./auth/account-throttle.js";
import { PasswordHasher } from "./auth/password-hasher.js";
import { SessionManager } from "./auth/sessions.js";
import type { Config } from "./config.js";
import { CreditService } from "./credits/credit-service.js";
import { RedisInvalidationBus } from "./infra/invalidation-bus.js";
import { recoverFromJournal } from "./infra/journal-recovery.js";
import { LogThrottle } from "./infra/log-throttle.js";
import { createMetrics, type Metrics } from "./infra/metrics.js";
import { createRedisClient, createRedisSubscriber, MANAGEMENT_REDIS_TIMEOUT_MS } from "./infra/redis.js";
import { createLogger } from "./logger.js";
import { systemResolver } from "./webhooks/guarded-lookup.js";
import { WebhookDispatcher } from "./webhooks/webhook-dispatcher.js";
import { WebhookSender } from "./webhooks/webhook-sender.js";

/** Everything a request handler may use, built once at start-up (the composition root's product). */
export interface Services {
  config: Config;
  logger: Logger;
  /** Log lines an outage would repeat per request or per reconnect: at most one per kind per 5 s, with counts. */
  outageLog: LogThrottle;
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
  /** Sign-ups per address, wrong passwords per (email, address), and their ceilings: in process or in Redis. */
  accountThrottle: AccountThrottle;
  /** Password hashing with bounded concurrency and queue, sign-ins first. */
  passwords: PasswordHasher;
  /** Rate limits and credit holds, admitted and settled together: in process (embedded) or in Redis (scale-out). */
  admission: Admission;
  /** Whether requests that spend nothing pass when admission (Redis) is unreachable. */
  failOpen: boolean;
  credits: CreditService;
  /** Request records and charges, written in batches off the request path. */
  records: RecordWriter;
  metrics: Metrics;
  /** Webhook endpoints of accounts: registration, changes, the delivery log. */
  webhooks: WebhookService;
  /** Delivers webhooks in the background once started (main.ts starts it; tests start it when they need it). */
  webhookDispatcher: WebhookDispatcher;
  /** Last use and recent request counts per key (from the audit log). */
  keyActivity(accountId: string, keyIds: readonly string[]): Promise<KeyActivity[]>;
  now: () => number;
  close(): Promise<void>;
}

export interface ServiceOverrides {
  logger?: Logger;
  storage?: Storage;
  /**
   * The clock every time-based decision reads (key expiry and roll grace, the
   * key cache, sessions, sign-up and sign-in limits, rate-limit refills, audit
   * timestamps, usage windows). Default: Date.now, and Redis' own clock for the
   * rate limits in scale-out mode, so that every instance shares one.
   */
  now?: () => number;
  /** How webhook endpoint hosts are resolved, at registration and at each delivery (default: the system resolver). */
  resolveHost?: HostResolver;
}

/** In embedded mode invalidation stays in this process. */
function localInvalidation(cache: KeyCache): KeyInvalidation {
  return {
    keyChanged: (_keyId, hash) => cache.delete(hash),
    accountChanged: (accountId) => cache.deleteAccount(accountId),
  };
}

/** The charges the record writer has not written yet: a balance Redis reloads meanwhile lacks them. */
function pendingCharges(records: RecordWriter): PendingCharge[] {
  const charges: PendingCharge[] = [];
  for (const entry of records.pendingLedger()) {
    if (entry.kind === "charge" && entry.requestId !== null)
      charges.push({ accountId: entry.accountId, requestId: entry.requestId, chargedMicros: Math.max(0, -entry.amountMicros) });
  }
  return charges;
}

export async function createServices(config: Config, credentials: CredentialSource, overrides: ServiceOverrides = {}): Promise<Services> {
  const logger = overrides.logger ?? createLogger(config.logLevel);
  const now = overrides.now ?? Date.now;
  const outageLog = new LogThrottle({ now });
  const storage = overrides.storage ?? (await openStorage(config.databaseUrl, { now }));
  const providers = createProviderRegistry(config.catalog, credentials, now);
  const keyCache = new KeyCache({ maxEntries: 100_000, ttlMs: 60_000, negativeTtlMs: 2_000 }, now);

  // Names this process: in Redis connection names (CLIENT LIST), its credit holds, and its journal's lock.
  const instance = randomBase62(8);
  let redis: Services["redis"] = null;
  let invalidation = localInvalidation(keyCache);
  if (config.redisUrl !== null) {
    const client = createRedisClient(config.redisUrl, `bentoo-commands-${instance}`);
    const subscriber = createRedisSubscriber(config.redisUrl, `bentoo-invalidation-${instance}`);
    // Publishing happens on management calls only: bounded, so that a stalled Redis cannot hold a revoke's answer.
    const publisher = createRedisClient(config.redisUrl, `bentoo-publisher-${instance}`, {
      commandTimeoutMs: MANAGEMENT_REDIS_TIMEOUT_MS,
      autoPipelining: false,
    });
    // Each failed reconnect emits an error; without a listener ioredis prints every one to stderr.
    for (const connection of [client, subscriber, publisher]) {
      connection.on("error", (error: Error) =>
        outageLog.warn(logger, "redis_connection_error", { err: error, connection: connection.options.connectionName }, "Redis connection error"),
      );
    }
    const bus = new RedisInvalidationBus(publisher, subscriber, keyCache, config.redisPrefix, logger, outageLog);
    await Promise.all([client.connect(), bus.start()]);
    redis = { client, bus };
    invalidation = bus;
  }
  const bus = redis?.bus;
  const verifier = new KeyVerifier((hash) => storage.keys.findByHash(hash), keyCache, now, bus === undefined ? undefined : () => bus.healthy);
  const keys = new KeyService(storage, config.plans, invalidation, now);
  const journal = await RecordJournal.open(config.journalDir, {
    owner: instance,
    onError: (error) => logger.error({ err: error }, "the record journal could not be written; records still go to the database"),
  });
  const records = new RecordWriter({
    store: storage.records,
    journal,
    onError: (error, auditLost) => {
      if (auditLost > 0) logger.error({ err: error, auditLost }, "audit records lost");
      else logger.error({ err: error, ledgerPending: records.stats.ledgerPending }, "writing audit records and ledger rows failed; retrying");
    },
  });
  const loadBalance = async (accountId: string) => (await storage.accounts.get(accountId))?.balanceMicros ?? 0;
  const onError: SettlementErrorHandler = (error, failure) =>
    outageLog.error(logger, "settlement_failed", { err: error, ...failure }, "could not settle credit holds and token reservations");
  const admission: Admission =
    redis === null
      ? new MemoryAdmission({ loadBalance, onError, now })
      : new RedisAdmission({
          redis: redis.client,
          loadBalance,
          onError,
          keyPrefix: config.redisPrefix,
          now: overrides.now,
          instanceId: instance,
          pendingCharges: () => pendingCharges(records),
        });
  try {
    await recoverFromJournal(journal, storage.records, admission, logger);
  } catch (error) {
    journal.close(false);
    throw error;
  }
  const attempts: AttemptLimiter =
    redis === null ? new MemoryAttemptLimiter({ now }) : new RedisAttemptLimiter({ redis: redis.client, keyPrefix: config.redisPrefix, now: overrides.now });
  const limits = config.accountLimits;
  const credits = new CreditService(admission, storage.records, records, now, {
    timeoutMs: MANAGEMENT_REDIS_TIMEOUT_MS,
    failures: {
      warn: (fields) =>
        outageLog.warn(
          logger,
          "credit_grant_not_taken",
          fields,
          "a credit grant is in the ledger but admission (Redis) did not take it in time: it does once Redis answers, or reloads the balance from the ledger",
        ),
    },
  });
  warmTokenizer();
  const webhookPolicy = { allowPrivate: config.webhooks.allowPrivate };
  const resolveHost = overrides.resolveHost ?? systemResolver;
  const sender = new WebhookSender({ policy: webhookPolicy, resolveHost, timeoutMs: config.webhooks.timeoutMs, now });
  const webhookDispatcher = new WebhookDispatcher({
    store: storage.webhooks,
    send: (claim) => sender.send(claim),
    now,
    concurrency: config.webhooks.concurrency,
    pollIntervalMs: config.webhooks.pollIntervalMs,
    timeoutMs: config.webhooks.timeoutMs,
    retryDelaysMs: config.webhooks.retryDelaysMs,
    onError: (error, task) => outageLog.error(logger, "webhook_dispatch_failed", { err: error, task }, "webhook delivery: database work failed; retrying"),
  });
  return {
    config,
    logger,
    outageLog,
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
    accountThrottle: new AccountThrottle(attempts, limits, config.rateLimitFailOpen, logger),
    passwords: new PasswordHasher({ concurrency: limits.passwordHashConcurrency, queue: limits.passwordHashQueue }),
    admission,
    failOpen: config.rateLimitFailOpen,
    credits,
    records,
    metrics: createMetrics({
      auditQueueDepth: () => records.stats.auditQueued,
      auditDropped: () => records.stats.auditDropped,
      ledgerPending: () => records.stats.ledgerPending,
      keyStoreLookups: () => verifier.storeLookups,
      invalidationChannelUp: bus === undefined ? undefined : () => bus.healthy,
    }),
    webhooks: new WebhookService(storage.webhooks, { policy: webhookPolicy, resolveHost, now }),
    webhookDispatcher,
    keyActivity: (accountId, keyIds) => storage.audit.keyActivity(accountId, now(), keyIds),
    now,
    async close() {
      await webhookDispatcher.close();
      await sender.close();
      await records.close();
      await admission.close();
      await providers.close();
      if (redis !== null) {
        await redis.bus.close();
        redis.client.disconnect();
      }
      await storage.close();
      outageLog.flush();
    },
  };
}
