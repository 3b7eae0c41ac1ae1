import type { ApiKeyJson, IssuedKeyJson, ListJson, RolledKeyJson } from "@bentoo/api-types";
import {
  BentooError,
  type GracePeriod,
  isJsonObject,
  KEY_MODES,
  type KeyChanges,
  optionalEnum,
  optionalInteger,
  optionalStringList,
  requireBodyObject,
  requireString,
} from "@bentoo/core";
import type { FastifyInstance } from "fastify";
import { actionContext } from "../../http/action-context.js";
import { pageLimit } from "../../http/page-limit.js";
import { presentIssuedKey, presentKey, presentList, presentRolledKey } from "../../http/presenters.js";
import type { Services } from "../../services.js";

const MAX_GRACE_SECONDS = 30 * 24 * 3600;

export function parseExpiry(body: Record<string, unknown>): number | null {
  const value = body.expires_at;
  if (value === undefined || value === null) return null;
  const at = typeof value === "string" ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(at))
    throw new BentooError("invalid_request", "expires_at must be an RFC 3339 timestamp such as 2027-01-31T00:00:00Z.", { param: "expires_at" });
  return at;
}

/** `{name?, ip_allowlist?}`, shared by the admin and the dashboard API. */
export function parseKeyChanges(body: Record<string, unknown>): KeyChanges {
  const changes: KeyChanges = {};
  if ("name" in body) changes.name = requireString(body, "name", { maxLength: 200 });
  const allowlist = optionalStringList(body, "ip_allowlist", { maxItems: 1000 });
  if (allowlist !== undefined) changes.ipAllowlist = allowlist;
  return changes;
}

export function parseGrace(body: Record<string, unknown>): GracePeriod {
  if (body.grace_seconds === null) return null;
  return optionalInteger(body, "grace_seconds", { min: 0, max: MAX_GRACE_SECONDS }) ?? 0;
}

/** Admin API: an account's keys (PRODUCT.md §7). */
export function adminKeyRoutes(app: FastifyInstance, services: Services): void {
  app.post<{ Params: { id: string }; Reply: IssuedKeyJson }>("/admin/v1/accounts/:id/keys", async (request, reply) => {
    const account = await services.accounts.require(request.params.id);
    const body = requireBodyObject(request.body);
    const name = requireString(body, "name", { maxLength: 200 });
    const mode = optionalEnum(body, "mode", KEY_MODES) ?? "live";
    const issued = await services.keys.create(account, { name, mode, expiresAt: parseExpiry(body) }, { context: actionContext(request) });
    return reply.code(201).send(presentIssuedKey(issued.record, issued.secret, services.now()));
  });

  app.get<{ Params: { id: string }; Querystring: Record<string, unknown>; Reply: ListJson<ApiKeyJson> }>("/admin/v1/accounts/:id/keys", async (request) => {
    const account = await services.accounts.require(request.params.id);
    const limit = pageLimit(request.query, 1000);
    const page = await services.storage.keys.listByAccount(account.id, {
      limit,
      cursor: typeof request.query.cursor === "string" ? request.query.cursor : null,
    });
    const now = services.now();
    return presentList(page, (key) => presentKey(key, now));
  });

  app.get<{ Params: { id: string }; Reply: ApiKeyJson }>("/admin/v1/keys/:id", async (request) =>
    presentKey(await services.keys.requireKey(request.params.id), services.now()),
  );

  app.patch<{ Params: { id: string }; Reply: ApiKeyJson }>("/admin/v1/keys/:id", async (request) => {
    const changes = parseKeyChanges(requireBodyObject(request.body));
    return presentKey(await services.keys.update(request.params.id, changes, undefined, actionContext(request)), services.now());
  });

  app.post<{ Params: { id: string }; Reply: RolledKeyJson }>("/admin/v1/keys/:id/roll", async (request, reply) => {
    const body = request.body === undefined || request.body === null ? {} : requireBodyObject(request.body);
    if (!isJsonObject(body)) throw new BentooError("invalid_request", "The body must be a JSON object.");
    const rolled = await services.keys.roll(request.params.id, parseGrace(body), undefined, actionContext(request));
    return reply.code(201).send(presentRolledKey(rolled, services.now()));
  });

  app.delete<{ Params: { id: string }; Reply: ApiKeyJson }>("/admin/v1/keys/:id", async (request) =>
    presentKey(await services.keys.revoke(request.params.id, undefined, actionContext(request)), services.now()),
  );
}
