import type { AccountJson, CreditGrantJson, ListJson } from "@bentoo/api-types";
import {
  type AccountPatch,
  BentooError,
  formatMicros,
  optionalBoolean,
  optionalEnum,
  optionalInteger,
  optionalString,
  optionalStringList,
  PLANS,
  requireStrictBody,
  requireString,
} from "@bentoo/core";
import type { FastifyInstance } from "fastify";
import { actionContext } from "../../http/action-context.js";
import { presentAccount, presentList } from "../../http/presenters.js";
import {
  CREATE_ACCOUNT_SCHEMA,
  GET_ACCOUNT_SCHEMA,
  GRANT_CREDITS_SCHEMA,
  LIST_ACCOUNTS_SCHEMA,
  UPDATE_ACCOUNT_SCHEMA,
} from "../../openapi/schemas/admin-accounts.js";
import type { PageQueryJson } from "../../openapi/schemas/management.js";
import type { Services } from "../../services.js";
import { parseLowBalanceThreshold } from "../webhook-bodies.js";

/** The largest per-minute limit the limiter represents exactly. */
const MAX_LIMIT = 1_000_000_000;

/** The members `PATCH /admin/v1/accounts/{id}` takes. */
const ACCOUNT_PATCH_FIELDS = ["plan", "rpm_limit", "tpm_limit", "ip_allowlist", "low_balance_threshold_micros"];

function parseAccountPatch(body: Record<string, unknown>): AccountPatch {
  const patch: AccountPatch = {};
  const plan = optionalEnum(body, "plan", PLANS);
  if (plan !== undefined) patch.plan = plan;
  if ("rpm_limit" in body) patch.rpmLimit = optionalInteger(body, "rpm_limit", { min: 1, max: MAX_LIMIT }) ?? null;
  if ("tpm_limit" in body) patch.tpmLimit = optionalInteger(body, "tpm_limit", { min: 1, max: MAX_LIMIT }) ?? null;
  const allowlist = optionalStringList(body, "ip_allowlist", { maxItems: 1000 });
  if (allowlist !== undefined) patch.ipAllowlist = allowlist;
  const threshold = parseLowBalanceThreshold(body);
  if (threshold !== undefined) patch.lowBalanceThresholdMicros = threshold;
  return patch;
}

/** Admin API: accounts (PRODUCT.md §7). */
export function adminAccountRoutes(app: FastifyInstance, services: Services): void {
  app.post<{ Reply: AccountJson }>("/admin/v1/accounts", { schema: CREATE_ACCOUNT_SCHEMA }, async (request, reply) => {
    const body = requireStrictBody(request.body, ["email", "password", "plan"]);
    const email = requireString(body, "email", { maxLength: 320 });
    const password = optionalString(body, "password", { maxLength: 1024, trim: false });
    if (password !== undefined && password.length < 8)
      throw new BentooError("invalid_request", "password must be at least 8 characters.", { param: "password" });
    const plan = optionalEnum(body, "plan", PLANS);
    const passwordHash = password === undefined ? null : await services.passwords.hash(password, "high");
    const account = await services.accounts.create({ email, passwordHash, ...(plan === undefined ? {} : { plan }) }, actionContext(request));
    return reply.code(201).send(presentAccount(account));
  });

  app.get<{ Querystring: PageQueryJson; Reply: ListJson<AccountJson> }>("/admin/v1/accounts", { schema: LIST_ACCOUNTS_SCHEMA }, async (request) => {
    const page = await services.storage.accounts.list({ limit: request.query.limit, cursor: request.query.cursor ?? null });
    return presentList(page, presentAccount);
  });

  app.get<{ Params: { id: string }; Reply: AccountJson }>("/admin/v1/accounts/:id", { schema: GET_ACCOUNT_SCHEMA }, async (request) =>
    presentAccount(await services.accounts.require(request.params.id)),
  );

  app.patch<{ Params: { id: string }; Reply: AccountJson }>("/admin/v1/accounts/:id", { schema: UPDATE_ACCOUNT_SCHEMA }, async (request) => {
    const patch = parseAccountPatch(requireStrictBody(request.body, ACCOUNT_PATCH_FIELDS));
    return presentAccount(await services.accounts.update(request.params.id, patch, actionContext(request)));
  });

  app.post<{ Params: { id: string }; Reply: CreditGrantJson }>("/admin/v1/accounts/:id/credits", { schema: GRANT_CREDITS_SCHEMA }, async (request) => {
    const account = await services.accounts.require(request.params.id);
    const body = requireStrictBody(request.body, ["amount_micros", "allow_negative"]);
    const amount = optionalInteger(body, "amount_micros", { min: -1_000_000_000_000_000, max: 1_000_000_000_000_000 });
    if (amount === undefined || amount === 0)
      throw new BentooError("invalid_request", "amount_micros is required: a non-zero integer of micro-dollars (1 USD = 1000000).", { param: "amount_micros" });
    const allowNegative = optionalBoolean(body, "allow_negative") ?? false;
    // Read from storage just now: charges of requests still in flight are not in it yet.
    const before = account.balanceMicros;
    if (amount < 0 && before + amount < 0 && !allowNegative) {
      throw new BentooError(
        "debit_exceeds_balance",
        `This debit of ${formatMicros(-amount)} is more than the balance of ${account.id}, ${formatMicros(before)}, and would leave ${formatMicros(before + amount)}. Debit at most ${formatMicros(Math.max(0, before))}, or send "allow_negative": true to take the balance below zero (CLI: --allow-negative).`,
        { param: "amount_micros" },
      );
    }
    await services.credits.grant(account.id, amount, actionContext(request));
    const balance = (await services.accounts.require(account.id)).balanceMicros;
    return { object: "credit_grant", account_id: account.id, amount_micros: amount, balance_micros: balance } satisfies CreditGrantJson;
  });
}
