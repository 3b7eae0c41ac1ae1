import { isWebhookEventType, newId, type WebhookEventDraft, type WebhookEventType, webhookPayload } from "@bentoo/core";
import { type Kysely, sql } from "kysely";
import type { Database } from "../schema.js";

const HOUR_MS = 3_600_000;

/** The event types an endpoint's JSON column lists (unknown names, from a newer version, are skipped). */
export function parseEventTypes(text: string): WebhookEventType[] {
  const value: unknown = JSON.parse(text);
  return Array.isArray(value) ? value.filter(isWebhookEventType) : [];
}

/**
 * Raises events inside the caller's transaction `trx`, so they commit with what
 * they describe: for each draft whose account has an enabled endpoint subscribed
 * to its type, one `webhook_events` row (its id the `webhook-id`) and one pending
 * delivery per such endpoint, due at once. A draft is skipped when its
 * `dedupeKey` was raised before (a unique column: across instances too) or when
 * its type already reached the draft's `hourlyCap` this hour. With no drafts
 * nothing is read; with drafts for accounts without endpoints, one query.
 */
export async function raiseWebhookEvents(trx: Kysely<Database>, drafts: readonly WebhookEventDraft[], at: number): Promise<number> {
  if (drafts.length === 0) return 0;
  const accountIds = [...new Set(drafts.map((draft) => draft.accountId))];
  const endpoints = await trx
    .selectFrom("webhook_endpoints")
    .select(["id", "account_id", "event_types"])
    .where("account_id", "in", accountIds)
    .where("enabled", "=", 1)
    .execute();
  if (endpoints.length === 0) return 0;
  let raised = 0;
  for (const draft of drafts) {
    const subscribed = endpoints.filter((endpoint) => endpoint.account_id === draft.accountId && parseEventTypes(endpoint.event_types).includes(draft.type));
    if (subscribed.length === 0) continue;
    if (draft.hourlyCap !== null && (await raisedThisHour(trx, draft, at)) >= draft.hourlyCap) continue;
    const messageId = newId("webhookMessage", at);
    const inserted = await trx
      .insertInto("webhook_events")
      .values({ id: messageId, account_id: draft.accountId, type: draft.type, created_at: at, payload: webhookPayload(draft), dedupe_key: draft.dedupeKey })
      .onConflict((conflict) => conflict.doNothing())
      .returning("id")
      .executeTakeFirst();
    if (inserted === undefined) continue;
    await trx
      .insertInto("webhook_deliveries")
      .values(
        subscribed.map((endpoint) => ({
          id: newId("webhookDelivery", at),
          event_id: messageId,
          endpoint_id: endpoint.id,
          account_id: draft.accountId,
          event_type: draft.type,
          status: "pending",
          attempts: 0,
          next_attempt_at: at,
          lease_token: null,
          last_attempt_at: null,
          last_status_code: null,
          last_error: null,
          created_at: at,
        })),
      )
      .execute();
    raised += 1;
  }
  return raised;
}

async function raisedThisHour(trx: Kysely<Database>, draft: WebhookEventDraft, at: number): Promise<number> {
  const row = await trx
    .selectFrom("webhook_events")
    .select(sql<number>`count(*)`.as("count"))
    .where("account_id", "=", draft.accountId)
    .where("type", "=", draft.type)
    .where("created_at", ">=", Math.floor(at / HOUR_MS) * HOUR_MS)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}
