import type { ApiKeyJson, IssuedKeyJson, ListJson, RolledKeyJson } from "@bentoo/api-types";
import { requireBodyObject, requireStrictBody } from "@bentoo/core";
import type { FastifyInstance } from "fastify";
import { actionContext } from "../../http/action-context.js";
import { pageLimit } from "../../http/page-limit.js";
import { presentIssuedKey, presentKey, presentList, presentRolledKey } from "../../http/presenters.js";
import type { Services } from "../../services.js";
import { parseGrace, parseKeyChanges, parseNewKey } from "../key-bodies.js";

/** Admin API: an account's keys (PRODUCT.md §7). */
export function adminKeyRoutes(app: FastifyInstance, services: Services): void {
  app.post<{ Params: { id: string }; Reply: IssuedKeyJson }>("/admin/v1/accounts/:id/keys", async (request, reply) => {
    const account = await services.accounts.require(request.params.id);
    const input = parseNewKey(requireBodyObject(request.body), services.catalog);
    const issued = await services.keys.create(account, input, { context: actionContext(request) });
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
    const changes = parseKeyChanges(requireBodyObject(request.body), services.catalog);
    return presentKey(await services.keys.update(request.params.id, changes, undefined, actionContext(request)), services.now());
  });

  app.post<{ Params: { id: string }; Reply: RolledKeyJson }>("/admin/v1/keys/:id/roll", async (request, reply) => {
    const body = request.body === undefined || request.body === null ? {} : requireStrictBody(request.body, ["grace_seconds"]);
    const rolled = await services.keys.roll(request.params.id, parseGrace(body), undefined, actionContext(request));
    return reply.code(201).send(presentRolledKey(rolled, services.now()));
  });

  app.delete<{ Params: { id: string }; Reply: ApiKeyJson }>("/admin/v1/keys/:id", async (request) =>
    presentKey(await services.keys.revoke(request.params.id, undefined, actionContext(request)), services.now()),
  );
}
