import type { SessionJson } from "@bentoo/api-types";
import { BentooError, optionalStringList, requireStrictBody } from "@bentoo/core";
import type { FastifyInstance } from "fastify";
import { actionContext } from "../../http/action-context.js";
import type { Services } from "../../services.js";
import { presentSession } from "./present.js";

/** GET /api/account — the signed-in account, with the CSRF token the dashboard sends back. */
export function accountRoutes(app: FastifyInstance, services: Services): void {
  app.get<{ Reply: SessionJson }>("/api/account", async (request) => {
    const { account, token } = request.dashboard!;
    return presentSession(services, account, services.sessions.csrfFor(token));
  });

  /** PATCH /api/account {ip_allowlist} — the account-wide allowlist (Enterprise); null or [] clears it. */
  app.patch<{ Reply: SessionJson }>("/api/account", async (request) => {
    const { account, token } = request.dashboard!;
    const body = requireStrictBody(request.body, ["ip_allowlist"]);
    const allowlist = optionalStringList(body, "ip_allowlist", { maxItems: 1000 });
    if (allowlist === undefined)
      throw new BentooError("invalid_request", "ip_allowlist is required: a list of IP addresses and CIDR blocks, or null to remove the allowlist.", {
        param: "ip_allowlist",
      });
    const updated = await services.accounts.update(account.id, { ipAllowlist: allowlist }, actionContext(request));
    return presentSession(services, updated, services.sessions.csrfFor(token));
  });
}
