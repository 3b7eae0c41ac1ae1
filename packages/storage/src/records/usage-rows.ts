import type { AuditRecord } from "@bentoo/core";
import type { UsageRollupTable } from "../usage-schema.js";
import { AUDIT_TEXT_WIDTHS, type ColumnValues, storedInteger, storedText } from "./audit-rows.js";

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

function count(value: number | null): number {
  return storedInteger(value) ?? 0;
}

/**
 * What a batch's newly stored audit records add to the rollups, summed per
 * (account, key, model, UTC hour) and sorted by that key — the order every
 * batch upserts in, so concurrent batches cannot deadlock on the same rows.
 * Built from the values as stored (the functions auditRowValues uses: text cut
 * to its column, numbers rounded), so the rollups equal a recount of the
 * stored audit log.
 * Only requests of an account count: events and failed authentications with
 * an unknown key are not usage.
 */
export function hourlyUsageRows(records: readonly AuditRecord[]): UsageRowValues[] {
  const sums = new Map<string, Sum>();
  for (const record of records) {
    if (record.type !== "request") continue;
    const accountId = storedText(record.accountId, AUDIT_TEXT_WIDTHS.account_id);
    if (accountId === null) continue;
    const apiKeyId = storedText(record.apiKeyId, AUDIT_TEXT_WIDTHS.api_key_id) ?? "";
    const model = storedText(record.model, AUDIT_TEXT_WIDTHS.model) ?? "";
    const timestamp = Math.round(record.timestamp);
    // The same arithmetic as the SQL that reads and recounts them (timestamps are positive).
    const hourStart = timestamp - (timestamp % HOUR_MS);
    const key = `${accountId}\u0000${hourStart}\u0000${apiKeyId}\u0000${model}`;
    let sum = sums.get(key);
    if (sum === undefined) {
      sum = [accountId, apiKeyId, model, hourStart, 0, 0, 0, 0, 0, 0, 0, 0];
      sums.set(key, sum);
    }
    const status = storedInteger(record.status);
    sum[4] += 1;
    sum[5] += status !== null && status >= 400 ? 1 : 0;
    sum[6] += count(record.promptTokens);
    sum[7] += count(record.completionTokens);
    sum[8] += count(record.cacheReadTokens);
    sum[9] += count(record.cacheWriteTokens);
    sum[10] += count(record.reasoningTokens);
    sum[11] += count(record.costMicros);
  }
  return [...sums.values()].sort(compareKeys);
}

type Sum = [string, string, string, number, number, number, number, number, number, number, number, number];

/** The day rows of hour rows: the same counters summed per UTC day, in the same key order. */
export function dailyUsageRows(hourly: readonly UsageRowValues[]): UsageRowValues[] {
  const sums = new Map<string, Sum>();
  for (const row of hourly) {
    const dayStart = row[3] - (row[3] % DAY_MS);
    // Stored text holds no NUL (storedText removes it), so NUL separates the parts unambiguously.
    const key = `${row[0]}\u0000${dayStart}\u0000${row[1]}\u0000${row[2]}`;
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
