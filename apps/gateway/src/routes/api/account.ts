import type { FastifyInstance } from "fastify";
import type { Services } from "../../services.js";
import { presentDashboardAccount } from "./present.js";

/** GET /api/account — the signed-in account, with the CSRF token the dashboard sends back. */
export function accountRoutes(app: FastifyInstance, services: Services): void {
  app.get("/api/account", async (request) => {
    const { account, token } = request.dashboard!;
    return { account: await presentDashboardAccount(services, account), csrf_token: services.sessions.csrfFor(token) };
  });
}
