/**
 * Conventions of every shape in this package: member names are the wire's
 * (snake_case); timestamps are RFC 3339 strings in UTC; money is integer
 * micro-dollars (`*_micros`, 1 USD = 1,000,000), with a float `*_usd` only for
 * display; `null` means "none", never "unknown".
 */

export type Plan = "free" | "pro" | "enterprise";
export type KeyMode = "live" | "test";
export type KeyStatus = "active" | "revoked" | "expired";
/** What a key may do: call models (`inference`), read the Audit API (`audit:read`), read `/v1/key` (`key:read`). */
export type KeyScope = "inference" | "audit:read" | "key:read";
/** When a spend cap starts again: each UTC day, ISO week (Monday), calendar month, or never. */
export type SpendPeriod = "day" | "week" | "month" | "total";

/** A page of a cursor-paginated list: pass `next_cursor` as `cursor` for the next one. */
export interface ListJson<Item> {
  object: "list";
  data: Item[];
  has_more: boolean;
  /** null on the last page. */
  next_cursor: string | null;
}

/** Every error, on every endpoint: OpenAI's envelope (docs/errors.md lists the codes). */
export interface ErrorEnvelopeJson {
  error: {
    /** Says what to do. */
    message: string;
    /** The family: `invalid_request_error`, `authentication_error`, … */
    type: string;
    /** The request field at fault, when there is one. */
    param: string | null;
    /** Stable; what programs branch on. */
    code: string;
  };
}
