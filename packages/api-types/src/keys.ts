import type { KeyMode, KeyScope, KeyStatus, Plan, SpendPeriod } from "./common.js";

/** A key's spend cap: at most `amount_micros` of charges per `period`. */
export interface SpendCapJson {
  amount_micros: number;
  period: SpendPeriod;
}

/** What a key's spend cap has counted in the current period (settled charges, as storage has them). */
export interface KeySpendJson {
  spent_micros: number;
  /** The cap less what was spent; 0 when spent. */
  remaining_micros: number;
  period_start: string | null;
  /** When the count starts again; null for a `total` cap. */
  resets_at: string | null;
}

/** An API key, never its secret (admin API and `/api/keys`). */
export interface ApiKeyJson {
  id: string;
  object: "api_key";
  /** The key ID users see: the key's last 4 characters. */
  key_id: string;
  name: string;
  mode: KeyMode;
  status: KeyStatus;
  account_id: string;
  created_at: string;
  last_used_at: string | null;
  /** Set by `expires_at` at creation, or by a roll's grace period. */
  expires_at: string | null;
  revoked_at: string | null;
  /** The id of the key this one replaced in a roll. */
  rolled_from: string | null;
  ip_allowlist: string[] | null;
  scopes: KeyScope[];
  /** The key's own limits, under its account's; null = only the account's apply. */
  rpm_limit: number | null;
  tpm_limit: number | null;
  spend_cap: SpendCapJson | null;
  /** Model ids and `prefix*` patterns the key may call; null = every model. */
  models: string[] | null;
}

/**
 * The body of `POST /admin/v1/accounts/{id}/keys` and `POST /api/keys`;
 * `PATCH` takes the same members but `mode`, each optional (null clears a
 * limit, the cap, the model list or the expiry). Unknown members are a 400.
 */
export interface KeyRequestJson {
  name: string;
  mode?: KeyMode;
  /** RFC 3339, in the future. */
  expires_at?: string | null;
  /** Enterprise plan. */
  ip_allowlist?: string[] | null;
  /** Default `["inference", "key:read"]`. */
  scopes?: KeyScope[];
  rpm_limit?: number | null;
  tpm_limit?: number | null;
  spend_cap?: SpendCapJson | null;
  models?: string[] | null;
}

/** A key right after creation: the only shape that carries the full secret. */
export interface IssuedKeyJson extends ApiKeyJson {
  key: string;
}

/** A roll: the replacement (with its secret) and what became of the old key. */
export interface RolledKeyJson extends IssuedKeyJson {
  previous_key: ApiKeyJson;
}

/** `GET /api/keys…`: a key with its recent traffic (the rotation signal: an old key's requests falling to zero). */
export interface DashboardKeyJson extends ApiKeyJson {
  requests_last_hour: number;
  requests_last_24h: number;
  /** What the spend cap counted this period; null without a cap. */
  spend: KeySpendJson | null;
}

/** `GET /v1/key`: what the calling key is, and its account's plan, limits and credits. Never the key itself. */
export interface KeyInfoJson {
  id: string;
  object: "api_key";
  key_id: string;
  name: string;
  mode: KeyMode;
  account: { id: string; plan: Plan };
  /** The limits that apply to this key: its own where they are lower than its account's. */
  rate_limits: { requests_per_minute: number; tokens_per_minute: number };
  /** The key's own limits (null: none, the account's apply). */
  key_rate_limits: { requests_per_minute: number | null; tokens_per_minute: number | null };
  /** `spends`: whether requests with this key are charged (live keys). */
  credits: { balance_micros: number; balance_usd: number; spends: boolean };
  scopes: KeyScope[];
  models: string[] | null;
  /** The key's spend cap and what it counted this period; null without a cap. */
  spend_cap: (SpendCapJson & KeySpendJson) | null;
  created_at: string;
  expires_at: string | null;
}
