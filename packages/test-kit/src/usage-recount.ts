import type { UsageBucket, UsageOptions } from "@bentoo/core";
import type { KyselyStorage } from "@bentoo/storage";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/**
 * The usage buckets recounted from the raw audit log, independently of the
 * store: every request row of the account in the whole hours of the range,
 * summed in JavaScript.
 */
export async function recountUsage(storage: KyselyStorage, options: UsageOptions): Promise<UsageBucket[]> {
  const start = Math.floor(options.start / HOUR) * HOUR;
  const end = Math.ceil(options.end / HOUR) * HOUR;
  const rows = await storage.db
    .selectFrom("audit_log")
    .selectAll()
    .where("account_id", "=", options.accountId)
    .where("type", "=", "request")
    .where("timestamp", ">=", start)
    .where("timestamp", "<", end)
    .execute();
  const size = options.granularity === "hour" ? HOUR : DAY;
  const buckets = new Map<string, UsageBucket>();
  for (const row of rows) {
    const bucketStart = Math.floor(row.timestamp / size) * size;
    const apiKeyId = options.groupBy === "key" ? row.api_key_id : null;
    const model = options.groupBy === "model" ? row.model : null;
    const name = JSON.stringify([bucketStart, apiKeyId, model]);
    const bucket = buckets.get(name) ?? {
      bucketStart,
      apiKeyId,
      model,
      requests: 0,
      promptTokens: 0,
      completionTokens: 0,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      reasoningTokens: 0,
      costMicros: 0,
      errors: 0,
    };
    bucket.requests += 1;
    bucket.errors += row.status !== null && row.status >= 400 ? 1 : 0;
    bucket.promptTokens += Number(row.prompt_tokens ?? 0);
    bucket.completionTokens += Number(row.completion_tokens ?? 0);
    bucket.cacheReadTokens += Number(row.cache_read_tokens ?? 0);
    bucket.cacheWriteTokens += Number(row.cache_write_tokens ?? 0);
    bucket.reasoningTokens += Number(row.reasoning_tokens ?? 0);
    bucket.costMicros += Number(row.cost_micros ?? 0);
    buckets.set(name, bucket);
  }
  const text = (value: string | null) => value ?? "";
  return [...buckets.values()].sort(
    (left, right) =>
      left.bucketStart - right.bucketStart ||
      (text(left.apiKeyId) < text(right.apiKeyId) ? -1 : text(left.apiKeyId) > text(right.apiKeyId) ? 1 : 0) ||
      (text(left.model) < text(right.model) ? -1 : text(left.model) > text(right.model) ? 1 : 0),
  );
}
