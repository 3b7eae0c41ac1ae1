import type { DashboardAccountJson, SessionJson } from "@bentoo/api-types";
import { type Account, effectiveLimits } from "@bentoo/core";
import { iso } from "../../http/presenters.js";
import type { Services } from "../../services.js";

/** The signed-in account as the dashboard sees it: plan, effective limits, key count, balance. */
export async function presentDashboardAccount(services: Services, account: Account): Promise<DashboardAccountJson> {
  const limits = services.plans[account.plan];
  const perMinute = effectiveLimits(account, services.plans);
  return {
    id: account.id,
    object: "account",
    email: account.email,
    plan: account.plan,
    limits: {
      max_active_keys: limits.maxActiveKeys,
      requests_per_minute: perMinute.requestsPerMinute,
      tokens_per_minute: perMinute.tokensPerMinute,
      ip_allowlist: limits.ipAllowlist,
    },
    active_keys: await services.storage.keys.countActive(account.id, services.now()),
    balance_micros: account.balanceMicros,
    ip_allowlist: account.ipAllowlist,
    low_balance_threshold_micros: account.lowBalanceThresholdMicros,
    created_at: iso(account.createdAt),
  };
}

/** The answer of sign-up, sign-in and `/api/account`: the account and the session's CSRF token. */
export async function presentSession(services: Services, account: Account, csrfToken: string): Promise<SessionJson> {
  return { account: await presentDashboardAccount(services, account), csrf_token: csrfToken };
}
