import type { FastifyInstance } from "fastify";
import type { Services } from "../services.js";

/** GET /healthz (the process answers) and GET /readyz (storage reachable). */
export function healthRoutes(app: FastifyInstance, services: Services): void {
  app.get("/healthz", async () => ({ status: "ok" }));
  app.get("/readyz", async (_request, reply) => {
    try {
      await services.storage.ping();
      return { status: "ready", storage: "ok" };
    } catch {
      return reply.code(503).send({ status: "not_ready", storage: "unreachable" });
    }
  });
}
