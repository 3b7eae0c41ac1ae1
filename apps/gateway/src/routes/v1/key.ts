import type { KeyInfoJson } from "@bentoo/api-types";
import { effectiveLimits, MICROS_PER_USD } from "@bentoo/core";
import type { FastifyInstance } from "fastify";
import { iso, isoOrNull } from "../../http/presenters.js";
import type { Services } from "../../services.js";

/** GET /v1/key — what the calling key is, its account's plan, limits and credits (like OpenRouter's /api/v1/key). */
export function keyIntrospectionRoute(app: FastifyInstance, services: Services): void {
  app.get<{ Reply: KeyInfoJson }>("/v1/key", async (request) => {
    const { key, account: cached } = request.subject!;
    // The balance moves with every request; read it fresh rather than from the auth cache.
    const account = (await services.storage.accounts.get(cached.id)) ?? cached;
    const limits = effectiveLimits(account, services.plans);
    return {
      id: key.id,
      object: "api_key",
      key_id: key.last4,
      name: key.name,
      mode: key.mode,
      account: { id: account.id, plan: account.plan },
      rate_limits: {
        requests_per_minute: limits.requestsPerMinute,
        tokens_per_minute: limits.tokensPerMinute,
      },
      credits: { balance_micros: account.balanceMicros, balance_usd: account.balanceMicros / MICROS_PER_USD, spends: key.mode === "live" },
      created_at: iso(key.createdAt),
      expires_at: isoOrNull(key.expiresAt),
    } satisfies KeyInfoJson;
  });
}
