import type { Granularity, UsageBucket } from "../api/types";

/** Turning the sparse buckets of GET /api/usage into dense chart series and top-N tables. */

export type UsageMetric = "requests" | "tokens" | "cost";

const STEP_MS: Record<Granularity, number> = { hour: 3_600_000, day: 86_400_000 };

/** The window the Overview charts show: the last 24 hours by hour, the last 30 days by day (UTC buckets). */
export interface UsageWindow {
  start: number;
  end: number;
  granularity: Granularity;
}

export function lastWindow(granularity: Granularity, count: number, now: number = Date.now()): UsageWindow {
  const step = STEP_MS[granularity];
  const end = Math.floor(now / step) * step + step;
  return { start: end - count * step, end, granularity };
}

/** Every bucket start in [start, end), aligned to the granularity in UTC. */
export function bucketStarts(window: UsageWindow): number[] {
  const step = STEP_MS[window.granularity];
  const starts: number[] = [];
  for (let at = Math.floor(window.start / step) * step; at < window.end; at += step) starts.push(at);
  return starts;
}

export function metricOf(bucket: UsageBucket, metric: UsageMetric): number {
  if (metric === "requests") return bucket.requests;
  if (metric === "tokens") return bucket.prompt_tokens + bucket.completion_tokens;
  return bucket.cost_micros;
}

/** One value per bucket start (zero where the server sent no bucket). */
export function denseSeries(buckets: readonly UsageBucket[], starts: readonly number[], metric: UsageMetric): number[] {
  const index = new Map(starts.map((start, position) => [start, position]));
  const values = starts.map(() => 0);
  for (const bucket of buckets) {
    const position = index.get(Date.parse(bucket.bucket_start));
    if (position !== undefined) values[position] = (values[position] ?? 0) + metricOf(bucket, metric);
  }
  return values;
}

export interface UsageTotals {
  requests: number;
  tokens: number;
  costMicros: number;
  errors: number;
}

export function totalsOf(buckets: readonly UsageBucket[]): UsageTotals {
  return buckets.reduce<UsageTotals>(
    (sum, bucket) => ({
      requests: sum.requests + bucket.requests,
      tokens: sum.tokens + bucket.prompt_tokens + bucket.completion_tokens,
      costMicros: sum.costMicros + bucket.cost_micros,
      errors: sum.errors + bucket.errors,
    }),
    { requests: 0, tokens: 0, costMicros: 0, errors: 0 },
  );
}

export interface TopEntry extends UsageTotals {
  id: string;
  label: string;
}

/** Totals per model or per key, most requests first. */
export function topEntries(buckets: readonly UsageBucket[], by: "model" | "key", limit = 5): TopEntry[] {
  const groups = new Map<string, { label: string; buckets: UsageBucket[] }>();
  for (const bucket of buckets) {
    const id = by === "model" ? bucket.model : bucket.api_key_id;
    if (id === null) continue;
    const label = by === "model" ? id : `${bucket.key_name ?? "Unnamed key"} ••••${bucket.key_id ?? "????"}`;
    const group = groups.get(id) ?? { label, buckets: [] };
    group.buckets.push(bucket);
    groups.set(id, group);
  }
  return [...groups.entries()]
    .map(([id, group]) => ({ id, label: group.label, ...totalsOf(group.buckets) }))
    .sort((a, b) => b.requests - a.requests || a.label.localeCompare(b.label))
    .slice(0, limit);
}

/** Requests per hour for each key (api_key_id → dense series), for the keys table's sparklines. */
export function seriesByKey(buckets: readonly UsageBucket[], starts: readonly number[]): Map<string, number[]> {
  const byKey = new Map<string, UsageBucket[]>();
  for (const bucket of buckets) {
    if (bucket.api_key_id === null) continue;
    byKey.set(bucket.api_key_id, [...(byKey.get(bucket.api_key_id) ?? []), bucket]);
  }
  return new Map([...byKey.entries()].map(([id, list]) => [id, denseSeries(list, starts, "requests")]));
}
