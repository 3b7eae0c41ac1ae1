import type { KeyInfoJson } from "@bentoo/api-types";
import { effectiveLimits, MICROS_PER_USD } from "@bentoo/core";
import type { FastifyInstance } from "fastify";
import { keySpend } from "../../credits/key-spend.js";
import { iso, isoOrNull, presentSpendCap } from "../../http/presenters.js";
import { KEY_INFO_SCHEMA } from "../../openapi/schemas/key-info.js";
import type { Services } from "../../services.js";

const lower = (account: number, key: number | null): number => (key === null ? account : Math.min(account, key));

/**
 * GET /v1/key — what the calling key is and may do: its account's plan, the
 * limits that apply to it, its scopes, models and spend cap with what the cap
 * counted this period, and its account's credits (like OpenRouter's /api/v1/key).
 */
export function keyIntrospectionRoute(app: FastifyInstance, services: Services): void {
  app.get<{ Reply: KeyInfoJson }>("/v1/key", { config: { scope: "key:read" }, schema: KEY_INFO_SCHEMA }, async (request) => {
    const { key, account: cached } = request.subject!;
    // The balance moves with every request; read it fresh rather than from the auth cache.
    const [fresh, spend] = await Promise.all([services.storage.accounts.get(cached.id), keySpend(services.storage.keys, key, services.now())]);
    const account = fresh ?? cached;
    const limits = effectiveLimits(account, services.plans);
    const cap = presentSpendCap(key.spendCap);
    return {
      id: key.id,
      object: "api_key",
      key_id: key.last4,
      name: key.name,
      mode: key.mode,
      account: { id: account.id, plan: account.plan },
      rate_limits: {
        requests_per_minute: lower(limits.requestsPerMinute, key.rpmLimit),
        tokens_per_minute: lower(limits.tokensPerMinute, key.tpmLimit),
      },
      key_rate_limits: { requests_per_minute: key.rpmLimit, tokens_per_minute: key.tpmLimit },
      credits: { balance_micros: account.balanceMicros, balance_usd: account.balanceMicros / MICROS_PER_USD, spends: key.mode === "live" },
      scopes: [...key.scopes],
      models: key.models === null ? null : [...key.models],
      spend_cap: cap === null || spend === null ? null : { ...cap, ...spend },
      created_at: iso(key.createdAt),
      expires_at: isoOrNull(key.expiresAt),
    } satisfies KeyInfoJson;
  });
}
