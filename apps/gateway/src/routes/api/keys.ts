import type { ApiKeyJson, DashboardKeyJson, IssuedKeyJson, ListJson, RolledKeyJson } from "@bentoo/api-types";
import { type ApiKeyRecord, BentooError, type GracePeriod, requireBodyObject, requireStrictBody } from "@bentoo/core";
import type { FastifyInstance } from "fastify";
import { keySpend } from "../../credits/key-spend.js";
import { actionContext } from "../../http/action-context.js";
import { pageLimit } from "../../http/page-limit.js";
import { isoOrNull, presentIssuedKey, presentKey, presentRolledKey } from "../../http/presenters.js";
import type { Services } from "../../services.js";
import { parseGrace, parseKeyChanges, parseNewKey } from "../key-bodies.js";

/** The grace periods the dashboard offers when rolling a key. */
const GRACE_CHOICES: Record<string, GracePeriod> = { none: 0, "1h": 3600, "24h": 86_400, "7d": 604_800, until_revoked: null };

function graceOf(body: Record<string, unknown>): GracePeriod {
  if (body.grace === undefined) return parseGrace(body);
  const choice = typeof body.grace === "string" ? GRACE_CHOICES[body.grace] : undefined;
  if (choice === undefined) throw new BentooError("invalid_request", `grace must be one of: ${Object.keys(GRACE_CHOICES).join(", ")}.`, { param: "grace" });
  return choice;
}

/** Keys with their recent traffic (the rotation signal: old key's requests falling to zero) and what their spend caps counted. */
async function withActivity(services: Services, accountId: string, keys: ApiKeyRecord[]): Promise<DashboardKeyJson[]> {
  const now = services.now();
  const [activityList, spends] = await Promise.all([
    services.keyActivity(
      accountId,
      keys.map((key) => key.id),
    ),
    Promise.all(keys.map((key) => keySpend(services.storage.keys, key, now))),
  ]);
  const activity = new Map(activityList.map((entry) => [entry.apiKeyId, entry]));
  return keys.map((key, index): DashboardKeyJson => {
    const entry = activity.get(key.id);
    return {
      ...presentKey(key, now),
      last_used_at: isoOrNull(entry?.lastUsedAt ?? null),
      requests_last_hour: entry?.requestsLastHour ?? 0,
      requests_last_24h: entry?.requestsLast24h ?? 0,
      spend: spends[index] ?? null,
    };
  });
}

/** Settings → API Keys: the key lifecycle for the signed-in account only. */
export function keyRoutes(app: FastifyInstance, services: Services): void {
  app.get<{ Querystring: Record<string, unknown>; Reply: ListJson<DashboardKeyJson> }>("/api/keys", async (request) => {
    const account = request.dashboard!.account;
    const limit = pageLimit(request.query, 200, 50);
    const page = await services.storage.keys.listByAccount(account.id, {
      limit,
      cursor: typeof request.query.cursor === "string" ? request.query.cursor : null,
    });
    return {
      object: "list",
      data: await withActivity(services, account.id, page.items),
      has_more: page.nextCursor !== null,
      next_cursor: page.nextCursor,
    } satisfies ListJson<DashboardKeyJson>;
  });

  app.post<{ Reply: IssuedKeyJson }>("/api/keys", async (request, reply) => {
    const account = request.dashboard!.account;
    const input = parseNewKey(requireBodyObject(request.body), services.catalog);
    const issued = await services.keys.create(account, input, { context: actionContext(request) });
    return reply.code(201).send(presentIssuedKey(issued.record, issued.secret, services.now()));
  });

  app.get<{ Params: { id: string }; Reply: DashboardKeyJson }>("/api/keys/:id", async (request) => {
    const account = request.dashboard!.account;
    const key = await services.keys.requireKey(request.params.id, account.id);
    const [presented] = await withActivity(services, account.id, [key]);
    return presented!;
  });

  app.patch<{ Params: { id: string }; Reply: ApiKeyJson }>("/api/keys/:id", async (request) => {
    const account = request.dashboard!.account;
    const changes = parseKeyChanges(requireBodyObject(request.body), services.catalog);
    return presentKey(await services.keys.update(request.params.id, changes, account.id, actionContext(request)), services.now());
  });

  app.post<{ Params: { id: string }; Reply: RolledKeyJson }>("/api/keys/:id/roll", async (request, reply) => {
    const account = request.dashboard!.account;
    const body = request.body === undefined || request.body === null ? {} : requireStrictBody(request.body, ["grace", "grace_seconds"]);
    const rolled = await services.keys.roll(request.params.id, graceOf(body), account.id, actionContext(request));
    return reply.code(201).send(presentRolledKey(rolled, services.now()));
  });

  app.delete<{ Params: { id: string }; Reply: ApiKeyJson }>("/api/keys/:id", async (request) => {
    const account = request.dashboard!.account;
    return presentKey(await services.keys.revoke(request.params.id, account.id, actionContext(request)), services.now());
  });
}
