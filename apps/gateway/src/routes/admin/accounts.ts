import {
  BentooError,
  PLANS,
  isId,
  normalizeAllowlist,
  optionalEnum,
  optionalInteger,
  optionalString,
  optionalStringList,
  requireBodyObject,
  requireString,
  type Account,
  type AccountPatch,
  type AuditRecord,
  managementEvent,
  type Plan,
} from "@bentoo/core";
import type { FastifyInstance } from "fastify";
import { hashPassword } from "../../auth/password.js";
import { presentAccount } from "../../http/presenters.js";
import { actionContext } from "../../http/action-context.js";
import { pageLimit } from "../../http/page-limit.js";
import type { Services } from "../../services.js";

const EMAIL = /^[^\s@]+@[^\s@]+$/;
/** The largest per-minute limit the limiter represents exactly. */
const MAX_LIMIT = 1_000_000_000;

export async function requireAccount(services: Services, id: string): Promise<Account> {
  const account = isId("account", id) ? await services.storage.accounts.get(id) : null;
  if (account === null) throw new BentooError("account_not_found", `No account with id ${id} exists.`, { param: "id" });
  return account;
}


/** Admin API: accounts (PRODUCT.md §7). */
export function adminAccountRoutes(app: FastifyInstance, services: Services): void {
  app.post("/admin/v1/accounts", async (request, reply) => {
    const body = requireBodyObject(request.body);
    const email = requireString(body, "email", { maxLength: 320 }).toLowerCase();
    if (!EMAIL.test(email)) throw new BentooError("invalid_request", "email must be an email address.", { param: "email" });
    const password = optionalString(body, "password", { maxLength: 1024, trim: false });
    if (password !== undefined && password.length < 8) throw new BentooError("invalid_request", "password must be at least 8 characters.", { param: "password" });
    const plan: Plan = optionalEnum(body, "plan", PLANS) ?? "free";
    if ((await services.storage.accounts.getByEmail(email)) !== null) {
      throw new BentooError("conflict", `An account with the email ${email} already exists.`, { param: "email" });
    }
    const account = await services.storage.accounts.create({ email, plan, passwordHash: password === undefined ? null : await hashPassword(password) });
    await services.storage.records.write({ audit: [managementEvent("account.created", actionContext(request), { accountId: account.id, metadata: { plan } }, services.now())], ledger: [] });
    return reply.code(201).send(presentAccount(account));
  });

  app.get<{ Querystring: Record<string, unknown> }>("/admin/v1/accounts", async (request) => {
    const page = await services.storage.accounts.list({ limit: pageLimit(request.query, 1000), cursor: typeof request.query.cursor === "string" ? request.query.cursor : null });
    return { object: "list", data: page.items.map(presentAccount), has_more: page.nextCursor !== null, next_cursor: page.nextCursor };
  });

  app.get<{ Params: { id: string } }>("/admin/v1/accounts/:id", async (request) => presentAccount(await requireAccount(services, request.params.id)));

  app.patch<{ Params: { id: string } }>("/admin/v1/accounts/:id", async (request) => {
    const account = await requireAccount(services, request.params.id);
    const body = requireBodyObject(request.body);
    const patch: AccountPatch = {};
    const plan = optionalEnum(body, "plan", PLANS);
    if (plan !== undefined) patch.plan = plan;
    if ("rpm_limit" in body) patch.rpmLimit = optionalInteger(body, "rpm_limit", { min: 1, max: MAX_LIMIT }) ?? null;
    if ("tpm_limit" in body) patch.tpmLimit = optionalInteger(body, "tpm_limit", { min: 1, max: MAX_LIMIT }) ?? null;
    const allowlist = optionalStringList(body, "ip_allowlist", { maxItems: 1000 });
    if (allowlist !== undefined) {
      if (allowlist !== null && allowlist.length > 0 && !services.plans[plan ?? account.plan].ipAllowlist) {
        throw new BentooError("plan_required", "IP allowlists need the Enterprise plan; set plan to \"enterprise\" first.", { param: "ip_allowlist" });
      }
      patch.ipAllowlist = normalizeAllowlist(allowlist);
    }
    const context = actionContext(request);
    const at = services.now();
    const events: AuditRecord[] = [];
    if (patch.plan !== undefined && patch.plan !== account.plan) events.push(managementEvent("account.plan_changed", context, { accountId: account.id, metadata: { from: account.plan, to: patch.plan } }, at));
    if (patch.rpmLimit !== undefined || patch.tpmLimit !== undefined) events.push(managementEvent("account.limits_changed", context, { accountId: account.id, metadata: { rpm_limit: patch.rpmLimit, tpm_limit: patch.tpmLimit } }, at));
    if (patch.ipAllowlist !== undefined) events.push(managementEvent("account.allowlist_changed", context, { accountId: account.id, metadata: { ip_allowlist: patch.ipAllowlist } }, at));
    const updated = await services.storage.accounts.update(account.id, patch, events);
    if (updated === null) throw new BentooError("account_not_found", `No account with id ${account.id} exists.`, { param: "id" });
    await services.invalidation.accountChanged(account.id);
    return presentAccount(updated);
  });

  app.post<{ Params: { id: string } }>("/admin/v1/accounts/:id/credits", async (request) => {
    const account = await requireAccount(services, request.params.id);
    const body = requireBodyObject(request.body);
    const amount = optionalInteger(body, "amount_micros", { min: -1_000_000_000_000_000, max: 1_000_000_000_000_000 });
    if (amount === undefined || amount === 0) throw new BentooError("invalid_request", "amount_micros is required: a non-zero integer of micro-dollars (1 USD = 1000000).", { param: "amount_micros" });
    await services.credits.grant(account.id, amount, actionContext(request));
    const balance = (await services.storage.accounts.get(account.id))?.balanceMicros ?? null;
    return { object: "credit_grant", account_id: account.id, amount_micros: amount, balance_micros: balance };
  });
}
