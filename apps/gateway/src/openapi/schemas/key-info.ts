import type { KeyInfoJson } from "@bentoo/api-types";
import { type Static, Type } from "@sinclair/typebox";
import { API_KEY_SECURITY, type Exactly, errorResponses, jsonResponse, Nullable, REQUEST_ID_HEADER, sameShape } from "../shared.js";
import type { RouteSchema } from "../validation.js";
import { StringEnum } from "./compact.js";

/** `GET /v1/key`: what the calling key is and may do (routes/v1/key.ts), as KeyInfoJson. */

export const KeyInfo = Type.Object(
  {
    id: Type.String({ description: "The key's internal id (`key_…`), as the audit records name it." }),
    object: Type.Literal("api_key"),
    key_id: Type.String({ description: "The key ID people see: the key's last 4 characters." }),
    name: Type.String(),
    mode: StringEnum(["live", "test"], { description: "`live` keys reach providers and spend credits; `test` keys are served by the sandbox, free." }),
    account: Type.Object({ id: Type.String(), plan: StringEnum(["free", "pro", "enterprise"]) }),
    rate_limits: Type.Object(
      { requests_per_minute: Type.Integer(), tokens_per_minute: Type.Integer() },
      { description: "The limits that apply to this key: the key's own where lower than its account's." },
    ),
    key_rate_limits: Type.Object(
      { requests_per_minute: Nullable(Type.Integer()), tokens_per_minute: Nullable(Type.Integer()) },
      { description: "The key's own limits; null where only the account's applies." },
    ),
    credits: Type.Object(
      {
        balance_micros: Type.Integer({ description: "The account's balance in micro-dollars (1 USD = 1,000,000); may be below zero." }),
        balance_usd: Type.Number({ description: "The same in USD, for display." }),
        spends: Type.Boolean({ description: "Whether requests with this key are charged (live keys)." }),
      },
      { description: "The account's credits, read fresh." },
    ),
    scopes: Type.Array(StringEnum(["inference", "audit:read", "key:read"]), {
      description: "What the key may do: call models (`inference`), read the Audit API (`audit:read`), read this (`key:read`).",
    }),
    models: Nullable(Type.Array(Type.String()), { description: "Model ids and `prefix*` patterns the key may call; null: every model." }),
    spend_cap: Nullable(
      Type.Object({
        amount_micros: Type.Integer({ description: "The most the key may spend per period." }),
        period: StringEnum(["day", "week", "month", "total"], { description: "Each UTC day, ISO week (from Monday), calendar month, or never." }),
        spent_micros: Type.Integer({ description: "Settled charges in the current period." }),
        remaining_micros: Type.Integer({ description: "The cap less what was spent; 0 when spent." }),
        period_start: Nullable(Type.String(), { description: "When the current period began, RFC 3339; null for a `total` cap." }),
        resets_at: Nullable(Type.String(), { description: "When the count starts again, RFC 3339; null for a `total` cap." }),
      }),
      { description: "The key's spend cap and what it counted this period; null without a cap." },
    ),
    created_at: Type.String({ description: "RFC 3339." }),
    expires_at: Nullable(Type.String(), { description: "When the key stops working, RFC 3339; null: never." }),
  },
  { title: "KeyInfo", description: "The calling key, never its secret, with its account's plan, limits and credits." },
);

sameShape<Exactly<Static<typeof KeyInfo>, KeyInfoJson>>();

export const KEY_INFO_SCHEMA: RouteSchema = {
  summary: "Get the calling key",
  description:
    "What the key that sends this request is and may do: its mode, scopes, allowed models and spend cap with what the cap counted this period, the rate limits that apply to it, and its account's plan and credit balance. Needs the `key:read` scope (keys have it by default).",
  tags: ["Keys"],
  operationId: "getCallingKey",
  security: API_KEY_SECURITY,
  response: { 200: jsonResponse(KeyInfo, "The key.", REQUEST_ID_HEADER), ...errorResponses([]) },
};
