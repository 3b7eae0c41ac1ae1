import type { AccountJson, CreditGrantJson, ListJson } from "@bentoo/api-types";
import { PLANS } from "@bentoo/core";
import { type Static, Type } from "@sinclair/typebox";
import { ADMIN_SECURITY, COMMON_ADMIN_ERRORS, type Exactly, errorResponses, jsonResponse, Nullable, sameShape } from "../shared.js";
import type { RouteSchema } from "../validation.js";
import { ListOf, PageQuery, StrictObject, StringEnum } from "./management.js";

/** The admin API's accounts: `/admin/v1/accounts…` (PRODUCT.md §7). */

/** The largest per-minute limit the limiter represents exactly. */
const MAX_LIMIT = 1_000_000_000;

export const Account = Type.Object(
  {
    id: Type.String({ description: "The account's id (`acct_…`)." }),
    object: Type.Literal("account"),
    email: Type.String({ description: "Its email address, lower-cased; also its dashboard sign-in." }),
    plan: StringEnum(PLANS, { description: "`free` (at most 50 active keys), `pro` or `enterprise` (IP allowlists)." }),
    rpm_limit: Nullable(Type.Integer(), { description: "The account's own requests per minute, shared by its keys; null: the plan's." }),
    tpm_limit: Nullable(Type.Integer(), { description: "The account's own tokens per minute; null: the plan's." }),
    balance_micros: Type.Integer({ description: "Credits in micro-dollars (1 USD = 1,000,000); below zero only after a debit with `allow_negative`." }),
    ip_allowlist: Nullable(Type.Array(Type.String()), {
      description: "The addresses and CIDR blocks every key of the account may be used from; null: any address.",
    }),
    low_balance_threshold_micros: Nullable(Type.Integer(), { description: "A `balance.low` webhook fires when the balance falls below it; null: never." }),
    created_at: Type.String({ description: "RFC 3339." }),
  },
  { title: "Account" },
);

export const AccountList = ListOf(Account, "AccountList", "A page of accounts, oldest first.");

export const CreditGrant = Type.Object(
  {
    object: Type.Literal("credit_grant"),
    account_id: Type.String(),
    amount_micros: Type.Integer({ description: "What was granted; negative for a debit." }),
    balance_micros: Type.Integer({ description: "The balance just after it, as storage has it (charges of requests still in flight are not in it yet)." }),
  },
  { title: "CreditGrant" },
);

sameShape<Exactly<Static<typeof Account>, AccountJson>>();
sameShape<Exactly<Static<typeof AccountList>, ListJson<AccountJson>>>();
sameShape<Exactly<Static<typeof CreditGrant>, CreditGrantJson>>();

const AccountCreateRequest = StrictObject(
  {
    email: Type.String({ minLength: 1, description: "The account's email address, at most 320 characters; unique on the server." }),
    password: Type.Optional(
      Nullable(Type.String({ maxLength: 1024 }), {
        description: "8 to 1024 characters: lets the account sign in to the dashboard. Without one (or with null) it has no dashboard sign-in.",
      }),
    ),
    plan: Type.Optional(Nullable(StringEnum(PLANS), { description: "The plan; `free` when absent or null." })),
  },
  { title: "AccountCreateRequest" },
);

const limit = (what: string) =>
  Type.Optional(
    Nullable(Type.Integer({ minimum: 1, maximum: MAX_LIMIT }), {
      description: `The account's own ${what} per minute, 1 to ${MAX_LIMIT}, shared by all its keys; null: back to the plan's.`,
    }),
  );

const AccountUpdateRequest = StrictObject(
  {
    plan: Type.Optional(Nullable(StringEnum(PLANS), { description: "Moves the account to this plan; null changes nothing." })),
    rpm_limit: limit("requests"),
    tpm_limit: limit("tokens"),
    ip_allowlist: Type.Optional(
      Nullable(Type.Array(Type.String()), {
        description:
          "IPv4 and IPv6 addresses and CIDR blocks (at most 1,000) every key of the account may be used from; null or `[]` removes the allowlist. Needs a plan that allows allowlists (`enterprise` by default), checked against the plan this same request sets; otherwise 403 `plan_required`.",
      }),
    ),
    low_balance_threshold_micros: Type.Optional(
      Nullable(Type.Integer({ minimum: 0, maximum: 1_000_000_000_000 }), {
        description: "A `balance.low` webhook fires when the balance falls below this many micro-dollars (at most 1,000,000 USD); null: never.",
      }),
    ),
  },
  { title: "AccountUpdateRequest", description: "Any of the members; one left out stays as it is." },
);

const CreditGrantRequest = StrictObject(
  {
    amount_micros: Type.Integer({
      minimum: -1_000_000_000_000_000,
      maximum: 1_000_000_000_000_000,
      description: "Micro-dollars to add (1 USD = 1,000,000); negative for a debit. Not zero.",
      "x-error-hint": "Send a non-zero integer of micro-dollars (1 USD = 1000000); a negative amount is a debit.",
    }),
    allow_negative: Type.Optional(
      Nullable(Type.Boolean(), {
        description: "A debit larger than the balance is refused with 409 `debit_exceeds_balance` unless this is true. Default false.",
      }),
    ),
  },
  { title: "CreditGrantRequest" },
);

const AccountParams = Type.Object({ id: Type.String({ description: "The account's id (`acct_…`)." }) });

const errors = (codes: Parameters<typeof errorResponses>[0]) => errorResponses(codes, { common: COMMON_ADMIN_ERRORS });

const common = { tags: ["Accounts"], security: ADMIN_SECURITY };

export const CREATE_ACCOUNT_SCHEMA: RouteSchema = {
  ...common,
  summary: "Create an account",
  description:
    "A new account on the `free` plan unless `plan` says otherwise, with no credits and no keys. With a `password` it can also sign in to the dashboard. An email already taken answers 409 `conflict`. Recorded in the account's audit log as `account.created`.",
  operationId: "createAccount",
  body: AccountCreateRequest,
  response: { 201: jsonResponse(Account, "The new account, with its `id`."), ...errors(["conflict"]) },
};

export const LIST_ACCOUNTS_SCHEMA: RouteSchema = {
  ...common,
  summary: "List accounts",
  description: "Every account on the server, oldest first, a page at a time: pass `next_cursor` back as `cursor` for the next page.",
  operationId: "listAccounts",
  querystring: PageQuery(1000, 100),
  response: { 200: jsonResponse(AccountList, "A page of accounts."), ...errors([]) },
};

export const GET_ACCOUNT_SCHEMA: RouteSchema = {
  ...common,
  summary: "Get an account",
  description: "One account with its plan, limits, balance and allowlist.",
  operationId: "getAccount",
  params: AccountParams,
  response: { 200: jsonResponse(Account, "The account."), ...errors(["account_not_found"]) },
};

export const UPDATE_ACCOUNT_SCHEMA: RouteSchema = {
  ...common,
  summary: "Change an account",
  description: [
    "Changes the plan, the account's own rate limits, its IP allowlist or its low-balance threshold; a member left out stays as it is. Changes apply to the account's keys' very next request, on every instance.",
    "",
    "Each change is recorded in the audit log (`account.plan_changed`, `account.limits_changed`, `account.allowlist_changed`, `account.low_balance_threshold_changed`).",
  ].join("\n"),
  operationId: "updateAccount",
  params: AccountParams,
  body: AccountUpdateRequest,
  response: { 200: jsonResponse(Account, "The account as changed."), ...errors(["account_not_found", "plan_required"]) },
};

export const GRANT_CREDITS_SCHEMA: RouteSchema = {
  ...common,
  summary: "Grant or debit credits",
  description: [
    "Adds `amount_micros` to the account's balance, or takes it away when negative. A debit larger than the balance is refused with 409 `debit_exceeds_balance` (the message says the most that can be debited) unless `allow_negative` is true.",
    "",
    "Recorded in the ledger and in the audit log as `credits.granted`.",
  ].join("\n"),
  operationId: "grantCredits",
  params: AccountParams,
  body: CreditGrantRequest,
  response: { 200: jsonResponse(CreditGrant, "The grant and the balance after it."), ...errors(["account_not_found", "debit_exceeds_balance"]) },
};
