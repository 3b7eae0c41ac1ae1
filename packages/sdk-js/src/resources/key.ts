import type { RequestOptions, Transport } from "../transport.js";

/** What `GET /key` says about the calling key. It never contains the key itself. */
export interface KeyInfo {
  id: string;
  object: "api_key";
  /** The key ID shown everywhere: the key's last 4 characters. */
  key_id: string;
  name: string;
  mode: "live" | "test";
  account: { id: string; plan: "free" | "pro" | "enterprise" };
  /** The limits that apply to this key: its own where lower than its account's. */
  rate_limits: { requests_per_minute: number; tokens_per_minute: number };
  /** The key's own limits (null: only the account's apply). */
  key_rate_limits: { requests_per_minute: number | null; tokens_per_minute: number | null };
  /** The account balance (`balance_micros` is exact, `balance_usd` for display); `spends`: whether this key's requests are charged (live keys). */
  credits: { balance_micros: number; balance_usd: number; spends: boolean };
  /** What the key may do: `inference`, `audit:read`, `key:read`. */
  scopes: Array<"inference" | "audit:read" | "key:read">;
  /** Model ids and `prefix*` patterns the key may call; null: every model. */
  models: string[] | null;
  /** The key's spend cap and what it counted this period (UTC calendar periods); null without one. */
  spend_cap: {
    amount_micros: number;
    period: "day" | "week" | "month" | "total";
    spent_micros: number;
    remaining_micros: number;
    period_start: string | null;
    resets_at: string | null;
  } | null;
  created_at: string;
  expires_at: string | null;
  [field: string]: unknown;
}

/** `GET /key`: introspection of the key the client uses. */
export class Key {
  readonly #transport: Transport;

  constructor(transport: Transport) {
    this.#transport = transport;
  }

  retrieve(options?: RequestOptions): Promise<KeyInfo> {
    return this.#transport.json<KeyInfo>({ method: "GET", path: "/key" }, options);
  }
}
