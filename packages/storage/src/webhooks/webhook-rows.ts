import { isWebhookEventType, type WebhookDelivery, type WebhookDeliveryStatus, type WebhookEndpoint } from "@bentoo/core";
import type { Selectable } from "kysely";
import type { WebhookDeliveriesTable, WebhookEndpointsTable } from "../webhooks-schema.js";
import { parseEventTypes } from "./raise-events.js";

/** Row ↔ domain mapping of the webhook tables. */
export function toEndpoint(row: Selectable<WebhookEndpointsTable>): WebhookEndpoint {
  return {
    id: row.id,
    accountId: row.account_id,
    url: row.url,
    description: row.description,
    eventTypes: parseEventTypes(row.event_types),
    enabled: row.enabled === 1,
    secret: row.secret,
    previousSecret: row.previous_secret,
    previousSecretExpiresAt: row.previous_secret_expires_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

const STATUSES: readonly WebhookDeliveryStatus[] = ["pending", "succeeded", "failed"];

/** A delivery row joined with its event's payload. */
export type DeliveryRow = Selectable<WebhookDeliveriesTable> & { payload: string };

export function toDelivery(row: DeliveryRow): WebhookDelivery {
  if (!isWebhookEventType(row.event_type)) throw new Error(`delivery ${row.id} has an unknown event type "${row.event_type}"`);
  const status = STATUSES.find((candidate) => candidate === row.status);
  if (status === undefined) throw new Error(`delivery ${row.id} has an unknown status "${row.status}"`);
  return {
    id: row.id,
    endpointId: row.endpoint_id,
    accountId: row.account_id,
    messageId: row.event_id,
    eventType: row.event_type,
    status,
    attempts: row.attempts,
    lastStatusCode: row.last_status_code,
    lastError: row.last_error,
    lastAttemptAt: row.last_attempt_at,
    nextAttemptAt: status === "pending" ? row.next_attempt_at : null,
    createdAt: row.created_at,
    payload: row.payload,
  };
}
