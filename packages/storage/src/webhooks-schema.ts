/** The webhook tables (migration 009-webhooks). Timestamps epoch ms; booleans 0/1 SMALLINT; lists JSON text. */
export interface WebhookEndpointsTable {
  id: string;
  account_id: string;
  url: string;
  description: string | null;
  /** JSON array of event types. */
  event_types: string;
  enabled: number;
  secret: string;
  previous_secret: string | null;
  previous_secret_expires_at: number | null;
  created_at: number;
  updated_at: number;
}

export interface WebhookEventsTable {
  /** `msg_…`: the `webhook-id` of every delivery of this event. */
  id: string;
  account_id: string;
  type: string;
  created_at: number;
  /** The signed body, exactly as sent. */
  payload: string;
  dedupe_key: string | null;
}

export interface WebhookDeliveriesTable {
  id: string;
  event_id: string;
  endpoint_id: string;
  account_id: string;
  event_type: string;
  /** pending | succeeded | failed */
  status: string;
  attempts: number;
  next_attempt_at: number | null;
  /** Set while an attempt holds the delivery; its holder's outcome counts only while it still matches. */
  lease_token: string | null;
  last_attempt_at: number | null;
  last_status_code: number | null;
  last_error: string | null;
  created_at: number;
}
