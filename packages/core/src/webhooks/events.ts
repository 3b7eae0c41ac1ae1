import type { ApiKeyRecord } from "../accounts/types.js";
import type { AuditRecord } from "../audit/types.js";
import type { WebhookEventType } from "./event-types.js";

/**
 * An event to raise: storage turns it into one message (`msg_…`, the
 * `webhook-id`) and a delivery per endpoint of the account subscribed to its
 * type, in the transaction of what it describes. The payload is Standard
 * Webhooks' `{type, timestamp, data}`; docs/webhooks.md documents each `data`.
 */
export interface WebhookEventDraft {
  accountId: string;
  type: WebhookEventType;
  /** When it happened (epoch ms): the payload's `timestamp`. */
  occurredAt: number;
  data: Record<string, unknown>;
  /** Raised at most once per key: a second draft with the same key is dropped (across instances: a unique column). */
  dedupeKey: string | null;
  /** At most this many events of this type per account per clock hour; null = no cap. */
  hourlyCap: number | null;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/**
 * `request.ip_blocked` is throttled so that an attack does not flood the
 * receiver: one event per key and source address per clock hour, and at most
 * this many per account per hour (the audit log keeps every refused request).
 */
export const IP_BLOCKED_EVENTS_PER_HOUR = 20;

/** The payload, exactly as it is signed and sent. */
export function webhookPayload(draft: Pick<WebhookEventDraft, "type" | "occurredAt" | "data">): string {
  return JSON.stringify({ type: draft.type, timestamp: new Date(draft.occurredAt).toISOString(), data: draft.data });
}

function iso(epochMs: unknown): string | null {
  return typeof epochMs === "number" && Number.isFinite(epochMs) ? new Date(epochMs).toISOString() : null;
}

/** A key as payloads show it: its id, the key ID users see (last 4), its name. Never key material. */
function keyOfRecord(record: AuditRecord): Record<string, unknown> {
  return { id: record.apiKeyId, key_id: record.keyLast4, name: record.keyName };
}

function draft(
  record: AuditRecord & { accountId: string },
  type: WebhookEventType,
  data: Record<string, unknown>,
  limits: Partial<WebhookEventDraft> = {},
): WebhookEventDraft {
  return {
    accountId: record.accountId,
    type,
    occurredAt: record.timestamp,
    data: { account_id: record.accountId, ...data },
    dedupeKey: null,
    hourlyCap: null,
    ...limits,
  };
}

/**
 * The webhook event an audit record stands for, if any: key lifecycle events,
 * and requests refused for their source address or their key's spend cap.
 * Storage calls it for each record it inserts, so an event is raised exactly
 * once however often its batch is written (a retry or a journal replay inserts
 * nothing new). Cheap for the records that stand for nothing: two comparisons.
 */
export function webhookEventOf(record: AuditRecord): WebhookEventDraft | null {
  if (record.accountId === null) return null;
  const owned = record as AuditRecord & { accountId: string };
  const metadata = record.metadata ?? {};
  if (record.type === "request") {
    if (record.errorCode === "ip_not_allowed") {
      const hour = Math.floor(record.timestamp / HOUR_MS);
      return draft(
        owned,
        "request.ip_blocked",
        { key: keyOfRecord(record), source_ip: record.sourceIp, request_id: record.requestId, path: metadata.path ?? null },
        { dedupeKey: `request.ip_blocked:${record.apiKeyId}:${record.sourceIp}:${hour}`, hourlyCap: IP_BLOCKED_EVENTS_PER_HOUR },
      );
    }
    if (record.errorCode === "key_spend_cap_reached") {
      // Once per key per UTC day: the cap's own period is not in the record, and a refused key refuses every request until it resets.
      const day = Math.floor(record.timestamp / DAY_MS);
      return draft(
        owned,
        "key.spend_cap_reached",
        { key: keyOfRecord(record), request_id: record.requestId },
        { dedupeKey: `key.spend_cap_reached:${record.apiKeyId}:${day}` },
      );
    }
    return null;
  }
  switch (record.event) {
    case "key.created":
      return draft(owned, "key.created", {
        key: { ...keyOfRecord(record), mode: metadata.mode ?? null, expires_at: iso(metadata.expires_at) },
        actor: record.actor,
      });
    case "key.rolled":
      return draft(owned, "key.rolled", {
        key: keyOfRecord(record),
        replacement: { id: metadata.new_key_id ?? null, key_id: metadata.new_key_last4 ?? null },
        grace_seconds: metadata.grace_seconds ?? null,
        actor: record.actor,
      });
    case "key.revoked":
      return draft(owned, "key.revoked", { key: keyOfRecord(record), actor: record.actor });
    default:
      return null;
  }
}

/** `balance.low`: the account's stored balance fell below its threshold (raised once per crossing). */
export function balanceLowEvent(accountId: string, balanceMicros: number, thresholdMicros: number, at: number): WebhookEventDraft {
  return {
    accountId,
    type: "balance.low",
    occurredAt: at,
    data: { account_id: accountId, balance_micros: balanceMicros, threshold_micros: thresholdMicros },
    dedupeKey: null,
    hourlyCap: null,
  };
}

/** `key.expiring`: raised once per key and expiry time, within the warning window before it. */
export function keyExpiringEvent(key: ApiKeyRecord & { expiresAt: number }, at: number): WebhookEventDraft {
  return {
    accountId: key.accountId,
    type: "key.expiring",
    occurredAt: at,
    data: {
      account_id: key.accountId,
      key: { id: key.id, key_id: key.last4, name: key.name, mode: key.mode },
      expires_at: new Date(key.expiresAt).toISOString(),
    },
    dedupeKey: `key.expiring:${key.id}:${key.expiresAt}`,
    hourlyCap: null,
  };
}

/** How long before a key's expiry `key.expiring` is raised. */
export const KEY_EXPIRING_WARNING_MS = 7 * DAY_MS;

/**
 * What a balance (or threshold) change does to an account's low-balance alert:
 * it is armed while the balance is at or above the threshold, fires once when
 * the balance is found below it, and re-arms when the balance is back up.
 */
export function lowBalanceTransition(balanceMicros: number, thresholdMicros: number | null, alerted: boolean): { alerted: boolean; raise: boolean } {
  const below = thresholdMicros !== null && balanceMicros < thresholdMicros;
  return { alerted: below, raise: below && !alerted };
}
