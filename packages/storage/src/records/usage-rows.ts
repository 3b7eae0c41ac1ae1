import type { AuditRecord } from "@bentoo/core";
import type { UsageRollupTable } from "../usage-schema.js";
import { AUDIT_COLUMNS, type AuditRowValues, auditRowValues, type ColumnValues } from "./audit-rows.js";

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/** Every column of a usage rollup table, in INSERT order: the key, then the counters. */
export const USAGE_COLUMNS = [
  "account_id",
  "api_key_id",
  "model",
  "bucket_start",
  "requests",
  "errors",
  "prompt_tokens",
  "completion_tokens",
  "cache_read_tokens",
  "cache_write_tokens",
  "reasoning_tokens",
  "cost_micros",
] as const satisfies ReadonlyArray<keyof UsageRollupTable>;

/** The counters an upsert adds to a stored row. */
export const USAGE_COUNTERS = USAGE_COLUMNS.slice(4) as ReadonlyArray<(typeof USAGE_COLUMNS)[number]>;

/** A rollup row's values in USAGE_COLUMNS order: what one batch adds to one (account, key, model, hour or day). */
export type UsageRowValues = ColumnValues<UsageRollupTable, typeof USAGE_COLUMNS>;

type AuditColumn = (typeof AUDIT_COLUMNS)[number];
const at = Object.fromEntries(AUDIT_COLUMNS.map((column, index) => [column, index])) as Record<AuditColumn, number>;

function value(row: AuditRowValues, column: AuditColumn): AuditRowValues[number] {
  return row[at[column]] ?? null;
}

function count(stored: AuditRowValues[number]): number {
  return typeof stored === "number" ? stored : 0;
}

/**
 * What a batch's newly stored audit records add to the rollups, summed per
 * (account, key, model, UTC hour) and sorted by that key — the order every
 * batch upserts in, so concurrent batches cannot deadlock on the same rows.
 * Built from the values as stored (auditRowValues: text cut to its column,
 * numbers rounded), so the rollups equal a recount of the stored audit log.
 * Only requests of an account count: events and failed authentications with
 * an unknown key are not usage.
 */
export function hourlyUsageRows(records: readonly AuditRecord[]): UsageRowValues[] {
  const sums = new Map<string, Sum>();
  for (const record of records) {
    if (record.type !== "request") continue;
    const row = auditRowValues(record);
    const accountId = value(row, "account_id");
    if (typeof accountId !== "string") continue;
    const apiKeyId = (value(row, "api_key_id") as string | null) ?? "";
    const model = (value(row, "model") as string | null) ?? "";
    const timestamp = value(row, "timestamp") as number;
    // The same arithmetic as the SQL that reads and recounts them (timestamps are positive).
    const hourStart = timestamp - (timestamp % HOUR_MS);
    const key = JSON.stringify([accountId, hourStart, apiKeyId, model]);
    let sum = sums.get(key);
    if (sum === undefined) {
      sum = [accountId, apiKeyId, model, hourStart, 0, 0, 0, 0, 0, 0, 0, 0];
      sums.set(key, sum);
    }
    const status = value(row, "status");
    sum[4] += 1;
    sum[5] += typeof status === "number" && status >= 400 ? 1 : 0;
    sum[6] += count(value(row, "prompt_tokens"));
    sum[7] += count(value(row, "completion_tokens"));
    sum[8] += count(value(row, "cache_read_tokens"));
    sum[9] += count(value(row, "cache_write_tokens"));
    sum[10] += count(value(row, "reasoning_tokens"));
    sum[11] += count(value(row, "cost_micros"));
  }
  return [...sums.values()].sort(compareKeys);
}

type Sum = [string, string, string, number, number, number, number, number, number, number, number, number];

/** The day rows of hour rows: the same counters summed per UTC day, in the same key order. */
export function dailyUsageRows(hourly: readonly UsageRowValues[]): UsageRowValues[] {
  const sums = new Map<string, Sum>();
  for (const row of hourly) {
    const dayStart = row[3] - (row[3] % DAY_MS);
    const key = JSON.stringify([row[0], dayStart, row[1], row[2]]);
    let sum = sums.get(key);
    if (sum === undefined) {
      sum = [row[0], row[1], row[2], dayStart, 0, 0, 0, 0, 0, 0, 0, 0];
      sums.set(key, sum);
    }
    for (let index = 4; index < 12; index += 1) sum[index] = (sum[index] as number) + (row[index] as number);
  }
  return [...sums.values()].sort(compareKeys);
}

/** (account, hour, key, model): the primary key's order; code-unit order, the same on every dialect. */
function compareKeys(left: UsageRowValues, right: UsageRowValues): number {
  return compareText(left[0], right[0]) || left[3] - right[3] || compareText(left[1], right[1]) || compareText(left[2], right[2]);
}

function compareText(left: string, right: string): number {
  return left === right ? 0 : left < right ? -1 : 1;
}
