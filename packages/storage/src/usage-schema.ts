/**
 * The `usage_rollup` table (migration 006-usage-rollups): request records
 * summed per account, key, model and UTC hour, kept by writeRecordBatch in the
 * transaction that stores the records. A missing key or model is '' (a
 * primary-key column cannot be null and still conflict on upsert); readers
 * turn it back into null. Counts and money are BIGINT.
 */
export interface UsageRollupTable {
  account_id: string;
  api_key_id: string;
  model: string;
  /** Start of the UTC hour, epoch ms. */
  hour_start: number;
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

/**
 * The one-time backfill of `usage_rollup` from the audit log written before it
 * existed (one row, id 1): hours [next_hour, end_hour) are still to be counted.
 */
export interface UsageBackfillTable {
  id: number;
  next_hour: number;
  end_hour: number;
}
