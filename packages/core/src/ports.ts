import type { Plan } from "./accounts/plans.js";
import type { Account, ApiKeyRecord, KeyWithAccount } from "./accounts/types.js";
import type { AuditRecord, AuditStore } from "./audit/types.js";
import type { LedgerStore } from "./credits/ledger.js";
import type { KeyMode } from "./keys/api-key.js";
import type { RecordStore } from "./records.js";

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
}

export type CreateKeyOutcome = { created: true; key: ApiKeyRecord } | { created: false; reason: "plan_limit_reached"; limit: number };

export interface KeyPatch {
  name?: string;
  ipAllowlist?: string[] | null;
  expiresAt?: number | null;
}

export interface KeyStore {
  /**
   * Creates a key unless the account already holds `maxActiveKeys` active keys;
   * atomic against concurrent creations for the same account.
   */
  create(input: NewApiKey, maxActiveKeys: number | null, events?: (key: ApiKeyRecord) => readonly AuditRecord[]): Promise<CreateKeyOutcome>;
  get(id: string): Promise<ApiKeyRecord | null>;
  /** Authentication look-up: the key with this SHA-256 and its account, revoked or not. */
  findByHash(hash: string): Promise<KeyWithAccount | null>;
  listByAccount(accountId: string, options: { limit: number; cursor?: string | null }): Promise<Page<ApiKeyRecord>>;
  countActive(accountId: string, now: number): Promise<number>;
  update(id: string, patch: KeyPatch, events?: readonly AuditRecord[]): Promise<ApiKeyRecord | null>;
  /** Marks the key revoked; returns it, or null when unknown. Revoking twice keeps the first time. */
  revoke(id: string, at: number, events?: readonly AuditRecord[]): Promise<ApiKeyRecord | null>;
  /** The hash of a key, for cache invalidation. */
  hashOf(id: string): Promise<string | null>;
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
  /** Round trip to the database, for readiness checks. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
