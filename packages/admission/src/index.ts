export type {
  Admission,
  AdmissionDecision,
  AdmissionRequest,
  AdmissionTicket,
  BalanceLoader,
  BudgetSpec,
  KeyLimitSpec,
  KeyRateLimitState,
  LimitSpec,
  LimitState,
  PendingCharge,
  RateLimitState,
  Recovery,
  ReplayedCharge,
  Settlement,
  SettlementErrorHandler,
  SettlementFailure,
  SpendLoader,
} from "./admission.js";
export { budgetIdOf } from "./admission.js";
export {
  type AttemptCheck,
  type AttemptDecision,
  type AttemptLimiter,
  type AttemptRule,
  type BackoffRule,
  type BucketRule,
  backoffWait,
} from "./attempt-limiter.js";
export { formatResetDuration } from "./format-reset-duration.js";
export { MemoryAdmission, type MemoryAdmissionOptions } from "./memory/memory-admission.js";
export { MemoryAttemptLimiter, type MemoryAttemptLimiterOptions } from "./memory/memory-attempt-limiter.js";
export { RedisAdmission, type RedisAdmissionOptions } from "./redis/redis-admission.js";
export { RedisAttemptLimiter, type RedisAttemptLimiterOptions } from "./redis/redis-attempt-limiter.js";
export { MAX_UNITS } from "./token-bucket.js";
