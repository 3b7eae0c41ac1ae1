/**
 * Plans and their limits. The numbers are defaults; the operator overrides them
 * through configuration, and per account through the admin API.
 */
export const PLANS = ["free", "pro", "enterprise"] as const;
export type Plan = (typeof PLANS)[number];

export interface PlanLimits {
  /** Most active (not revoked, not expired) keys an account may hold; null = unlimited. */
  maxActiveKeys: number | null;
  requestsPerMinute: number;
  tokensPerMinute: number;
  /** Whether IP allowlists may be set. */
  ipAllowlist: boolean;
}

export const DEFAULT_PLAN_LIMITS: Readonly<Record<Plan, PlanLimits>> = {
  free: { maxActiveKeys: 50, requestsPerMinute: 60, tokensPerMinute: 200_000, ipAllowlist: false },
  pro: { maxActiveKeys: null, requestsPerMinute: 600, tokensPerMinute: 2_000_000, ipAllowlist: false },
  enterprise: { maxActiveKeys: null, requestsPerMinute: 6_000, tokensPerMinute: 20_000_000, ipAllowlist: true },
};

export function isPlan(value: unknown): value is Plan {
  return typeof value === "string" && (PLANS as readonly string[]).includes(value);
}

/** An account's effective per-minute limits: its own overrides, else its plan's. */
export function effectiveLimits(
  account: { plan: Plan; rpmLimit: number | null; tpmLimit: number | null },
  plans: Readonly<Record<Plan, PlanLimits>>,
): { requestsPerMinute: number; tokensPerMinute: number } {
  const plan = plans[account.plan];
  return { requestsPerMinute: account.rpmLimit ?? plan.requestsPerMinute, tokensPerMinute: account.tpmLimit ?? plan.tokensPerMinute };
}
