import type { KeyMode, KeyStatus, Plan } from "./common.js";

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
}

/** `GET /v1/key`: what the calling key is, and its account's plan, limits and credits. Never the key itself. */
export interface KeyInfoJson {
  id: string;
  object: "api_key";
  key_id: string;
  name: string;
  mode: KeyMode;
  account: { id: string; plan: Plan };
  rate_limits: { requests_per_minute: number; tokens_per_minute: number };
  /** `spends`: whether requests with this key are charged (live keys). */
  credits: { balance_micros: number; balance_usd: number; spends: boolean };
  created_at: string;
  expires_at: string | null;
}
