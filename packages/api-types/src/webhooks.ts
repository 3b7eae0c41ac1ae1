/** The events an endpoint can subscribe to (docs/webhooks.md describes each payload). */
export type WebhookEventType = "key.created" | "key.rolled" | "key.revoked" | "key.expiring" | "key.spend_cap_reached" | "balance.low" | "request.ip_blocked";

/** A registered webhook endpoint (`/api/webhooks…`, `/admin/v1/accounts/{id}/webhooks…`). Its signing secret is never shown again after creation or a roll. */
export interface WebhookEndpointJson {
  id: string;
  object: "webhook_endpoint";
  account_id: string;
  url: string;
  description: string | null;
  event_types: WebhookEventType[];
  enabled: boolean;
  /** While a rolled secret is still honoured, deliveries are signed with it too; null when there is none. */
  previous_secret_expires_at: string | null;
  created_at: string;
  updated_at: string;
}

/** A new endpoint, or one whose secret was just rolled: the only answers that carry the secret (`whsec_…`). */
export interface WebhookEndpointWithSecretJson extends WebhookEndpointJson {
  secret: string;
}

/** The body of `POST …/webhooks`. Unknown members are refused (400 naming them). */
export interface WebhookEndpointCreateJson {
  url: string;
  description?: string | null;
  event_types: WebhookEventType[];
  /** Default true. */
  enabled?: boolean;
}

/** The body of `PATCH …/webhooks/{id}`: any of the members of a creation. */
export type WebhookEndpointPatchJson = Partial<WebhookEndpointCreateJson>;

/** `pending`: waiting for its next attempt (or being attempted); `succeeded` and `failed` are final until a redelivery. */
export type WebhookDeliveryStatus = "pending" | "succeeded" | "failed";

/** One event sent to one endpoint, with the outcome of its latest attempt: an item of the delivery log. */
export interface WebhookDeliveryJson {
  id: string;
  object: "webhook_delivery";
  endpoint_id: string;
  /** The `webhook-id` header: the same on every attempt and redelivery. */
  message_id: string;
  event_type: WebhookEventType;
  status: WebhookDeliveryStatus;
  attempts: number;
  /** The HTTP status the endpoint answered last; null when it was not reached. */
  last_status_code: number | null;
  /** Why the latest attempt failed (a status, a timeout, a refused address); null after a success. */
  last_error: string | null;
  last_attempt_at: string | null;
  /** When the next attempt is due; null once final. */
  next_attempt_at: string | null;
  created_at: string;
  /** The exact JSON body that was signed and sent. */
  payload: string;
}

/** `DELETE …/webhooks/{id}`: the endpoint is gone, with its delivery log. */
export interface DeletedWebhookEndpointJson {
  id: string;
  object: "webhook_endpoint";
  deleted: true;
}

/** The body of `POST …/webhooks/{id}/roll-secret`. */
export interface WebhookSecretRollJson {
  /** How long the old secret keeps signing deliveries next to the new one, 0 to 604800 (7 days); default 86400. */
  grace_seconds?: number;
}
