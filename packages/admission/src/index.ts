export type {
  Admission,
  AdmissionDecision,
  AdmissionRequest,
  AdmissionTicket,
  BalanceLoader,
  LimitSpec,
  LimitState,
  PendingCharge,
  RateLimitState,
  Recovery,
  ReplayedCharge,
  Settlement,
  SettlementErrorHandler,
  SettlementFailure,
} from "./admission.js";
export { formatResetDuration } from "./format-reset-duration.js";
export { MemoryAdmission, type MemoryAdmissionOptions } from "./memory/memory-admission.js";
export { RedisAdmission, type RedisAdmissionOptions } from "./redis/redis-admission.js";
export { MAX_UNITS } from "./token-bucket.js";
