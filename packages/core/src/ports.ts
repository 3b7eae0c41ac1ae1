import type { Plan } from "./accounts/plans.js";
import type { Account, ApiKeyRecord, KeyWithAccount } from "./accounts/types.js";
import type { AuditRecord, AuditStore } from "./audit/types.js";
import type { LedgerStore } from "./credits/ledger.js";
import type { KeyMode } from "./keys/api-key.js";
import type { KeyScope, SpendCap, SpendWindow } from "./keys/key-controls.js";
import type { RecordStore } from "./records.js";
import type { WebhookStore } from "./webhooks/types.js";

/**
 * The storage ports. packages/storage implements them over SQLite and
 * PostgreSQL; one contract test suite runs against both.
 */
export interface NewAccount {
  email: string;
  passwordHash: string | null;
  plan: Plan;
}

export interface AccountPatch {
  plan?: Plan;
  rpmLimit?: number | null;
  tpmLimit?: number | null;
  ipAllowlist?: string[] | null;
  /** null = no low-balance alert. Storage re-evaluates the alert in the same transaction (docs/webhooks.md). */
  lowBalanceThresholdMicros?: number | null;
}

export interface Page<T> {
  items: T[];
  /** Opaque cursor for the next page; null on the last page. */
  nextCursor: string | null;
}

export interface AccountStore {
  /**
   * Creates the account and writes `events(account)` in the same transaction.
   * Null when the email is taken (emails are unique, case-insensitive), also
   * when a concurrent creation took it first.
   */
  create(input: NewAccount, events?: (account: Account) => readonly AuditRecord[]): Promise<Account | null>;
  get(id: string): Promise<Account | null>;
  getByEmail(email: string): Promise<Account | null>;
  /** The stored password hash for sign-in; null when the account has none (or does not exist). */
  passwordHashOf(email: string): Promise<string | null>;
  /** Applies the patch; `events` are written in the same transaction. */
  update(id: string, patch: AccountPatch, events?: readonly AuditRecord[]): Promise<Account | null>;
  count(): Promise<number>;
  list(options: { limit: number; cursor?: string | null }): Promise<Page<Account>>;
}

export interface NewApiKey {
  accountId: string;
  name: string;
  mode: KeyMode;
  hash: string;
  last4: string;
  expiresAt: number | null;
  rolledFromId: string | null;
  ipAllowlist: string[] | null;
  scopes: readonly KeyScope[];
  rpmLimit: number | null;
  tpmLimit: number | null;
  spendCap: SpendCap | null;
  models: readonly string[] | null;
}

export type CreateKeyOutcome = { created: true; key: ApiKeyRecord } | { created: false; reason: "plan_limit_reached"; limit: number };

/** A roll as the store carries it out: the replacement's secret is minted by the caller, everything else is copied from the key as it is inside the transaction. */
export interface RollKeyInput {
  keyId: string;
  /** Only a key of this account may be rolled (another account's key reads as missing); undefined for the operator. */
  accountId?: string;
  /** The replacement's secret, as stored. */
  hash: string;
  last4: string;
  /** ms the rolled key keeps working: 0 revokes it at once, null leaves it until revoked, anything else sets its expiry (never later than one it has). */
  graceMs: number | null;
}

export type RollKeyOutcome =
  | { rolled: true; replacement: ApiKeyRecord; previous: ApiKeyRecord }
  | { rolled: false; reason: "not_found" }
  /** Revoked or expired: only an active key can be rolled. */
  | { rolled: false; reason: "not_active"; key: ApiKeyRecord }
  /** The key already has an active replacement: it is being rolled. */
  | { rolled: false; reason: "already_rolled"; key: ApiKeyRecord; replacement: ApiKeyRecord }
  | { rolled: false; reason: "plan_limit_reached"; limit: number };

export interface KeyPatch {
  name?: string;
  ipAllowlist?: string[] | null;
  expiresAt?: number | null;
  scopes?: readonly KeyScope[];
  rpmLimit?: number | null;
  tpmLimit?: number | null;
  spendCap?: SpendCap | null;
  models?: readonly string[] | null;
}

/**
 * Keys that count against a plan's cap ("active keys"): not revoked, not
 * expired, and not in a roll's grace period (rolled, and expiring). A key rolled
 * "until revoked" still counts, and so does every replacement.
 */
export interface KeyStore {
  /**
   * Creates a key unless the account already holds `maxActiveKeys` keys that
   * count; atomic against concurrent creations and rolls for the same account.
   */
  create(input: NewApiKey, maxActiveKeys: number | null, events?: (key: ApiKeyRecord) => readonly AuditRecord[]): Promise<CreateKeyOutcome>;
  /**
   * Rolls a key in one transaction, serialised with every creation and roll of
   * its account: refuses a key that is not active or already has an active
   * replacement, and a roll that would add a counted key beyond
   * `maxActiveKeys` (a roll whose old key stops counting adds none). Then
   * inserts the replacement (same name, mode, allowlist and expiry), ends or
   * shortens the old key, and writes `events(replacement, previous)`.
   */
  roll(
    input: RollKeyInput,
    maxActiveKeys: number | null,
    events: (replacement: ApiKeyRecord, previous: ApiKeyRecord) => readonly AuditRecord[],
  ): Promise<RollKeyOutcome>;
  get(id: string): Promise<ApiKeyRecord | null>;
  /** Authentication look-up: the key with this SHA-256 and its account, revoked or not. */
  findByHash(hash: string): Promise<KeyWithAccount | null>;
  listByAccount(accountId: string, options: { limit: number; cursor?: string | null }): Promise<Page<ApiKeyRecord>>;
  /** Keys that count against the plan's cap (see above). */
  countActive(accountId: string, now: number): Promise<number>;
  update(id: string, patch: KeyPatch, events?: readonly AuditRecord[]): Promise<ApiKeyRecord | null>;
  /** Marks the key revoked; returns it, or null when unknown. Revoking twice keeps the first time. */
  revoke(id: string, at: number, events?: readonly AuditRecord[]): Promise<ApiKeyRecord | null>;
  /** The hash of a key, for cache invalidation. */
  hashOf(id: string): Promise<string | null>;
  /**
   * Micro-dollars charged to the keys of one roll chain (`lineageId`) for
   * requests admitted within `window`: what a spend cap counts, as storage has it
   * (charges still on their way to the database are not in it).
   */
  spentInWindow(accountId: string, lineageId: string, window: SpendWindow): Promise<number>;
}

/** A dashboard session; only the SHA-256 of its token is stored. */
export interface SessionRecord {
  id: string;
  tokenHash: string;
  accountId: string;
  createdAt: number;
  expiresAt: number;
  sourceIp: string | null;
  userAgent: string | null;
}

export interface SessionStore {
  create(session: SessionRecord): Promise<void>;
  /** The live session with this token hash (expired ones are not returned). */
  findByTokenHash(tokenHash: string, now: number): Promise<SessionRecord | null>;
  delete(id: string): Promise<void>;
  deleteForAccount(accountId: string): Promise<number>;
  deleteExpired(now: number): Promise<number>;
}

/**
 * A response of the Responses API kept for its account (`store`), so that a
 * later request can continue from it (`previous_response_id`) and the account
 * can read or delete it. It holds conversation content: only its account may
 * read it, and it is purged with the audit log's retention.
 */
export interface StoredResponse {
  /** "resp_…" */
  id: string;
  accountId: string;
  /** The catalog model that answered. */
  model: string;
  /** Epoch milliseconds. */
  createdAt: number;
  previousResponseId: string | null;
  /** The conversation the answer was made from, as Responses input items: the previous response's input and output, then this request's input. */
  input: unknown[];
  /** The Response object as its client received it (output items, usage, metadata…). */
  response: Record<string, unknown>;
}

export interface ResponseStore {
  save(response: StoredResponse): Promise<void>;
  /** The response with this id, only when it belongs to `accountId`; null otherwise (another account's reads as missing). */
  get(accountId: string, id: string): Promise<StoredResponse | null>;
  /** Deletes the response when it belongs to `accountId`; false when there is none (or it is another account's). */
  delete(accountId: string, id: string): Promise<boolean>;
  /** Deletes responses created before `cutoff` (epoch ms); returns how many. */
  purgeOlderThan(cutoff: number): Promise<number>;
}

export interface Storage {
  readonly dialect: "sqlite" | "postgres";
  readonly accounts: AccountStore;
  readonly keys: KeyStore;
  readonly sessions: SessionStore;
  /** Writes audit records and ledger rows (and moves balances by the rows): the only way they are written. */
  readonly records: RecordStore;
  /** Reads the ledger. */
  readonly ledger: LedgerStore;
  /** Reads and purges the audit log. */
  readonly audit: AuditStore;
  /** Stored Responses API responses (`store`). */
  readonly responses: ResponseStore;
  /** Webhook endpoints and deliveries; events are raised inside the writes they describe. */
  readonly webhooks: WebhookStore;
  /** Round trip to the database, for readiness checks. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
