import { type ActionContext, OPERATOR } from "../audit/events.js";
import { BentooError } from "../errors.js";

/**
 * Plans and their limits. The numbers are defaults; the operator overrides them
 * through configuration, and per account through the admin API.
 */
export const PLANS = ["free", "pro", "enterprise"] as const;
export type Plan = (typeof PLANS)[number];

export interface PlanLimits {
  /** Most active keys an account may hold (not revoked, not expired, not in a roll's grace period: docs/plans.md); null = unlimited. */
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

/** Plan names as the product writes them in messages. */
export const PLAN_TITLES: Readonly<Record<Plan, string>> = { free: "Free", pro: "Pro", enterprise: "Enterprise" };

/**
 * IP allowlists, of keys and of accounts, need a plan whose limits allow them
 * (PRODUCT.md §4); clearing one (null or []) is allowed on every plan, so an
 * account moved down a plan can drop its list. The message's remedy depends on
 * who asks: the operator can change the plan, an account holder asks the operator.
 */
export function requireAllowlistAllowed(
  account: { id: string; plan: Plan },
  plans: Readonly<Record<Plan, PlanLimits>>,
  allowlist: readonly string[] | null,
  context: ActionContext,
): void {
  if (allowlist === null || allowlist.length === 0 || plans[account.plan].ipAllowlist) return;
  const allowing = PLANS.filter((plan) => plans[plan].ipAllowlist);
  const needed =
    allowing.length === 0 ? "a plan that allows them, and no plan on this server does" : `the ${allowing.map((plan) => PLAN_TITLES[plan]).join(" or ")} plan`;
  const target = allowing[0] ?? "enterprise";
  const remedy =
    context.actor === OPERATOR.actor
      ? `move the account first: bentoo accounts set-plan ${account.id} ${target}, or PATCH /admin/v1/accounts/${account.id} {"plan": "${target}"}`
      : "ask your operator to upgrade the account";
  throw new BentooError("plan_required", `IP allowlists need ${needed}; this account is on the ${PLAN_TITLES[account.plan]} plan. To set one, ${remedy}.`, {
    param: "ip_allowlist",
  });
}
