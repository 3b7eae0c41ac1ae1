export type { AdmitInput, LimitSpec, LimitState, RateDecision, RateLimiter } from "./rate-limiter.js";
export { MemoryRateLimiter, type MemoryRateLimiterOptions } from "./memory/memory-rate-limiter.js";
export { RedisRateLimiter, SETTLEMENT_DEFER_MS, type RedisRateLimiterOptions, type RedisScriptClient } from "./redis/redis-rate-limiter.js";
export { formatResetDuration } from "./format-reset-duration.js";
export { MAX_UNITS } from "./token-bucket.js";
export { TurnBatcher, type TurnBatcherOptions } from "./turn-batcher.js";
