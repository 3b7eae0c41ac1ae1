import { type Account, type ApiKeyRecord, isKeyScope, isPlan, type KeyMode, SPEND_PERIODS, type SpendCap, type SpendPeriod } from "@bentoo/core";
import type { Selectable } from "kysely";
import type { AccountsTable, ApiKeysTable } from "../schema.js";

type ControlColumns = Partial<Pick<ApiKeysTable, "scopes" | "rpm_limit" | "tpm_limit" | "spend_cap_micros" | "spend_cap_period" | "models">>;

/** Row ↔ domain mapping, the one place that knows both shapes. */
export function parseList(text: string | null): string[] | null {
  if (text === null) return null;
  const value: unknown = JSON.parse(text);
  return Array.isArray(value) ? value.filter((entry): entry is string => typeof entry === "string") : null;
}

export function serializeList(list: readonly string[] | null | undefined): string | null {
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
    scopes: (parseList(row.scopes) ?? []).filter(isKeyScope),
    rpmLimit: row.rpm_limit,
    tpmLimit: row.tpm_limit,
    spendCap: toSpendCap(row.spend_cap_micros, row.spend_cap_period),
    models: parseList(row.models),
    lineageId: row.lineage_id ?? row.id,
  };
}

function toSpendCap(amountMicros: number | null, period: string | null): SpendCap | null {
  if (amountMicros === null || period === null || !(SPEND_PERIODS as readonly string[]).includes(period)) return null;
  return { amountMicros, period: period as SpendPeriod };
}

/** The columns of a key's controls, as stored (insert or update). */
export function controlColumns(controls: {
  scopes?: readonly string[];
  rpmLimit?: number | null;
  tpmLimit?: number | null;
  spendCap?: SpendCap | null;
  models?: readonly string[] | null;
}): ControlColumns {
  const columns: ControlColumns = {};
  if (controls.scopes !== undefined) columns.scopes = JSON.stringify(controls.scopes);
  if (controls.rpmLimit !== undefined) columns.rpm_limit = controls.rpmLimit;
  if (controls.tpmLimit !== undefined) columns.tpm_limit = controls.tpmLimit;
  if (controls.spendCap !== undefined) {
    columns.spend_cap_micros = controls.spendCap?.amountMicros ?? null;
    columns.spend_cap_period = controls.spendCap?.period ?? null;
  }
  if (controls.models !== undefined) columns.models = serializeList(controls.models);
  return columns;
}
