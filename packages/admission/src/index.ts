export type { AdmitInput, LimitSpec, LimitState, RateDecision, RateLimiter } from "./rate-limiter.js";
export { MemoryRateLimiter, type MemoryRateLimiterOptions } from "./memory/memory-rate-limiter.js";
export { RedisRateLimiter, SETTLEMENT_DEFER_MS, decisionAt, type RedisRateLimiterOptions, type RedisScriptClient } from "./redis/redis-rate-limiter.js";
export { ADMIT_REPLY_LENGTH, BUCKET_LUA } from "./redis/scripts.js";
export { formatResetDuration } from "./format-reset-duration.js";
export { MAX_UNITS, admitBuckets, type BucketState } from "./token-bucket.js";
export { TurnBatcher, type TurnBatcherOptions } from "./turn-batcher.js";
