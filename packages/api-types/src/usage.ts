export type UsageGranularity = "hour" | "day";
export type UsageGroupBy = "none" | "key" | "model";

/** Requests, tokens and cost of one UTC hour or day, per key or model when grouped. */
export interface UsageBucketJson {
  bucket_start: string;
  /** Set when grouped by key; null otherwise. */
  api_key_id: string | null;
  key_id: string | null;
  key_name: string | null;
  /** Set when grouped by model; null otherwise. */
  model: string | null;
  requests: number;
  prompt_tokens: number;
  completion_tokens: number;
  /** The parts of `prompt_tokens` read from and written to the provider's prompt cache. */
  cache_read_tokens: number;
  cache_write_tokens: number;
  /** The part of `completion_tokens` spent on reasoning. */
  reasoning_tokens: number;
  cost_micros: number;
  /** Requests answered with a status of 400 or more. */
  errors: number;
}

/** `GET /api/usage`: the buckets of `[start, end)`, oldest first; usage is counted by the UTC hour, so `start` and `end` are the whole hours read. */
export interface UsageJson {
  object: "list";
  granularity: UsageGranularity;
  start: string;
  end: string;
  data: UsageBucketJson[];
}
