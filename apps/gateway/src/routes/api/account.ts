import { BentooError, managementEvent, normalizeAllowlist, optionalStringList, requireBodyObject } from "@bentoo/core";
import type { FastifyInstance } from "fastify";
import { actionContext } from "../../http/action-context.js";
import type { Services } from "../../services.js";
import { presentDashboardAccount } from "./present.js";

/** GET /api/account — the signed-in account, with the CSRF token the dashboard sends back. */
export function accountRoutes(app: FastifyInstance, services: Services): void {
  app.get("/api/account", async (request) => {
    const { account, token } = request.dashboard!;
    return { account: await presentDashboardAccount(services, account), csrf_token: services.sessions.csrfFor(token) };
  });

  /** PATCH /api/account {ip_allowlist} — the account-wide allowlist (Enterprise); null or [] clears it. */
  app.patch("/api/account", async (request) => {
    const { account, token } = request.dashboard!;
    const body = requireBodyObject(request.body);
    const allowlist = optionalStringList(body, "ip_allowlist", { maxItems: 1000 });
    if (allowlist === undefined) throw new BentooError("invalid_request", "ip_allowlist is required: a list of IP addresses and CIDR blocks, or null to remove the allowlist.", { param: "ip_allowlist" });
    if (allowlist !== null && allowlist.length > 0 && !services.plans[account.plan].ipAllowlist) {
      throw new BentooError("plan_required", "IP allowlists are an Enterprise feature; contact your operator to upgrade.", { param: "ip_allowlist" });
    }
    const ipAllowlist = normalizeAllowlist(allowlist);
    const event = managementEvent("account.allowlist_changed", actionContext(request), { accountId: account.id, metadata: { ip_allowlist: ipAllowlist } }, services.now());
    const updated = await services.storage.accounts.update(account.id, { ipAllowlist }, [event]);
    if (updated === null) throw new BentooError("invalid_session", "This session's account no longer exists; sign in again.");
    // Cached keys carry a snapshot of the account: the next request must see the new list.
    await services.invalidation.accountChanged(account.id);
    return { account: await presentDashboardAccount(services, updated), csrf_token: services.sessions.csrfFor(token) };
  });
}
