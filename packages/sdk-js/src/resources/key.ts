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
  rate_limits: { requests_per_minute: number; tokens_per_minute: number };
  /** The account balance (`balance_micros` is exact, `balance_usd` for display); `spends`: whether this key's requests are charged (live keys). */
  credits: { balance_micros: number; balance_usd: number; spends: boolean };
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
