import { BentooError, type UsageBucket, type UsageOptions, usageRange } from "@bentoo/core";
import { type Kysely, type RawBuilder, sql } from "kysely";
import type { Database } from "../schema.js";
import { USAGE_TABLES, type UsageTable } from "../usage-schema.js";

const DAY_MS = 86_400_000;

function requireTime(value: number, param: string): void {
  if (!Number.isSafeInteger(value)) throw new BentooError("invalid_request", `${param} must be an integer number of milliseconds.`, { param });
}

/** One query's share of a usage range: the rows of `table` in [from, to), bucketed by `bucket`. */
interface Part {
  table: UsageTable;
  from: number;
  to: number;
  bucket: RawBuilder<number>;
}

/**
 * The usage side of the audit store: buckets read from the rollups (kept by
 * writeRecordBatch), so a query reads at most one row per key, model and
 * bucket of its range, however many requests they count. Hours come from
 * usage_hourly; days from usage_daily, except the partial days at either end
 * of a range that does not start or end at midnight, which sum their hours.
 * UTC, as the dashboard shows them.
 */
export class KyselyUsageReader {
  constructor(private readonly db: Kysely<Database>) {}

  async usage(options: UsageOptions): Promise<UsageBucket[]> {
    requireTime(options.start, "start");
    requireTime(options.end, "end");
    const { start, end } = usageRange(options.start, options.end);
    if (end <= start) return [];
    const rows = await Promise.all(this.parts(options.granularity, start, end).map((part) => this.read(part, options)));
    return rows.flat().sort(compareBuckets);
  }

  private parts(granularity: UsageOptions["granularity"], start: number, end: number): Part[] {
    const asStored = sql<number>`${sql.ref("bucket_start")}`;
    if (granularity === "hour") return [{ table: "usage_hourly", from: start, to: end, bucket: asStored }];
    // A literal size, not a bind parameter, so PostgreSQL sees one expression in SELECT and GROUP BY.
    const dayOfHour = sql<number>`${sql.ref("bucket_start")} - (${sql.ref("bucket_start")} % ${sql.lit(DAY_MS)})`;
    const firstWholeDay = Math.ceil(start / DAY_MS) * DAY_MS;
    const lastWholeDayEnd = Math.floor(end / DAY_MS) * DAY_MS;
    if (firstWholeDay >= lastWholeDayEnd) return [{ table: "usage_hourly", from: start, to: end, bucket: dayOfHour }];
    return [
      { table: "usage_hourly" as const, from: start, to: firstWholeDay, bucket: dayOfHour },
      { table: "usage_daily" as const, from: firstWholeDay, to: lastWholeDayEnd, bucket: asStored },
      { table: "usage_hourly" as const, from: lastWholeDayEnd, to: end, bucket: dayOfHour },
    ].filter((part) => part.from < part.to);
  }

  private async read(part: Part, options: UsageOptions): Promise<UsageBucket[]> {
    const byKey = options.groupBy === "key";
    const byModel = options.groupBy === "model";
    const total = (column: string) => sql<number>`sum(${sql.ref(column)})`;
    const rows = await this.db
      .selectFrom(part.table)
      .select([
        part.bucket.as("bucket_start"),
        (byKey ? sql<string | null>`${sql.ref("api_key_id")}` : sql<string | null>`null`).as("api_key_id"),
        (byModel ? sql<string | null>`${sql.ref("model")}` : sql<string | null>`null`).as("model"),
        total("requests").as("requests"),
        total("errors").as("errors"),
        total("prompt_tokens").as("prompt_tokens"),
        total("completion_tokens").as("completion_tokens"),
        total("cache_read_tokens").as("cache_read_tokens"),
        total("cache_write_tokens").as("cache_write_tokens"),
        total("reasoning_tokens").as("reasoning_tokens"),
        total("cost_micros").as("cost_micros"),
      ])
      .where("account_id", "=", options.accountId)
      .where("bucket_start", ">=", part.from)
      .where("bucket_start", "<", part.to)
      .groupBy([part.bucket, ...(byKey ? [sql.ref("api_key_id")] : []), ...(byModel ? [sql.ref("model")] : [])])
      .execute();
    return rows.map((row) => ({
      bucketStart: Number(row.bucket_start),
      // '' stands for "none" in the rollups' key columns.
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
    }));
  }

  /** Hourly rows of the hours before `cutoff`, daily rows of the days that end by it; a day of rows per statement, so each stays short. */
  async purgeOlderThan(cutoff: number): Promise<number> {
    requireTime(cutoff, "cutoff");
    let deleted = 0;
    for (const table of USAGE_TABLES) {
      const before = table === "usage_daily" ? cutoff - DAY_MS + 1 : cutoff;
      for (;;) {
        const oldest = await this.db
          .selectFrom(table)
          .select("bucket_start")
          .where("bucket_start", "<", before)
          .orderBy("bucket_start")
          .limit(1)
          .executeTakeFirst();
        if (oldest === undefined) break;
        const upTo = Math.min(Number(oldest.bucket_start) + DAY_MS, before);
        const result = await this.db.deleteFrom(table).where("bucket_start", "<", upTo).executeTakeFirst();
        deleted += Number(result.numDeletedRows);
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
    return deleted;
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
