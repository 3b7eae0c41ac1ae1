import type { HealthJson, ReadinessJson } from "@bentoo/api-types";
import type { FastifyInstance } from "fastify";
import type { Services } from "../services.js";

/** GET /healthz (the process answers) and GET /readyz (storage and, when configured, Redis reachable). */
export function healthRoutes(app: FastifyInstance, services: Services): void {
  app.get<{ Reply: HealthJson }>("/healthz", async () => ({ status: "ok" }));
  app.get<{ Reply: ReadinessJson }>("/readyz", async (_request, reply) => {
    const check = (probe: Promise<unknown>) =>
      probe.then(
        () => "ok" as const,
        () => "unreachable" as const,
      );
    const [storage, redis] = await Promise.all([
      check(services.storage.ping()),
      services.redis === null ? Promise.resolve("not_configured" as const) : check(services.redis.client.ping()),
    ]);
    const ready = storage === "ok" && redis !== "unreachable";
    return reply.code(ready ? 200 : 503).send({ status: ready ? "ready" : "not_ready", storage, redis });
  });
}
