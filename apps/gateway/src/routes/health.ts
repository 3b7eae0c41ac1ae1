import type { HealthJson, ReadinessJson } from "@bentoo/api-types";
import type { FastifyInstance } from "fastify";
import { MANAGEMENT_REDIS_TIMEOUT_MS } from "../infra/redis.js";
import { withTimeout } from "../infra/with-timeout.js";
import type { Services } from "../services.js";

/** GET /healthz (the process answers) and GET /readyz (storage and, when configured, Redis reachable: answering within a bound). */
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
      services.redis === null ? Promise.resolve("not_configured" as const) : check(withTimeout(services.redis.client.ping(), MANAGEMENT_REDIS_TIMEOUT_MS)),
    ]);
    const ready = storage === "ok" && redis !== "unreachable";
    return reply.code(ready ? 200 : 503).send({ status: ready ? "ready" : "not_ready", storage, redis });
  });
}
