import type { Plan } from "./common.js";

/** An account as the admin API shows it (`/admin/v1/accounts…`). */
export interface AccountJson {
  id: string;
  object: "account";
  email: string;
  plan: Plan;
  /** Per-account overrides of the plan's limits; null = the plan's. */
  rpm_limit: number | null;
  tpm_limit: number | null;
  balance_micros: number;
  /** null = no allowlist: any source IP. */
  ip_allowlist: string[] | null;
  /** A `balance.low` webhook fires when the balance falls below this; null = no alert. */
  low_balance_threshold_micros: number | null;
  created_at: string;
}

/** The body of `POST /admin/v1/accounts/{id}/credits`. */
export interface CreditGrantRequestJson {
  /** Micro-dollars to add; negative = a debit. Not zero. */
  amount_micros: number;
  /** A debit larger than the balance is refused (409 `debit_exceeds_balance`) unless this is true. */
  allow_negative?: boolean;
}

/** `POST /admin/v1/accounts/{id}/credits`: the grant (negative = a debit) and the balance after it. */
export interface CreditGrantJson {
  object: "credit_grant";
  account_id: string;
  amount_micros: number;
  balance_micros: number;
}

/** What the account's plan allows, with the account's own overrides applied. */
export interface DashboardLimitsJson {
  /** null = unlimited. */
  max_active_keys: number | null;
  requests_per_minute: number;
  tokens_per_minute: number;
  /** Whether the plan allows IP allowlists. */
  ip_allowlist: boolean;
}

/** The signed-in account as the dashboard sees it (`/api/account`). */
export interface DashboardAccountJson {
  id: string;
  object: "account";
  email: string;
  plan: Plan;
  limits: DashboardLimitsJson;
  /** Keys that count against `max_active_keys`: not revoked, not expired, not in a roll's grace period. */
  active_keys: number;
  balance_micros: number;
  ip_allowlist: string[] | null;
  /** The dashboard warns (and a `balance.low` webhook fires) below this balance; null = never. */
  low_balance_threshold_micros: number | null;
  created_at: string;
}

/**
 * Sign-up, sign-in and `GET`/`PATCH /api/account`: the account, and the CSRF
 * token every state-changing `/api` call sends back in `X-CSRF-Token`.
 */
export interface SessionJson {
  account: DashboardAccountJson;
  csrf_token: string;
}
