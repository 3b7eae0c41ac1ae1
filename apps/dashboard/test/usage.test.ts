import { describe, expect, it } from "vitest";
import type { UsageBucket } from "../src/api/types";
import { bucketStarts, denseSeries, lastWindow, seriesByKey, topEntries, totalsOf } from "../src/lib/usage";

const HOUR = 3_600_000;

function bucket(start: number, fields: Partial<UsageBucket> = {}): UsageBucket {
  return {
    bucket_start: new Date(start).toISOString(),
    api_key_id: null,
    key_id: null,
    key_name: null,
    model: null,
    requests: 1,
    prompt_tokens: 10,
    completion_tokens: 5,
    cache_read_tokens: 0,
    cache_write_tokens: 0,
    reasoning_tokens: 0,
    cost_micros: 100,
    errors: 0,
    ...fields,
  };
}

describe("usage series", () => {
  const now = Date.UTC(2026, 0, 15, 10, 30);
  const window = lastWindow("hour", 24, now);

  it("covers the last 24 UTC hours, the current one included", () => {
    const starts = bucketStarts(window);
    expect(starts).toHaveLength(24);
    expect(starts.at(-1)).toBe(Date.UTC(2026, 0, 15, 10));
    expect(starts[0]).toBe(Date.UTC(2026, 0, 14, 11));
    expect(bucketStarts(lastWindow("day", 30, now))).toHaveLength(30);
  });

  it("fills hours without a bucket with zero and sums buckets of the same hour", () => {
    const starts = bucketStarts(window);
    const last = starts.at(-1)!;
    const buckets = [bucket(last, { model: "a" }), bucket(last, { model: "b", requests: 2 }), bucket(last - 2 * HOUR, { requests: 4 })];
    const requests = denseSeries(buckets, starts, "requests");
    expect(requests.at(-1)).toBe(3);
    expect(requests.at(-3)).toBe(4);
    expect(requests.reduce((sum, value) => sum + value, 0)).toBe(7);
    expect(denseSeries(buckets, starts, "tokens").at(-1)).toBe(30);
    expect(denseSeries(buckets, starts, "cost").at(-1)).toBe(200);
    expect(denseSeries([bucket(last - 48 * HOUR)], starts, "requests").every((value) => value === 0)).toBe(true);
  });

  it("totals, top entries and per-key series", () => {
    const starts = bucketStarts(window);
    const last = starts.at(-1)!;
    const buckets = [
      bucket(last, { api_key_id: "key_a", key_id: "aaaa", key_name: "web", requests: 5, errors: 1 }),
      bucket(last - HOUR, { api_key_id: "key_b", key_id: "bbbb", key_name: "worker", requests: 9 }),
      bucket(last - HOUR, { api_key_id: "key_a", key_id: "aaaa", key_name: "web", requests: 1 }),
    ];
    expect(totalsOf(buckets)).toEqual({ requests: 15, tokens: 45, costMicros: 300, errors: 1 });
    expect(topEntries(buckets, "key").map((entry) => [entry.label, entry.requests])).toEqual([
      ["worker ••••bbbb", 9],
      ["web ••••aaaa", 6],
    ]);
    const series = seriesByKey(buckets, starts);
    expect(series.get("key_a")?.slice(-2)).toEqual([1, 5]);
    expect(series.get("key_b")?.slice(-2)).toEqual([9, 0]);
  });
});
