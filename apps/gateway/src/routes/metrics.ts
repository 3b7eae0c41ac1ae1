import { BentooError, secretsEqual } from "@bentoo/core";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { Services } from "../services.js";

function isLoopback(ip: string): boolean {
  return ip === "::1" || ip.startsWith("127.") || ip.startsWith("::ffff:127.");
}

/**
 * GET /metrics for Prometheus. Open to loopback scrapers; from elsewhere it needs
 * the operator token (Prometheus sends it with `authorization: {credentials: …}`).
 * "Loopback" is the client's address as every other check reads it (request.ip):
 * behind a trusted proxy on the same host, a request forwarded for a remote
 * client is a remote request.
 */
export function metricsRoute(app: FastifyInstance, services: Services): void {
  const allowed = (request: FastifyRequest) => {
    if (isLoopback(request.ip)) return true;
    const token = services.config.adminToken;
    const header = request.headers.authorization ?? "";
    return token !== null && header.toLowerCase().startsWith("bearer ") && secretsEqual(header.slice(7).trim(), token);
  };
  app.get("/metrics", async (request, reply) => {
    if (!allowed(request))
      throw new BentooError("invalid_admin_token", 'Metrics are served to loopback scrapers, or with "Authorization: Bearer $BENTOO_ADMIN_TOKEN".');
    return reply.header("content-type", services.metrics.registry.contentType).send(await services.metrics.registry.metrics());
  });
}
