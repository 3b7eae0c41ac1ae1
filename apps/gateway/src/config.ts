import { readFileSync } from "node:fs";
import { basename, dirname, extname, join } from "node:path";
import {
  builtinCatalog,
  type Catalog,
  CatalogError,
  DEFAULT_PLAN_LIMITS,
  DEFAULT_WEBHOOK_RETRY_DELAYS_MS,
  type Plan,
  type PlanLimits,
  parseCatalog,
} from "@bentoo/core";
import { ConfigError } from "./config-error.js";
import { parseTransport, type ServerTimeouts, type TlsFiles } from "./transport-config.js";

/**
 * Configuration from the environment (PRODUCT.md §7). Parsed and checked once
 * at start-up; a bad value stops the server with a message naming the variable.
 */
export interface Config {
  host: string;
  port: number;
  databaseUrl: string;
  redisUrl: string | null;
  /** Prefix of every Redis key and channel, so several deployments (or test runs) can share one Redis. */
  redisPrefix: string;
  adminToken: string | null;
  tlsCertPath: string | null;
  tlsKeyPath: string | null;
  /** Normalized addresses and CIDR blocks of TLS-terminating proxies (BENTOO_TRUSTED_PROXIES); empty = trust no X-Forwarded-* header. */
  trustedProxies: string[];
  /** The PEM certificate and key read from BENTOO_TLS_CERT / BENTOO_TLS_KEY; null = plain HTTP. */
  tls: TlsFiles | null;
  /** Limits against slow clients (docs/security.md). */
  timeouts: ServerTimeouts;
  catalogPath: string | null;
  catalog: Catalog;
  logLevel: string;
  bodyLimitBytes: number;
  plans: Record<Plan, PlanLimits>;
  /** When the shared rate limiter (Redis) cannot be reached: true = allow requests (and log), false = refuse with 503. */
  rateLimitFailOpen: boolean;
  /** Audit records (and stored responses) older than this are purged in the background. */
  auditRetentionDays: number;
  /** Usage rollups (the dashboard's usage charts) older than this are purged; at least auditRetentionDays, so usage outlives the raw log. */
  usageRetentionDays: number;
  /** Whether the Responses API may keep responses for `previous_response_id` and `GET /v1/responses/{id}` (BENTOO_RESPONSES_STORE). */
  responsesStore: boolean;
  /** Whether to create the demo account and print its test key on an empty database. */
  seedDemo: boolean;
  /** The record writer's journal (BENTOO_JOURNAL_DIR): by default `<name>-journal` next to the SQLite file `<name>.db`, else ./data/journal. */
  journalDir: string;
  /** Sign-up and sign-in limits, and password hashing under load (docs/security.md). */
  accountLimits: AccountLimits;
  /** Webhook delivery (docs/webhooks.md). */
  webhooks: WebhookSettings;
}

export interface WebhookSettings {
  /** Endpoints may resolve to loopback and private addresses (and use plain http to them): BENTOO_WEBHOOKS_ALLOW_PRIVATE. */
  allowPrivate: boolean;
  /** Attempts in flight at once per process. */
  concurrency: number;
  /** Longest wait for an endpoint's whole answer; longer counts as a failed attempt. */
  timeoutMs: number;
  /** How often due deliveries are looked for. */
  pollIntervalMs: number;
  /** Waits between attempts (DEFAULT_WEBHOOK_RETRY_DELAYS_MS: about a day in all). */
  retryDelaysMs: readonly number[];
}

export interface AccountLimits {
  /** Sign-ups allowed per client address in `signUpWindowMs` (a bucket: all at once, then one every window / limit). */
  signUpsPerAddress: number;
  signUpWindowMs: number;
  /** Wrong passwords for one email from one address that lock that pair, for `signInLockoutMs`. */
  signInLockoutAttempts: number;
  signInLockoutMs: number;
  /** Password hashes computed at once (each holds a libuv thread and 32 MiB); sign-ups may use all but one. */
  passwordHashConcurrency: number;
  /** Hashes that may wait for a free slot, per priority; beyond it 503. */
  passwordHashQueue: number;
}

export { ConfigError };

type Environment = Readonly<Record<string, string | undefined>>;

function text(env: Environment, name: string): string | null {
  const value = env[name]?.trim();
  return value === undefined || value === "" ? null : value;
}

function integer(env: Environment, name: string, fallback: number, min: number, max: number): number {
  const value = text(env, name);
  if (value === null) return fallback;
  const parsed = Number(value);
  if (!Number.isSafeInteger(parsed) || parsed < min || parsed > max) throw new ConfigError(`${name} must be an integer from ${min} to ${max} (got "${value}")`);
  return parsed;
}

/** 13 months of days, rounded up: a year-over-year view of the latest month keeps working. */
const USAGE_RETENTION_DEFAULT_DAYS = 396;

function retention(env: Environment): { auditRetentionDays: number; usageRetentionDays: number } {
  const auditRetentionDays = integer(env, "BENTOO_AUDIT_RETENTION_DAYS", 90, 1, 36_500);
  const usageRetentionDays = integer(env, "BENTOO_USAGE_RETENTION_DAYS", Math.max(USAGE_RETENTION_DEFAULT_DAYS, auditRetentionDays), 1, 36_500);
  if (usageRetentionDays < auditRetentionDays)
    throw new ConfigError(
      `BENTOO_USAGE_RETENTION_DAYS (${usageRetentionDays}) must be at least BENTOO_AUDIT_RETENTION_DAYS (${auditRetentionDays}): usage is kept at least as long as the audit log it counts`,
    );
  return { auditRetentionDays, usageRetentionDays };
}

function loadCatalog(path: string | null): Catalog {
  if (path === null) return builtinCatalog();
  let document: unknown;
  try {
    document = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new ConfigError(`BENTOO_CATALOG: cannot read ${path} as JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  try {
    return parseCatalog(document);
  } catch (error) {
    if (error instanceof CatalogError) throw new ConfigError(`BENTOO_CATALOG (${path}): ${error.message}`);
    throw error;
  }
}

function planLimits(env: Environment): Record<Plan, PlanLimits> {
  const plans = structuredClone(DEFAULT_PLAN_LIMITS) as Record<Plan, PlanLimits>;
  for (const plan of Object.keys(plans) as Plan[]) {
    const upper = plan.toUpperCase();
    const limits = plans[plan];
    limits.requestsPerMinute = integer(env, `BENTOO_PLAN_${upper}_RPM`, limits.requestsPerMinute, 1, 10_000_000);
    limits.tokensPerMinute = integer(env, `BENTOO_PLAN_${upper}_TPM`, limits.tokensPerMinute, 1, 1_000_000_000_000);
    const keys = text(env, `BENTOO_PLAN_${upper}_MAX_KEYS`);
    if (keys !== null) limits.maxActiveKeys = keys === "unlimited" ? null : integer(env, `BENTOO_PLAN_${upper}_MAX_KEYS`, 50, 1, 10_000_000);
  }
  return plans;
}

function failurePolicy(env: Environment): boolean {
  const value = text(env, "BENTOO_RATE_LIMIT_ON_REDIS_ERROR") ?? "allow";
  if (value !== "allow" && value !== "deny") throw new ConfigError(`BENTOO_RATE_LIMIT_ON_REDIS_ERROR must be "allow" or "deny" (got "${value}")`);
  return value === "allow";
}

/**
 * Next to the SQLite file and named after it (`bentoo.db` → `bentoo-journal`), so that two
 * databases in one directory get a journal each; with PostgreSQL (or an in-memory SQLite),
 * `journal` in the default data directory.
 */
function defaultJournalDir(databaseUrl: string): string {
  const path = databaseUrl.startsWith("sqlite:") ? databaseUrl.slice("sqlite:".length) : "";
  if (path === "" || path === ":memory:") return join("data", "journal");
  return join(dirname(path), `${basename(path, extname(path))}-journal`);
}

function flag(env: Environment, name: string, fallback: boolean): boolean {
  const value = text(env, name);
  if (value === null) return fallback;
  if (value !== "true" && value !== "false") throw new ConfigError(`${name} must be "true" or "false" (got "${value}")`);
  return value === "true";
}

function webhookSettings(env: Environment): WebhookSettings {
  return {
    allowPrivate: flag(env, "BENTOO_WEBHOOKS_ALLOW_PRIVATE", false),
    concurrency: integer(env, "BENTOO_WEBHOOKS_CONCURRENCY", 8, 1, 256),
    timeoutMs: integer(env, "BENTOO_WEBHOOKS_TIMEOUT_MS", 10_000, 100, 60_000),
    pollIntervalMs: integer(env, "BENTOO_WEBHOOKS_POLL_MS", 1000, 10, 60_000),
    retryDelaysMs: DEFAULT_WEBHOOK_RETRY_DELAYS_MS,
  };
}

function accountLimits(env: Environment): AccountLimits {
  const signUpsPerAddress = integer(env, "BENTOO_SIGNUP_LIMIT", 5, 1, 1_000_000);
  const signUpWindowMs = integer(env, "BENTOO_SIGNUP_WINDOW_SECONDS", 600, 1, 30 * 86_400) * 1000;
  if (signUpWindowMs < signUpsPerAddress)
    throw new ConfigError("BENTOO_SIGNUP_WINDOW_SECONDS must give each of the BENTOO_SIGNUP_LIMIT sign-ups at least a millisecond");
  return {
    signUpsPerAddress,
    signUpWindowMs,
    signInLockoutAttempts: integer(env, "BENTOO_SIGNIN_LOCKOUT_ATTEMPTS", 10, 4, 1000),
    signInLockoutMs: integer(env, "BENTOO_SIGNIN_LOCKOUT_SECONDS", 900, 1, 86_400) * 1000,
    passwordHashConcurrency: integer(env, "BENTOO_PASSWORD_HASH_CONCURRENCY", 1, 1, 64),
    passwordHashQueue: integer(env, "BENTOO_PASSWORD_HASH_QUEUE", 16, 0, 10_000),
  };
}

export function parseConfig(env: Environment): Config {
  const adminToken = text(env, "BENTOO_ADMIN_TOKEN");
  if (adminToken !== null && adminToken.length < 16)
    throw new ConfigError("BENTOO_ADMIN_TOKEN must be at least 16 characters; generate one with: openssl rand -hex 32");
  const catalogPath = text(env, "BENTOO_CATALOG");
  const host = text(env, "HOST") ?? "127.0.0.1";
  const transport = parseTransport(env, host);
  const databaseUrl = text(env, "BENTOO_DATABASE_URL") ?? "sqlite:./data/bentoo.db";
  return {
    host,
    port: integer(env, "PORT", 8080, 0, 65535),
    databaseUrl,
    redisUrl: text(env, "BENTOO_REDIS_URL"),
    redisPrefix: text(env, "BENTOO_REDIS_PREFIX") ?? "bentoo:",
    adminToken,
    tlsCertPath: text(env, "BENTOO_TLS_CERT"),
    tlsKeyPath: text(env, "BENTOO_TLS_KEY"),
    ...transport,
    catalogPath,
    catalog: loadCatalog(catalogPath),
    logLevel: text(env, "BENTOO_LOG_LEVEL") ?? "info",
    bodyLimitBytes: integer(env, "BENTOO_BODY_LIMIT", 4 * 1024 * 1024, 1024, 64 * 1024 * 1024),
    plans: planLimits(env),
    seedDemo: text(env, "BENTOO_SEED_DEMO") !== "false",
    rateLimitFailOpen: failurePolicy(env),
    ...retention(env),
    responsesStore: flag(env, "BENTOO_RESPONSES_STORE", true),
    journalDir: text(env, "BENTOO_JOURNAL_DIR") ?? defaultJournalDir(databaseUrl),
    accountLimits: accountLimits(env),
    webhooks: webhookSettings(env),
  };
}
