import { BentooError, optionalStringList, requireBodyObject } from "@bentoo/core";
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
    const updated = await services.accounts.update(account.id, { ipAllowlist: allowlist }, actionContext(request));
    return { account: await presentDashboardAccount(services, updated), csrf_token: services.sessions.csrfFor(token) };
  });
}
