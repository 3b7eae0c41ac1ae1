import type { UsageBucketJson, UsageJson } from "@bentoo/api-types";
import { BentooError, usageRange } from "@bentoo/core";
import type { FastifyInstance } from "fastify";
import { iso } from "../../http/presenters.js";
import type { Services } from "../../services.js";
import { parseFilters } from "../audit.js";

const HOUR = 3600 * 1000;

/** Usage analytics for the dashboard: requests, tokens and cost per hour or day, per key or model, read from the usage rollups. */
export function usageRoutes(app: FastifyInstance, services: Services): void {
  app.get<{ Querystring: Record<string, unknown>; Reply: UsageJson }>("/api/usage", async (request) => {
    const account = request.dashboard!.account;
    const granularity = request.query.granularity ?? "hour";
    if (granularity !== "hour" && granularity !== "day") throw new BentooError("invalid_request", "granularity must be hour or day.", { param: "granularity" });
    const groupBy = request.query.group_by ?? "none";
    if (groupBy !== "none" && groupBy !== "key" && groupBy !== "model")
      throw new BentooError("invalid_request", "group_by must be none, key or model.", { param: "group_by" });
    const filters = parseFilters({ start: request.query.start, end: request.query.end }, account.id);
    const requestedEnd = filters.end ?? services.now();
    const { start, end } = usageRange(filters.start ?? requestedEnd - (granularity === "hour" ? 24 * HOUR : 30 * 24 * HOUR), requestedEnd);
    const buckets = await services.storage.audit.usage({ accountId: account.id, start, end, granularity, groupBy });
    const keys = new Map<string, { last4: string; name: string } | null>();
    for (const bucket of buckets) {
      if (bucket.apiKeyId !== null && !keys.has(bucket.apiKeyId)) {
        const key = await services.storage.keys.get(bucket.apiKeyId);
        keys.set(bucket.apiKeyId, key === null ? null : { last4: key.last4, name: key.name });
      }
    }
    return {
      object: "list",
      granularity,
      start: iso(start),
      end: iso(end),
      data: buckets.map((bucket): UsageBucketJson => {
        const key = bucket.apiKeyId === null ? null : (keys.get(bucket.apiKeyId) ?? null);
        return {
          bucket_start: iso(bucket.bucketStart),
          api_key_id: bucket.apiKeyId,
          key_id: key?.last4 ?? null,
          key_name: key?.name ?? null,
          model: bucket.model,
          requests: bucket.requests,
          prompt_tokens: bucket.promptTokens,
          completion_tokens: bucket.completionTokens,
          cache_read_tokens: bucket.cacheReadTokens,
          cache_write_tokens: bucket.cacheWriteTokens,
          reasoning_tokens: bucket.reasoningTokens,
          cost_micros: bucket.costMicros,
          errors: bucket.errors,
        };
      }),
    } satisfies UsageJson;
  });
}
