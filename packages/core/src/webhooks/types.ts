import type { AuditRecord } from "../audit/types.js";
import type { Page } from "../ports.js";
import type { WebhookEventType } from "./event-types.js";

/** An endpoint an account registered. Timestamps are epoch ms. */
export interface WebhookEndpoint {
  id: string;
  accountId: string;
  url: string;
  description: string | null;
  eventTypes: WebhookEventType[];
  enabled: boolean;
  /** The signing secret (`whsec_…`): stored, since every delivery is signed with it; shown once. */
  secret: string;
  /** A rolled secret still honoured (deliveries carry both signatures) until `previousSecretExpiresAt`. */
  previousSecret: string | null;
  previousSecretExpiresAt: number | null;
  createdAt: number;
  updatedAt: number;
}

export interface NewWebhookEndpoint {
  accountId: string;
  url: string;
  description: string | null;
  eventTypes: WebhookEventType[];
  enabled: boolean;
  secret: string;
}

export interface WebhookEndpointPatch {
  url?: string;
  description?: string | null;
  eventTypes?: WebhookEventType[];
  enabled?: boolean;
}

export type WebhookDeliveryStatus = "pending" | "succeeded" | "failed";

/** One event to one endpoint: a row of the delivery log. */
export interface WebhookDelivery {
  id: string;
  endpointId: string;
  accountId: string;
  /** The event's id: the `webhook-id` header of every attempt. */
  messageId: string;
  eventType: WebhookEventType;
  status: WebhookDeliveryStatus;
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  lastAttemptAt: number | null;
  /** Due time while pending (while an attempt runs: when its lease ends); null once final. */
  nextAttemptAt: number | null;
  createdAt: number;
  /** The signed body, exactly as sent. */
  payload: string;
}

/** A delivery claimed for one attempt: what the sender needs, and the lease token its outcome must show. */
export interface ClaimedDelivery {
  id: string;
  messageId: string;
  payload: string;
  /** The attempt this is (1 = the first). */
  attempt: number;
  leaseToken: string;
  url: string;
  /** The secrets to sign with: the current one, then a rolled one still honoured. */
  secrets: string[];
}

/** What one attempt came to. */
export type AttemptOutcome = { delivered: true; statusCode: number } | { delivered: false; statusCode: number | null; error: string };

/** Where an attempt leaves its delivery: delivered, retried at `retryAt`, or failed for good (retryAt null). */
export interface AttemptResult {
  outcome: AttemptOutcome;
  retryAt: number | null;
}

export type RedeliverOutcome =
  | { redelivered: true; delivery: WebhookDelivery }
  | { redelivered: false; reason: "not_found" }
  /** An attempt is running right now (its lease has not ended). */
  | { redelivered: false; reason: "in_flight"; delivery: WebhookDelivery };

/**
 * Webhook endpoints, their events and deliveries (packages/storage implements it
 * on SQLite and PostgreSQL). Events are raised by the storage itself, in the
 * transaction of what they describe (docs/webhooks.md); this port manages
 * endpoints and moves deliveries along.
 */
export interface WebhookStore {
  /** Creates the endpoint unless the account already has `maxEndpoints`; `events` commit with it. Null when at the cap. */
  create(input: NewWebhookEndpoint, maxEndpoints: number, events: (endpoint: WebhookEndpoint) => readonly AuditRecord[]): Promise<WebhookEndpoint | null>;
  get(id: string): Promise<WebhookEndpoint | null>;
  listByAccount(accountId: string): Promise<WebhookEndpoint[]>;
  update(id: string, patch: WebhookEndpointPatch, at: number, events: readonly AuditRecord[]): Promise<WebhookEndpoint | null>;
  /** Replaces the secret; the old one stays valid until `previousExpiresAt` (null or a past time: not at all). */
  rollSecret(id: string, secret: string, previousExpiresAt: number | null, at: number, events: readonly AuditRecord[]): Promise<WebhookEndpoint | null>;
  /** Deletes the endpoint and its deliveries. */
  delete(id: string, events: readonly AuditRecord[]): Promise<boolean>;
  /** An endpoint's delivery log, newest first. */
  listDeliveries(endpointId: string, options: { limit: number; cursor?: string | null }): Promise<Page<WebhookDelivery>>;
  getDelivery(id: string): Promise<WebhookDelivery | null>;
  /** Makes a delivery due now, with a fresh retry series; refused while an attempt runs. */
  redeliver(id: string, at: number): Promise<RedeliverOutcome>;
  /**
   * Claims up to `limit` due deliveries of enabled endpoints for one attempt each:
   * atomically, so that no other claimer (another instance on the same database)
   * gets them until `now + leaseMs`, when a claim whose holder died runs out.
   */
  claimDue(now: number, leaseMs: number, limit: number): Promise<ClaimedDelivery[]>;
  /** Records an attempt's result, if `claim` still holds the lease (a late answer after the lease ended changes nothing). */
  recordAttempt(claim: ClaimedDelivery, result: AttemptResult, at: number): Promise<boolean>;
  /** Raises `key.expiring` for active keys expiring within `aheadMs` of `now`, once per key and expiry, for accounts subscribed to it. Returns how many were raised. */
  raiseExpiringKeys(now: number, aheadMs: number): Promise<number>;
  /** Deletes final deliveries, and events with no delivery left, created before `before`. */
  purgeBefore(before: number): Promise<number>;
}
