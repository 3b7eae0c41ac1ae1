import type { WebhookDeliveryJson, WebhookEndpointJson, WebhookEndpointWithSecretJson } from "@bentoo/api-types";
import type { EndpointWithSecret, WebhookDelivery, WebhookEndpoint } from "@bentoo/core";
import { iso, isoOrNull } from "./presenters.js";

/** An endpoint without its secrets. A rolled secret's end is shown only while it is honoured. */
export function presentWebhookEndpoint(endpoint: WebhookEndpoint, now: number): WebhookEndpointJson {
  const previousExpiresAt =
    endpoint.previousSecret !== null && endpoint.previousSecretExpiresAt !== null && endpoint.previousSecretExpiresAt > now
      ? endpoint.previousSecretExpiresAt
      : null;
  return {
    id: endpoint.id,
    object: "webhook_endpoint",
    account_id: endpoint.accountId,
    url: endpoint.url,
    description: endpoint.description,
    event_types: endpoint.eventTypes,
    enabled: endpoint.enabled,
    previous_secret_expires_at: isoOrNull(previousExpiresAt),
    created_at: iso(endpoint.createdAt),
    updated_at: iso(endpoint.updatedAt),
  };
}

/** Creation and secret roll: the only answers that carry the signing secret. */
export function presentWebhookEndpointWithSecret(created: EndpointWithSecret, now: number): WebhookEndpointWithSecretJson {
  return { ...presentWebhookEndpoint(created.endpoint, now), secret: created.secret };
}

export function presentWebhookDelivery(delivery: WebhookDelivery): WebhookDeliveryJson {
  return {
    id: delivery.id,
    object: "webhook_delivery",
    endpoint_id: delivery.endpointId,
    message_id: delivery.messageId,
    event_type: delivery.eventType,
    status: delivery.status,
    attempts: delivery.attempts,
    last_status_code: delivery.lastStatusCode,
    last_error: delivery.lastError,
    last_attempt_at: isoOrNull(delivery.lastAttemptAt),
    next_attempt_at: isoOrNull(delivery.nextAttemptAt),
    created_at: iso(delivery.createdAt),
    payload: delivery.payload,
  };
}
