import type { ApiKeyJson, IssuedKeyJson, ListJson, RolledKeyJson, SpendCapJson } from "@bentoo/api-types";
import { KEY_MODES, KEY_SCOPES, SPEND_PERIODS } from "@bentoo/core";
import { type Static, type TSchema, Type } from "@sinclair/typebox";
import { ADMIN_SECURITY, COMMON_ADMIN_ERRORS, type Exactly, errorResponses, jsonResponse, Nullable, sameShape } from "../shared.js";
import type { RouteSchema } from "../validation.js";
import { acceptsHint, ListOf, PageQuery, StrictObject, StringEnum } from "./management.js";

/** The admin API's keys: `/admin/v1/accounts/{id}/keys` and `/admin/v1/keys/{id}…` (PRODUCT.md §7, docs/keys.md). */

/** The largest per-minute limit the limiter represents exactly. */
const MAX_LIMIT = 1_000_000_000;
/** The largest spend cap: a billion dollars. */
const MAX_CAP_MICROS = 1_000_000_000_000_000;
const MAX_GRACE_SECONDS = 30 * 24 * 3600;

export const SpendCap = Type.Object(
  {
    amount_micros: Type.Integer({ description: "The most the key may be charged per period, in micro-dollars (1 USD = 1,000,000)." }),
    period: StringEnum(SPEND_PERIODS, {
      description: "When the count starts again, in UTC: `day` (00:00), `week` (Monday 00:00), `month` (the 1st, 00:00), or `total` (never).",
    }),
  },
  { title: "SpendCap" },
);

export const ApiKey = Type.Object(
  {
    id: Type.String({ description: "The key's id (`key_…`): what the admin API and the audit log name it by." }),
    object: Type.Literal("api_key"),
    key_id: Type.String({ description: "The key ID users see: the key's last 4 characters." }),
    name: Type.String(),
    mode: StringEnum(KEY_MODES, { description: "`live` keys reach providers and spend credits; `test` keys are served by the sandbox and spend nothing." }),
    status: StringEnum(["active", "revoked", "expired"] as const),
    account_id: Type.String(),
    created_at: Type.String({ description: "RFC 3339." }),
    last_used_at: Nullable(Type.String(), { description: "RFC 3339; null if never used." }),
    expires_at: Nullable(Type.String(), { description: "Set at creation or by a roll's grace period; null: never." }),
    revoked_at: Nullable(Type.String()),
    rolled_from: Nullable(Type.String(), { description: "The id of the key this one replaced in a roll." }),
    ip_allowlist: Nullable(Type.Array(Type.String()), {
      description: "The addresses and CIDR blocks the key may be used from; null: any (the account's own still applies).",
    }),
    scopes: Type.Array(StringEnum(KEY_SCOPES), {
      description: "What the key may call: `inference` (the model routes), `audit:read` (the Audit API), `key:read` (`GET /v1/key`).",
    }),
    rpm_limit: Nullable(Type.Integer(), { description: "The key's own requests per minute, under its account's; null: only the account's apply." }),
    tpm_limit: Nullable(Type.Integer(), { description: "The key's own tokens per minute; null: only the account's apply." }),
    spend_cap: Nullable(SpendCap, { description: "The most the key may spend per period; null: no cap (the balance still applies)." }),
    models: Nullable(Type.Array(Type.String()), { description: "Model ids and `prefix*` patterns the key may call; null: every model." }),
  },
  { title: "ApiKey", description: "An API key, never its secret." },
);

const secret = Type.Object({ key: Type.String({ description: "The full key (`btoo_sk_live_…` or `btoo_sk_test_…`): shown this once, never again." }) });

export const IssuedKey = Type.Intersect([ApiKey, secret], { title: "IssuedKey", description: "A new key, with its secret." });

export const RolledKey = Type.Intersect([ApiKey, secret, Type.Object({ previous_key: ApiKey })], {
  title: "RolledKey",
  description: "The replacement, with its secret, and the rolled key as it is now (`previous_key`).",
});

export const ApiKeyList = ListOf(ApiKey, "ApiKeyList", "A page of an account's keys, oldest first; never their secrets.");

sameShape<Exactly<Static<typeof SpendCap>, SpendCapJson>>();
sameShape<Exactly<Static<typeof ApiKey>, ApiKeyJson>>();
sameShape<Exactly<Static<typeof IssuedKey>, IssuedKeyJson>>();
sameShape<Exactly<Static<typeof RolledKey>, RolledKeyJson>>();
sameShape<Exactly<Static<typeof ApiKeyList>, ListJson<ApiKeyJson>>>();

const SPEND_CAP_REQUEST_PROPERTIES = {
  amount_micros: Type.Optional(
    Type.Integer({ minimum: 0, maximum: MAX_CAP_MICROS, description: `Micro-dollars per period, 0 to ${MAX_CAP_MICROS} (1 USD = 1,000,000).` }),
  ),
  period: Type.Optional(StringEnum(SPEND_PERIODS, { description: "`day`, `week`, `month` or `total`." })),
};

/**
 * A spend cap as a request sets it. Both members are needed; the handler says so
 * (`required` here would be checked before the unknown members, and a
 * misspelt `amount` must be named as such).
 */
const SpendCapRequest = Type.Object(SPEND_CAP_REQUEST_PROPERTIES, {
  additionalProperties: false,
  description: "Both members are required.",
  "x-error-hint": acceptsHint(SPEND_CAP_REQUEST_PROPERTIES, "spend_cap"),
});

const limit = (what: string) =>
  Type.Optional(
    Nullable(Type.Integer({ minimum: 1, maximum: MAX_LIMIT }), {
      description: `The key's own ${what} per minute, 1 to ${MAX_LIMIT}, under its account's limit; null: none of its own.`,
    }),
  );

/** The members of a key's creation and change, in the order the handler lists them (`KEY_CHANGE_FIELDS`). */
function keyProperties<N extends TSchema>(name: N) {
  return {
    name,
    ip_allowlist: Type.Optional(
      Nullable(Type.Array(Type.String()), {
        description:
          "IPv4 and IPv6 addresses and CIDR blocks (at most 1,000) the key may be used from; null or `[]`: any. Needs a plan that allows allowlists (`enterprise` by default); otherwise 403 `plan_required`.",
      }),
    ),
    expires_at: Type.Optional(
      Nullable(Type.String({ "x-error-hint": "Send an RFC 3339 timestamp such as 2027-01-31T00:00:00Z, or null." }), {
        description: "When the key stops working, RFC 3339, in the future; null: never. To end a key now, revoke it.",
      }),
    ),
    scopes: Type.Optional(
      Type.Array(Type.String(), {
        minItems: 1,
        description: `Any of ${KEY_SCOPES.map((scope) => `\`${scope}\``).join(", ")} (at most 10 entries, at least one scope). New keys get \`["inference", "key:read"]\`.`,
        "x-error-hint": `Name any of ${KEY_SCOPES.join(", ")}.`,
      }),
    ),
    rpm_limit: limit("requests"),
    tpm_limit: limit("tokens"),
    spend_cap: Type.Optional(
      Nullable(SpendCapRequest, {
        description: 'At most `amount_micros` of charges per `period`, e.g. `{"amount_micros": 20000000, "period": "month"}`; null: no cap.',
      }),
    ),
    models: Type.Optional(
      Nullable(Type.Array(Type.String()), {
        description:
          "1 to 100 model ids and `prefix*` patterns (such as `anthropic/*`) the key may call, each matching some model of the catalog; null: every model.",
      }),
    ),
  };
}

const KeyName = Type.String({ minLength: 1, description: "A descriptive name, at most 200 characters." });

const KeyCreateRequest = StrictObject(
  {
    ...keyProperties(KeyName),
    mode: Type.Optional(Nullable(StringEnum(KEY_MODES), { description: "`live` (the default) or `test` (served by the sandbox, never spends)." })),
  },
  { title: "KeyCreateRequest" },
);

const KeyUpdateRequest = StrictObject(keyProperties(Type.Optional(KeyName)), {
  title: "KeyUpdateRequest",
  description: "Any of the members; one left out stays as it is, null removes a limit, the cap, the model list, the allowlist or the expiry.",
});

const KeyRollRequest = Nullable(
  StrictObject(
    {
      grace_seconds: Type.Optional(
        Nullable(Type.Integer({ minimum: 0, maximum: MAX_GRACE_SECONDS }), {
          description: `Seconds the old key keeps working next to its replacement, 0 to ${MAX_GRACE_SECONDS} (30 days); 0 or absent: it stops now; null: until it is revoked.`,
        }),
      ),
    },
    { title: "KeyRollRequest" },
  ),
  { description: "Optional: a roll without a body ends the old key at once." },
);

const AccountParams = Type.Object({ id: Type.String({ description: "The account's id (`acct_…`)." }) });
const KeyParams = Type.Object({ id: Type.String({ description: "The key's id (`key_…`)." }) });

const errors = (codes: Parameters<typeof errorResponses>[0]) => errorResponses(codes, { common: COMMON_ADMIN_ERRORS });

const common = { tags: ["Keys"], security: ADMIN_SECURITY };

export const CREATE_KEY_SCHEMA: RouteSchema = {
  ...common,
  summary: "Create a key",
  description: [
    "A new API key for the account, returned with its secret (`key`) this once. Optional controls hold it tighter than its account: scopes, its own rate limits, a spend cap, allowed models, an IP allowlist and an expiry (docs/keys.md).",
    "",
    "A `free` account holds at most 50 active keys: the 51st is refused with 403 `plan_limit_reached`. Recorded in the audit log as `key.created`.",
  ].join("\n"),
  operationId: "createKey",
  params: AccountParams,
  body: KeyCreateRequest,
  response: {
    201: jsonResponse(IssuedKey, "The key, with its secret: store it now."),
    ...errors(["account_not_found", "plan_limit_reached", "plan_required"]),
  },
};

export const LIST_KEYS_SCHEMA: RouteSchema = {
  ...common,
  summary: "List an account's keys",
  description: "The account's keys, revoked and expired ones included, oldest first, a page at a time. Never their secrets.",
  operationId: "listKeys",
  params: AccountParams,
  querystring: PageQuery(1000, 100),
  response: { 200: jsonResponse(ApiKeyList, "A page of keys."), ...errors(["account_not_found"]) },
};

export const GET_KEY_SCHEMA: RouteSchema = {
  ...common,
  summary: "Get a key",
  description: "One key by its id, with its status and controls. Never its secret.",
  operationId: "getKey",
  params: KeyParams,
  response: { 200: jsonResponse(ApiKey, "The key."), ...errors(["key_not_found"]) },
};

export const UPDATE_KEY_SCHEMA: RouteSchema = {
  ...common,
  summary: "Change a key",
  description: [
    "Renames the key or changes its controls, allowlist or expiry; a member left out stays as it is, and null removes a limit, the cap, the model list, the allowlist or the expiry. A change applies to the key's very next request on every instance.",
    "",
    "Recorded in the audit log (`key.renamed`, `key.allowlist_changed`, `key.controls_changed`).",
  ].join("\n"),
  operationId: "updateKey",
  params: KeyParams,
  body: KeyUpdateRequest,
  response: { 200: jsonResponse(ApiKey, "The key as changed."), ...errors(["key_not_found", "plan_required"]) },
};

export const ROLL_KEY_SCHEMA: RouteSchema = {
  ...common,
  summary: "Roll a key",
  description: [
    "Creates the key's replacement (same name, mode, allowlist, expiry and controls, and the same spend-cap count; its secret shown this once) and lets the old key work on for `grace_seconds`, so that clients can move over without downtime.",
    "",
    "Only an active key can be rolled, and only once: rolling a key that already has an active replacement is refused with 409 `key_already_rolled` (roll the replacement instead). On a `free` account a roll that keeps the old key until it is revoked (`grace_seconds: null`) needs a free slot among its 50 active keys, else 403 `plan_limit_reached`. Recorded in the audit log as `key.rolled`.",
  ].join("\n"),
  operationId: "rollKey",
  params: KeyParams,
  body: KeyRollRequest,
  response: {
    201: jsonResponse(RolledKey, "The replacement with its secret, and the old key."),
    ...errors(["key_not_found", "key_already_rolled", "plan_limit_reached"]),
  },
};

export const REVOKE_KEY_SCHEMA: RouteSchema = {
  ...common,
  summary: "Revoke a key",
  description:
    "Revokes the key: from the very next request, on every instance, it gets 401 `revoked_api_key`. Revoking cannot be undone. Recorded in the audit log as `key.revoked`.",
  operationId: "revokeKey",
  params: KeyParams,
  response: { 200: jsonResponse(ApiKey, "The key, revoked."), ...errors(["key_not_found"]) },
};
