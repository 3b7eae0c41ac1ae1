import { KeyCache, KeyService, KeyVerifier, type Catalog, type KeyInvalidation, type PlanLimits, type Plan, type Storage } from "@bentoo/core";
import { createProviderRegistry, warmTokenizer, type CredentialSource, type ProviderRegistry } from "@bentoo/providers";
import { openStorage } from "@bentoo/storage";
import type { Logger } from "pino";
import type { Config } from "./config.js";
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
  invalidation: KeyInvalidation;
  now: () => number;
  close(): Promise<void>;
}

export interface ServiceOverrides {
  logger?: Logger;
  storage?: Storage;
  now?: () => number;
}

export async function createServices(config: Config, credentials: CredentialSource, overrides: ServiceOverrides = {}): Promise<Services> {
  const logger = overrides.logger ?? createLogger(config.logLevel);
  const now = overrides.now ?? Date.now;
  const storage = overrides.storage ?? (await openStorage(config.databaseUrl, { now }));
  const providers = createProviderRegistry(config.catalog, credentials);
  const keyCache = new KeyCache({ maxEntries: 100_000, ttlMs: 60_000, negativeTtlMs: 2_000 }, now);
  const verifier = new KeyVerifier((hash) => storage.keys.findByHash(hash), keyCache, now);
  const invalidation: KeyInvalidation = {
    keyChanged: (_keyId, hash) => keyCache.delete(hash),
    accountChanged: (accountId) => keyCache.deleteAccount(accountId),
  };
  const keys = new KeyService(storage, config.plans, invalidation, now);
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
    invalidation,
    now,
    async close() {
      await providers.close();
      await storage.close();
    },
  };
}
