/**
 * The usage rollup tables (migration 006-usage-rollups): request records summed
 * per account, key, model and UTC hour (`usage_hourly`) or UTC day
 * (`usage_daily`, the sums of its hours), kept by writeRecordBatch in the
 * transaction that stores the records. A missing key or model is '' (a
 * primary-key column cannot be null and still conflict on upsert); readers
 * turn it back into null. Counts and money are BIGINT.
 */
export interface UsageRollupTable {
  account_id: string;
  api_key_id: string;
  model: string;
  /** Start of the UTC hour or day, epoch ms. */
  bucket_start: number;
  requests: number;
  /** Requests answered with a status of 400 or more (aborted ones, 499, too). */
  errors: number;
  prompt_tokens: number;
  completion_tokens: number;
  cache_read_tokens: number;
  cache_write_tokens: number;
  reasoning_tokens: number;
  cost_micros: number;
}

/** The two rollup tables, finest first. */
export const USAGE_TABLES = ["usage_hourly", "usage_daily"] as const;
export type UsageTable = (typeof USAGE_TABLES)[number];

/**
 * The one-time backfill of the rollups from the audit log written before they
 * existed (one row, id 1): the UTC days [next_day, end_day) are still to be counted.
 */
export interface UsageBackfillTable {
  id: number;
  next_day: number;
  end_day: number;
}
