import type { Catalog, PlanLimits, Plan } from "@bentoo/core";
import type { ProviderRegistry } from "@bentoo/providers";
import type { RateLimiter } from "@bentoo/ratelimit";
import type { Logger } from "pino";
import type { CreditService } from "../credits/credit-service.js";
import type { Metrics } from "../infra/metrics.js";
import type { RedisAdmissions } from "./redis-admissions.js";

/** What the chat-completion path needs from the services. */
export interface ChatDeps {
  catalog: Catalog;
  providers: ProviderRegistry;
  limiter: RateLimiter;
  credits: CreditService;
  /** The Redis path's joint admission and settlement; null in embedded mode. */
  admissions: RedisAdmissions | null;
  plans: Readonly<Record<Plan, PlanLimits>>;
  failOpen: boolean;
  logger: Logger;
  metrics: Metrics;
}
