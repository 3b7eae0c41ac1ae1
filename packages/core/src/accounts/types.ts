import type { KeyMode } from "../keys/api-key.js";
import type { Plan } from "./plans.js";

/** Timestamps are Unix epoch milliseconds throughout the domain and storage. */
export interface Account {
  id: string;
  email: string;
  plan: Plan;
  /** Per-account overrides of the plan's limits; null = the plan's. */
  rpmLimit: number | null;
  tpmLimit: number | null;
  balanceMicros: number;
  ipAllowlist: string[] | null;
  /** `balance.low` fires (and the dashboard warns) when the balance is below this; null = never. */
  lowBalanceThresholdMicros: number | null;
  createdAt: number;
  updatedAt: number;
}

export interface ApiKeyRecord {
  id: string;
  accountId: string;
  name: string;
  mode: KeyMode;
  /** The key ID users see. */
  last4: string;
  createdAt: number;
  lastUsedAt: number | null;
  expiresAt: number | null;
  revokedAt: number | null;
  /** The key this one replaced in a roll. */
  rolledFromId: string | null;
  ipAllowlist: string[] | null;
}

/** What authentication yields: the key and a snapshot of its account. */
export interface KeyWithAccount {
  key: ApiKeyRecord;
  account: Account;
}

export type KeyStatus = "active" | "revoked" | "expired";

export function keyStatus(key: ApiKeyRecord, now: number): KeyStatus {
  if (key.revokedAt !== null) return "revoked";
  if (key.expiresAt !== null && key.expiresAt <= now) return "expired";
  return "active";
}
