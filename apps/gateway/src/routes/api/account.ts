import type { SessionJson } from "@bentoo/api-types";
import { type AccountPatch, BentooError, optionalStringList, rejectUnknownMembers, requireBodyObject } from "@bentoo/core";
import type { FastifyInstance } from "fastify";
import { actionContext } from "../../http/action-context.js";
import type { Services } from "../../services.js";
import { parseLowBalanceThreshold } from "../webhook-bodies.js";
import { presentSession } from "./present.js";

/** What an account holder may change about the account. */
const ACCOUNT_SETTINGS = ["ip_allowlist", "low_balance_threshold_micros"];

/** GET /api/account — the signed-in account, with the CSRF token the dashboard sends back. */
export function accountRoutes(app: FastifyInstance, services: Services): void {
  app.get<{ Reply: SessionJson }>("/api/account", async (request) => {
    const { account, token } = request.dashboard!;
    return presentSession(services, account, services.sessions.csrfFor(token));
  });

  /**
   * PATCH /api/account {ip_allowlist?, low_balance_threshold_micros?} — the account-wide
   * allowlist (Enterprise; null or [] clears it) and the low-balance threshold (null = none).
   */
  app.patch<{ Reply: SessionJson }>("/api/account", async (request) => {
    const { account, token } = request.dashboard!;
    const body = requireBodyObject(request.body);
    rejectUnknownMembers(body, ACCOUNT_SETTINGS);
    const patch: AccountPatch = {};
    const allowlist = optionalStringList(body, "ip_allowlist", { maxItems: 1000 });
    if (allowlist !== undefined) patch.ipAllowlist = allowlist;
    const threshold = parseLowBalanceThreshold(body);
    if (threshold !== undefined) patch.lowBalanceThresholdMicros = threshold;
    if (Object.keys(patch).length === 0)
      throw new BentooError(
        "invalid_request",
        "Send ip_allowlist (a list of IP addresses and CIDR blocks, or null to remove the allowlist) or low_balance_threshold_micros (micro-dollars, or null for no alert).",
        { param: "ip_allowlist" },
      );
    const updated = await services.accounts.update(account.id, patch, actionContext(request));
    return presentSession(services, updated, services.sessions.csrfFor(token));
  });
}
