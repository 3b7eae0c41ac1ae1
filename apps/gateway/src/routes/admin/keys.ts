import type { ApiKeyJson, IssuedKeyJson, ListJson, RolledKeyJson } from "@bentoo/api-types";
import { requireBodyObject, requireStrictBody } from "@bentoo/core";
import type { FastifyInstance } from "fastify";
import { actionContext } from "../../http/action-context.js";
import { presentIssuedKey, presentKey, presentList, presentRolledKey } from "../../http/presenters.js";
import {
  CREATE_KEY_SCHEMA,
  GET_KEY_SCHEMA,
  LIST_KEYS_SCHEMA,
  REVOKE_KEY_SCHEMA,
  ROLL_KEY_SCHEMA,
  UPDATE_KEY_SCHEMA,
} from "../../openapi/schemas/admin-keys.js";
import type { PageQueryJson } from "../../openapi/schemas/management.js";
import type { Services } from "../../services.js";
import { parseGrace, parseKeyChanges, parseNewKey } from "../key-bodies.js";

/** Admin API: an account's keys (PRODUCT.md §7). */
export function adminKeyRoutes(app: FastifyInstance, services: Services): void {
  app.post<{ Params: { id: string }; Reply: IssuedKeyJson }>("/admin/v1/accounts/:id/keys", { schema: CREATE_KEY_SCHEMA }, async (request, reply) => {
    const account = await services.accounts.require(request.params.id);
    const input = parseNewKey(requireBodyObject(request.body), services.catalog);
    const issued = await services.keys.create(account, input, { context: actionContext(request) });
    return reply.code(201).send(presentIssuedKey(issued.record, issued.secret, services.now()));
  });

  app.get<{ Params: { id: string }; Querystring: PageQueryJson; Reply: ListJson<ApiKeyJson> }>(
    "/admin/v1/accounts/:id/keys",
    { schema: LIST_KEYS_SCHEMA },
    async (request) => {
      const account = await services.accounts.require(request.params.id);
      const page = await services.storage.keys.listByAccount(account.id, { limit: request.query.limit, cursor: request.query.cursor ?? null });
      const now = services.now();
      return presentList(page, (key) => presentKey(key, now));
    },
  );

  app.get<{ Params: { id: string }; Reply: ApiKeyJson }>("/admin/v1/keys/:id", { schema: GET_KEY_SCHEMA }, async (request) =>
    presentKey(await services.keys.requireKey(request.params.id), services.now()),
  );

  app.patch<{ Params: { id: string }; Reply: ApiKeyJson }>("/admin/v1/keys/:id", { schema: UPDATE_KEY_SCHEMA }, async (request) => {
    const changes = parseKeyChanges(requireBodyObject(request.body), services.catalog);
    return presentKey(await services.keys.update(request.params.id, changes, undefined, actionContext(request)), services.now());
  });

  app.post<{ Params: { id: string }; Reply: RolledKeyJson }>("/admin/v1/keys/:id/roll", { schema: ROLL_KEY_SCHEMA }, async (request, reply) => {
    const body = request.body === undefined || request.body === null ? {} : requireStrictBody(request.body, ["grace_seconds"]);
    const rolled = await services.keys.roll(request.params.id, parseGrace(body), undefined, actionContext(request));
    return reply.code(201).send(presentRolledKey(rolled, services.now()));
  });

  app.delete<{ Params: { id: string }; Reply: ApiKeyJson }>("/admin/v1/keys/:id", { schema: REVOKE_KEY_SCHEMA }, async (request) =>
    presentKey(await services.keys.revoke(request.params.id, undefined, actionContext(request)), services.now()),
  );
}
