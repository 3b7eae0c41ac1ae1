import { BentooError, type UsageBucket, type UsageOptions, usageRange } from "@bentoo/core";
import { type Kysely, sql } from "kysely";
import type { Database } from "../schema.js";

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

function requireTime(value: number, param: string): void {
  if (!Number.isSafeInteger(value)) throw new BentooError("invalid_request", `${param} must be an integer number of milliseconds.`, { param });
}

/**
 * The usage side of the audit store: buckets read from usage_rollup (kept by
 * writeRecordBatch, per account, key, model and hour), so a query reads at
 * most one row per key, model and hour of its range, however many requests
 * they count. Day buckets are sums of hours; UTC, as the dashboard shows them.
 */
export class KyselyUsageReader {
  constructor(private readonly db: Kysely<Database>) {}

  async usage(options: UsageOptions): Promise<UsageBucket[]> {
    requireTime(options.start, "start");
    requireTime(options.end, "end");
    const { start, end } = usageRange(options.start, options.end);
    if (end <= start) return [];
    // A literal size, not a bind parameter, so PostgreSQL sees one expression in SELECT and GROUP BY.
    const size = sql.lit(options.granularity === "hour" ? HOUR_MS : DAY_MS);
    const bucket = sql<number>`${sql.ref("hour_start")} - (${sql.ref("hour_start")} % ${size})`;
    const byKey = options.groupBy === "key";
    const byModel = options.groupBy === "model";
    const sum = (column: string) => sql<number>`sum(${sql.ref(column)})`;
    const rows = await this.db
      .selectFrom("usage_rollup")
      .select([
        bucket.as("bucket_start"),
        (byKey ? sql<string | null>`${sql.ref("api_key_id")}` : sql<string | null>`null`).as("api_key_id"),
        (byModel ? sql<string | null>`${sql.ref("model")}` : sql<string | null>`null`).as("model"),
        sum("requests").as("requests"),
        sum("errors").as("errors"),
        sum("prompt_tokens").as("prompt_tokens"),
        sum("completion_tokens").as("completion_tokens"),
        sum("cache_read_tokens").as("cache_read_tokens"),
        sum("cache_write_tokens").as("cache_write_tokens"),
        sum("reasoning_tokens").as("reasoning_tokens"),
        sum("cost_micros").as("cost_micros"),
      ])
      .where("account_id", "=", options.accountId)
      .where("hour_start", ">=", start)
      .where("hour_start", "<", end)
      .groupBy([bucket, ...(byKey ? [sql.ref("api_key_id")] : []), ...(byModel ? [sql.ref("model")] : [])])
      .execute();
    return rows
      .map((row) => ({
        bucketStart: Number(row.bucket_start),
        // '' stands for "none" in the rollup's key columns.
        apiKeyId: row.api_key_id === null || row.api_key_id === "" ? null : row.api_key_id,
        model: row.model === null || row.model === "" ? null : row.model,
        requests: Number(row.requests),
        promptTokens: Number(row.prompt_tokens),
        completionTokens: Number(row.completion_tokens),
        cacheReadTokens: Number(row.cache_read_tokens),
        cacheWriteTokens: Number(row.cache_write_tokens),
        reasoningTokens: Number(row.reasoning_tokens),
        costMicros: Number(row.cost_micros),
        errors: Number(row.errors),
      }))
      .sort(compareBuckets);
  }

  /** A day of hours per statement: each stays short, whatever the backlog. */
  async purgeOlderThan(cutoff: number): Promise<number> {
    requireTime(cutoff, "cutoff");
    let deleted = 0;
    for (;;) {
      const oldest = await this.db
        .selectFrom("usage_rollup")
        .select("hour_start")
        .where("hour_start", "<", cutoff)
        .orderBy("hour_start")
        .limit(1)
        .executeTakeFirst();
      if (oldest === undefined) return deleted;
      const upTo = Math.min(Number(oldest.hour_start) + DAY_MS, cutoff);
      const result = await this.db.deleteFrom("usage_rollup").where("hour_start", "<", upTo).executeTakeFirst();
      deleted += Number(result.numDeletedRows);
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
}

function compareBuckets(left: UsageBucket, right: UsageBucket): number {
  return left.bucketStart - right.bucketStart || compareNullable(left.apiKeyId, right.apiKeyId) || compareNullable(left.model, right.model);
}

/** Null first, then code-unit order — the same on both dialects whatever their collation. */
function compareNullable(left: string | null, right: string | null): number {
  if (left === right) return 0;
  if (left === null) return -1;
  if (right === null) return 1;
  return left < right ? -1 : 1;
}
