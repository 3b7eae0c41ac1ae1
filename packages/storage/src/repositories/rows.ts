import { type Account, type ApiKeyRecord, isPlan, type KeyMode } from "@bentoo/core";
import type { Selectable } from "kysely";
import type { AccountsTable, ApiKeysTable } from "../schema.js";

/** Row ↔ domain mapping, the one place that knows both shapes. */
export function parseList(text: string | null): string[] | null {
  if (text === null) return null;
  const value: unknown = JSON.parse(text);
  return Array.isArray(value) ? value.filter((entry): entry is string => typeof entry === "string") : null;
}

export function serializeList(list: string[] | null | undefined): string | null {
  return list === null || list === undefined ? null : JSON.stringify(list);
}

export function toAccount(row: Selectable<AccountsTable>): Account {
  if (!isPlan(row.plan)) throw new Error(`account ${row.id} has an unknown plan "${row.plan}"`);
  return {
    id: row.id,
    email: row.email,
    plan: row.plan,
    rpmLimit: row.rpm_limit,
    tpmLimit: row.tpm_limit,
    balanceMicros: row.balance_micros,
    ipAllowlist: parseList(row.ip_allowlist),
    lowBalanceThresholdMicros: row.low_balance_threshold_micros,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function toApiKey(row: Selectable<ApiKeysTable>): ApiKeyRecord {
  return {
    id: row.id,
    accountId: row.account_id,
    name: row.name,
    mode: row.mode as KeyMode,
    last4: row.last4,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
    rolledFromId: row.rolled_from_id,
    ipAllowlist: parseList(row.ip_allowlist),
  };
}
