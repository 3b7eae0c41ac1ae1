import type { DeletedWebhookEndpointJson, ListJson, WebhookDeliveryJson, WebhookEndpointJson, WebhookEndpointWithSecretJson } from "@bentoo/api-types";
import { rejectUnknownMembers, requireBodyObject } from "@bentoo/core";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { actionContext } from "../http/action-context.js";
import { presentList } from "../http/presenters.js";
import { presentWebhookDelivery, presentWebhookEndpoint, presentWebhookEndpointWithSecret } from "../http/webhook-presenters.js";
import type { PageQueryJson } from "../openapi/schemas/management.js";
import { webhookRouteSchemas } from "../openapi/schemas/webhooks.js";
import type { Services } from "../services.js";
import { parseEndpointCreate, parseEndpointPatch, parseSecretRoll } from "./webhook-bodies.js";

/** A body that may be left out (a POST with nothing to say) reads as `{}`. */
function optionalBody(body: unknown) {
  return body === undefined || body === null ? {} : requireBodyObject(body);
}

/**
 * Webhook endpoints and their delivery logs under `base`: the dashboard's
 * `/api/webhooks` (the signed-in account) and the admin API's
 * `/admin/v1/accounts/:id/webhooks` (the account in the path). `accountOf`
 * names the account a request acts on; the service answers 404 for another
 * account's endpoint.
 */
export function webhookRoutes(app: FastifyInstance, services: Services, base: string, accountOf: (request: FastifyRequest) => Promise<string>): void {
  const endpoint = `${base}/:webhook_id`;
  const schemas = webhookRouteSchemas(base);

  app.get<{ Reply: ListJson<WebhookEndpointJson> }>(base, { schema: schemas.list }, async (request) => {
    const endpoints = await services.webhooks.list(await accountOf(request));
    const now = services.now();
    return { object: "list", data: endpoints.map((item) => presentWebhookEndpoint(item, now)), has_more: false, next_cursor: null };
  });

  app.post<{ Reply: WebhookEndpointWithSecretJson }>(base, { schema: schemas.create }, async (request, reply) => {
    const accountId = await accountOf(request);
    const input = parseEndpointCreate(requireBodyObject(request.body));
    const created = await services.webhooks.create(accountId, input, actionContext(request));
    return reply.code(201).send(presentWebhookEndpointWithSecret(created, services.now()));
  });

  app.get<{ Params: Record<string, string>; Reply: WebhookEndpointJson }>(endpoint, { schema: schemas.get }, async (request) => {
    const found = await services.webhooks.require(await accountOf(request), request.params.webhook_id!);
    return presentWebhookEndpoint(found, services.now());
  });

  app.patch<{ Params: Record<string, string>; Reply: WebhookEndpointJson }>(endpoint, { schema: schemas.update }, async (request) => {
    const accountId = await accountOf(request);
    const patch = parseEndpointPatch(requireBodyObject(request.body));
    const updated = await services.webhooks.update(accountId, request.params.webhook_id!, patch, actionContext(request));
    return presentWebhookEndpoint(updated, services.now());
  });

  app.delete<{ Params: Record<string, string>; Reply: DeletedWebhookEndpointJson }>(endpoint, { schema: schemas.delete }, async (request) => {
    const deleted = await services.webhooks.delete(await accountOf(request), request.params.webhook_id!, actionContext(request));
    return { id: deleted.id, object: "webhook_endpoint", deleted: true } satisfies DeletedWebhookEndpointJson;
  });

  app.post<{ Params: Record<string, string>; Reply: WebhookEndpointWithSecretJson }>(
    `${endpoint}/roll-secret`,
    { schema: schemas.rollSecret },
    async (request) => {
      const accountId = await accountOf(request);
      const grace = parseSecretRoll(optionalBody(request.body));
      const rolled = await services.webhooks.rollSecret(accountId, request.params.webhook_id!, grace, actionContext(request));
      return presentWebhookEndpointWithSecret(rolled, services.now());
    },
  );

  app.get<{ Params: Record<string, string>; Querystring: PageQueryJson; Reply: ListJson<WebhookDeliveryJson> }>(
    `${endpoint}/deliveries`,
    { schema: schemas.deliveries },
    async (request) => {
      const accountId = await accountOf(request);
      const page = await services.webhooks.deliveries(accountId, request.params.webhook_id!, {
        limit: request.query.limit,
        cursor: request.query.cursor ?? null,
      });
      return presentList(page, presentWebhookDelivery);
    },
  );

  app.post<{ Params: Record<string, string>; Reply: WebhookDeliveryJson }>(
    `${endpoint}/deliveries/:delivery_id/redeliver`,
    { schema: schemas.redeliver },
    async (request, reply) => {
      const accountId = await accountOf(request);
      rejectUnknownMembers(optionalBody(request.body), []);
      const delivery = await services.webhooks.redeliver(accountId, request.params.webhook_id!, request.params.delivery_id!);
      return reply.code(202).send(presentWebhookDelivery(delivery));
    },
  );
}
