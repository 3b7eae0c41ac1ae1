import type { DeletedWebhookEndpointJson, ListJson, WebhookDeliveryJson, WebhookEndpointJson, WebhookEndpointWithSecretJson } from "@bentoo/api-types";
import { type ErrorCode, MAX_SECRET_GRACE_SECONDS, MAX_WEBHOOK_ENDPOINTS, WEBHOOK_EVENT_TYPES } from "@bentoo/core";
import { type Static, type TSchema, Type } from "@sinclair/typebox";
import { ADMIN_SECURITY, COMMON_ADMIN_ERRORS, type Exactly, errorResponses, jsonResponse, Nullable, sameShape } from "../shared.js";
import type { RouteSchema } from "../validation.js";
import { ListOf, PageQuery, StrictObject, StringEnum } from "./management.js";

/**
 * Webhook endpoints and their delivery logs (docs/webhooks.md). The same routes
 * serve the admin API under `/admin/v1/accounts/{id}/webhooks` and the
 * dashboard under `/api/webhooks`, so their schemas are made for a mount point:
 * its path parameters differ.
 */

const EventType = StringEnum(WEBHOOK_EVENT_TYPES);

export const WebhookEndpoint = Type.Object(
  {
    id: Type.String({ description: "The endpoint's id (`we_…`)." }),
    object: Type.Literal("webhook_endpoint"),
    account_id: Type.String(),
    url: Type.String({ description: "Where deliveries are posted." }),
    description: Nullable(Type.String()),
    event_types: Type.Array(EventType, { description: "The events it receives." }),
    enabled: Type.Boolean({ description: "A disabled endpoint gets no deliveries for events raised meanwhile." }),
    previous_secret_expires_at: Nullable(Type.String(), {
      description: "While a rolled secret still signs deliveries (next to the new one), when it stops; null when there is none.",
    }),
    created_at: Type.String({ description: "RFC 3339." }),
    updated_at: Type.String({ description: "RFC 3339." }),
  },
  { title: "WebhookEndpoint", description: "A webhook endpoint, never its signing secret." },
);

export const WebhookEndpointWithSecret = Type.Intersect(
  [WebhookEndpoint, Type.Object({ secret: Type.String({ description: "The signing secret (`whsec_…`): shown this once, never again." }) })],
  { title: "WebhookEndpointWithSecret", description: "A new endpoint, or one whose secret was just rolled, with its signing secret." },
);

export const WebhookDelivery = Type.Object(
  {
    id: Type.String({ description: "The delivery's id (`dlv_…`)." }),
    object: Type.Literal("webhook_delivery"),
    endpoint_id: Type.String(),
    message_id: Type.String({ description: "The `webhook-id` header (`msg_…`): the same on every attempt and redelivery." }),
    event_type: EventType,
    status: StringEnum(["pending", "succeeded", "failed"] as const, {
      description: "`pending`: waiting for (or in) its next attempt; `succeeded` and `failed` are final until a redelivery.",
    }),
    attempts: Type.Integer({ description: "Attempts so far (at most 11 per series)." }),
    last_status_code: Nullable(Type.Integer(), { description: "The HTTP status the endpoint answered last; null when it was not reached." }),
    last_error: Nullable(Type.String(), { description: "Why the latest attempt failed; null after a success." }),
    last_attempt_at: Nullable(Type.String()),
    next_attempt_at: Nullable(Type.String(), { description: "When the next attempt is due; null once final." }),
    created_at: Type.String({ description: "RFC 3339." }),
    payload: Type.String({ description: "The exact JSON body that was signed and sent." }),
  },
  { title: "WebhookDelivery", description: "One event sent to one endpoint, with the outcome of its latest attempt." },
);

export const DeletedWebhookEndpoint = Type.Object(
  { id: Type.String(), object: Type.Literal("webhook_endpoint"), deleted: Type.Literal(true) },
  { title: "DeletedWebhookEndpoint" },
);

export const WebhookEndpointList = ListOf(WebhookEndpoint, "WebhookEndpointList", `The account's endpoints (at most ${MAX_WEBHOOK_ENDPOINTS}), in one page.`);
export const WebhookDeliveryList = ListOf(WebhookDelivery, "WebhookDeliveryList", "A page of an endpoint's delivery log, newest first.");

sameShape<Exactly<Static<typeof WebhookEndpoint>, WebhookEndpointJson>>();
sameShape<Exactly<Static<typeof WebhookEndpointWithSecret>, WebhookEndpointWithSecretJson>>();
sameShape<Exactly<Static<typeof WebhookDelivery>, WebhookDeliveryJson>>();
sameShape<Exactly<Static<typeof DeletedWebhookEndpoint>, DeletedWebhookEndpointJson>>();
sameShape<Exactly<Static<typeof WebhookEndpointList>, ListJson<WebhookEndpointJson>>>();
sameShape<Exactly<Static<typeof WebhookDeliveryList>, ListJson<WebhookDeliveryJson>>>();

const EVENT_TYPES_HINT = `Send a non-empty list of event types: ${WEBHOOK_EVENT_TYPES.join(", ")}.`;

/** The members of a creation; a change takes any of them. Their order is the one the handler's messages list. */
function endpointProperties<U extends TSchema, E extends TSchema, B extends TSchema>(url: U, eventTypes: E, enabled: B) {
  return {
    url,
    description: Type.Optional(Nullable(Type.String(), { description: "A note for people, at most 500 characters; null: none." })),
    event_types: eventTypes,
    enabled: Type.Optional(enabled),
  };
}

const Url = Type.String({
  minLength: 1,
  description:
    'An `https://` URL of at most 2,048 characters, without a user name, password or fragment, whose host resolves only to public addresses (docs/webhooks.md, "Endpoint addresses").',
});

const EventTypes = Type.Array(Type.String(), {
  minItems: 1,
  description: `The events to receive, at least one: ${WEBHOOK_EVENT_TYPES.map((type) => `\`${type}\``).join(", ")}.`,
  "x-error-hint": EVENT_TYPES_HINT,
});

const WebhookEndpointCreateRequest = StrictObject(
  endpointProperties(Url, EventTypes, Nullable(Type.Boolean(), { description: "Whether it gets deliveries; default (absent or null) true." })),
  { title: "WebhookEndpointCreateRequest" },
);

const WebhookEndpointUpdateRequest = StrictObject(
  endpointProperties(Type.Optional(Url), Type.Optional(EventTypes), Type.Boolean({ description: "Whether it gets deliveries." })),
  {
    title: "WebhookEndpointUpdateRequest",
    description: "At least one of the members; one left out stays as it is, `description: null` removes the description.",
  },
);

const WebhookSecretRollRequest = Nullable(
  StrictObject(
    {
      grace_seconds: Type.Optional(
        Nullable(Type.Integer({ minimum: 0, maximum: MAX_SECRET_GRACE_SECONDS }), {
          description: `Seconds the old secret keeps signing deliveries next to the new one, 0 to ${MAX_SECRET_GRACE_SECONDS} (7 days); default (absent or null) 86400.`,
        }),
      ),
    },
    { title: "WebhookSecretRollRequest" },
  ),
  { description: "Optional." },
);

const PATH_PARAMETERS: Record<string, TSchema> = {
  id: Type.String({ description: "The account's id (`acct_…`)." }),
  webhook_id: Type.String({ description: "The endpoint's id (`we_…`)." }),
  delivery_id: Type.String({ description: "The delivery's id (`dlv_…`)." }),
};

/** The path parameters of a route URL (`/admin/v1/accounts/:id/webhooks/:webhook_id` → id, webhook_id). */
function paramsOf(url: string) {
  const names = [...url.matchAll(/:(\w+)/g)].map((match) => match[1]!);
  return Type.Object(Object.fromEntries(names.map((name) => [name, PATH_PARAMETERS[name]!])));
}

/**
 * The schemas of the webhook routes mounted at `base`. On the admin API every
 * route also answers 404 `account_not_found` for an account that does not exist.
 */
export function webhookRouteSchemas(base: string) {
  const endpoint = `${base}/:webhook_id`;
  const accountCodes: ErrorCode[] = base.includes(":id") ? ["account_not_found"] : [];
  const errors = (codes: ErrorCode[]) => errorResponses([...accountCodes, ...codes], { common: COMMON_ADMIN_ERRORS });
  const common = { tags: ["Webhooks"], security: ADMIN_SECURITY };
  const withParams = (url: string) => (url.includes(":") ? { params: paramsOf(url) } : {});
  const schemas = {
    list: {
      ...common,
      ...withParams(base),
      summary: "List webhook endpoints",
      description: `The account's webhook endpoints (at most ${MAX_WEBHOOK_ENDPOINTS}), in one page. Never their secrets.`,
      operationId: "listWebhookEndpoints",
      response: { 200: jsonResponse(WebhookEndpointList, "The endpoints."), ...errors([]) },
    },
    create: {
      ...common,
      ...withParams(base),
      summary: "Register a webhook endpoint",
      description: [
        'Registers an endpoint for the event types it lists; the answer carries its signing secret (`whsec_…`) this once. Deliveries are signed as Standard Webhooks specifies (docs/webhooks.md, "Verifying a delivery").',
        "",
        `The URL is checked now (400 naming the reason, e.g. an address that is loopback or private) and again at every connection. An account holds at most ${MAX_WEBHOOK_ENDPOINTS} endpoints: the next is refused with 403 \`webhook_limit_reached\`. Recorded in the audit log as \`webhook.created\`.`,
      ].join("\n"),
      operationId: "createWebhookEndpoint",
      body: WebhookEndpointCreateRequest,
      response: { 201: jsonResponse(WebhookEndpointWithSecret, "The endpoint, with its signing secret: store it now."), ...errors(["webhook_limit_reached"]) },
    },
    get: {
      ...common,
      ...withParams(endpoint),
      summary: "Get a webhook endpoint",
      description: "One endpoint of the account, never its secret. Another account's endpoint reads as 404 `webhook_endpoint_not_found`.",
      operationId: "getWebhookEndpoint",
      response: { 200: jsonResponse(WebhookEndpoint, "The endpoint."), ...errors(["webhook_endpoint_not_found"]) },
    },
    update: {
      ...common,
      ...withParams(endpoint),
      summary: "Change a webhook endpoint",
      description:
        "Changes any of the URL (checked as at registration), the description, the event types and whether it is enabled. Recorded in the audit log as `webhook.updated`.",
      operationId: "updateWebhookEndpoint",
      body: WebhookEndpointUpdateRequest,
      response: { 200: jsonResponse(WebhookEndpoint, "The endpoint as changed."), ...errors(["webhook_endpoint_not_found"]) },
    },
    delete: {
      ...common,
      ...withParams(endpoint),
      summary: "Delete a webhook endpoint",
      description: "Deletes the endpoint with its delivery log. Recorded in the audit log as `webhook.deleted`.",
      operationId: "deleteWebhookEndpoint",
      response: { 200: jsonResponse(DeletedWebhookEndpoint, "The endpoint is gone."), ...errors(["webhook_endpoint_not_found"]) },
    },
    rollSecret: {
      ...common,
      ...withParams(`${endpoint}/roll-secret`),
      summary: "Roll a webhook endpoint's secret",
      description:
        "A new signing secret, shown this once. For `grace_seconds` (default a day) deliveries carry a second signature made with the old secret, so the receiver can switch without losing any. Recorded in the audit log as `webhook.secret_rolled`.",
      operationId: "rollWebhookSecret",
      body: WebhookSecretRollRequest,
      response: { 200: jsonResponse(WebhookEndpointWithSecret, "The endpoint with its new secret."), ...errors(["webhook_endpoint_not_found"]) },
    },
    deliveries: {
      ...common,
      ...withParams(`${endpoint}/deliveries`),
      summary: "List an endpoint's deliveries",
      description:
        "The endpoint's delivery log, newest first, a page at a time (30 days are kept): each delivery's status, attempts, last answer or error, next attempt and exact payload.",
      operationId: "listWebhookDeliveries",
      querystring: PageQuery(100, 20),
      response: { 200: jsonResponse(WebhookDeliveryList, "A page of deliveries."), ...errors(["webhook_endpoint_not_found"]) },
    },
    redeliver: {
      ...common,
      ...withParams(`${endpoint}/deliveries/:delivery_id/redeliver`),
      summary: "Redeliver a delivery",
      description:
        "Sends the delivery again now, with a fresh retry series and the same `webhook-id`. It takes no body. A delivery whose attempt is running at that moment answers 409 `conflict`.",
      operationId: "redeliverWebhookDelivery",
      response: {
        202: jsonResponse(WebhookDelivery, "The delivery, due now."),
        ...errors(["webhook_endpoint_not_found", "webhook_delivery_not_found", "conflict"]),
      },
    },
  } satisfies Record<string, RouteSchema>;
  return schemas;
}
