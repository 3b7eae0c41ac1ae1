import { randomBytes } from "node:crypto";
import {
  type AttemptResult,
  type AuditRecord,
  type ClaimedDelivery,
  keyExpiringEvent,
  type NewWebhookEndpoint,
  newId,
  type Page,
  type RedeliverOutcome,
  type WebhookDelivery,
  type WebhookEndpoint,
  type WebhookEndpointPatch,
  type WebhookStore,
} from "@bentoo/core";
import { type Kysely, sql } from "kysely";
import { encodeCursor } from "../cursor.js";
import { storedText } from "../records/audit-rows.js";
import type { Database } from "../schema.js";
import { raiseWebhookEvents } from "../webhooks/raise-events.js";
import { toDelivery, toEndpoint } from "../webhooks/webhook-rows.js";
import type { EventWriter } from "./event-writer.js";
import { requireCursor } from "./pagination.js";
import { toApiKey } from "./rows.js";

/**
 * Webhook endpoints and deliveries on SQLite and PostgreSQL. Claims are one
 * UPDATE each: on PostgreSQL over rows picked `FOR UPDATE SKIP LOCKED`, so two
 * instances claiming at once take different deliveries; on SQLite the statement
 * runs under the database's write lock. A claim stamps a random lease token and
 * moves `next_attempt_at` to the lease's end, so a claim whose holder died is
 * due again then, and a holder's outcome counts only while its token is there.
 */
export class KyselyWebhookStore implements WebhookStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: "sqlite" | "postgres",
    private readonly now: () => number,
    private readonly writeEvents: EventWriter,
  ) {}

  create(input: NewWebhookEndpoint, maxEndpoints: number, events: (endpoint: WebhookEndpoint) => readonly AuditRecord[]): Promise<WebhookEndpoint | null> {
    return this.db.transaction().execute(async (trx) => {
      const at = this.now();
      // Serialises the count and the insert with other creations for the account (a row lock on PostgreSQL).
      await trx.updateTable("accounts").set({ updated_at: at }).where("id", "=", input.accountId).execute();
      const { count } = await trx
        .selectFrom("webhook_endpoints")
        .select(sql<number>`count(*)`.as("count"))
        .where("account_id", "=", input.accountId)
        .executeTakeFirstOrThrow();
      if (Number(count) >= maxEndpoints) return null;
      const row = {
        id: newId("webhookEndpoint", at),
        account_id: input.accountId,
        url: input.url,
        description: input.description,
        event_types: JSON.stringify(input.eventTypes),
        enabled: input.enabled ? 1 : 0,
        secret: input.secret,
        previous_secret: null,
        previous_secret_expires_at: null,
        created_at: at,
        updated_at: at,
      };
      await trx.insertInto("webhook_endpoints").values(row).execute();
      const endpoint = toEndpoint(row);
      await this.writeEvents(trx, events(endpoint));
      return endpoint;
    });
  }

  async get(id: string): Promise<WebhookEndpoint | null> {
    const row = await this.db.selectFrom("webhook_endpoints").selectAll().where("id", "=", id).executeTakeFirst();
    return row === undefined ? null : toEndpoint(row);
  }

  async listByAccount(accountId: string): Promise<WebhookEndpoint[]> {
    const rows = await this.db.selectFrom("webhook_endpoints").selectAll().where("account_id", "=", accountId).orderBy("created_at").orderBy("id").execute();
    return rows.map(toEndpoint);
  }

  async update(id: string, patch: WebhookEndpointPatch, at: number, events: readonly AuditRecord[]): Promise<WebhookEndpoint | null> {
    const values: Record<string, unknown> = { updated_at: at };
    if (patch.url !== undefined) values.url = patch.url;
    if (patch.description !== undefined) values.description = patch.description;
    if (patch.eventTypes !== undefined) values.event_types = JSON.stringify(patch.eventTypes);
    if (patch.enabled !== undefined) values.enabled = patch.enabled ? 1 : 0;
    return this.changeEndpoint(id, values, events);
  }

  rollSecret(id: string, secret: string, previousExpiresAt: number | null, at: number, events: readonly AuditRecord[]): Promise<WebhookEndpoint | null> {
    // SET reads the row as it was: the current secret becomes the previous one.
    const previous =
      previousExpiresAt === null
        ? { previous_secret: null, previous_secret_expires_at: null }
        : { previous_secret: sql<string>`secret`, previous_secret_expires_at: previousExpiresAt };
    return this.changeEndpoint(id, { secret, ...previous, updated_at: at }, events);
  }

  async delete(id: string, events: readonly AuditRecord[]): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      // Its deliveries go with it (ON DELETE CASCADE); its events stay until the purge, so their dedupe keys hold meanwhile.
      const result = await trx.deleteFrom("webhook_endpoints").where("id", "=", id).executeTakeFirst();
      if (result.numDeletedRows === 0n) return false;
      await this.writeEvents(trx, events);
      return true;
    });
  }

  async listDeliveries(endpointId: string, options: { limit: number; cursor?: string | null }): Promise<Page<WebhookDelivery>> {
    const position = requireCursor(options.cursor);
    let query = this.deliveries()
      .where("d.endpoint_id", "=", endpointId)
      .orderBy("d.created_at", "desc")
      .orderBy("d.id", "desc")
      .limit(options.limit + 1);
    if (position !== null) {
      query = query.where((eb) =>
        eb.or([eb("d.created_at", "<", position.createdAt), eb.and([eb("d.created_at", "=", position.createdAt), eb("d.id", "<", position.id)])]),
      );
    }
    const rows = await query.execute();
    const hasMore = rows.length > options.limit;
    const items = (hasMore ? rows.slice(0, options.limit) : rows).map(toDelivery);
    const last = items.at(-1);
    return { items, nextCursor: hasMore && last !== undefined ? encodeCursor({ createdAt: last.createdAt, id: last.id }) : null };
  }

  async getDelivery(id: string): Promise<WebhookDelivery | null> {
    const row = await this.deliveries().where("d.id", "=", id).executeTakeFirst();
    return row === undefined ? null : toDelivery(row);
  }

  async redeliver(id: string, at: number): Promise<RedeliverOutcome> {
    const result = await this.db
      .updateTable("webhook_deliveries")
      .set({ status: "pending", attempts: 0, next_attempt_at: at, lease_token: null })
      .where("id", "=", id)
      // Not while an attempt holds it: a second claim meanwhile would send it twice at once.
      .where((eb) => eb.or([eb("status", "!=", "pending"), eb("lease_token", "is", null), eb("next_attempt_at", "<=", at)]))
      .executeTakeFirst();
    const delivery = await this.getDelivery(id);
    if (delivery === null) return { redelivered: false, reason: "not_found" };
    return result.numUpdatedRows === 0n ? { redelivered: false, reason: "in_flight", delivery } : { redelivered: true, delivery };
  }

  async claimDue(now: number, leaseMs: number, limit: number): Promise<ClaimedDelivery[]> {
    const leaseToken = randomBytes(16).toString("hex");
    let due = this.db
      .selectFrom("webhook_deliveries as d")
      .innerJoin("webhook_endpoints as e", "e.id", "d.endpoint_id")
      .select("d.id")
      .where("d.status", "=", "pending")
      .where("d.next_attempt_at", "<=", now)
      .where("e.enabled", "=", 1)
      .orderBy("d.next_attempt_at")
      .limit(limit);
    if (this.dialect === "postgres") due = due.forUpdate("d").skipLocked();
    const claimed = await this.db
      .updateTable("webhook_deliveries")
      .set({ attempts: sql<number>`attempts + 1`, next_attempt_at: now + leaseMs, lease_token: leaseToken, last_attempt_at: now })
      .where("id", "in", due)
      .returning(["id", "attempts"])
      .execute();
    if (claimed.length === 0) return [];
    const rows = await this.db
      .selectFrom("webhook_deliveries as d")
      .innerJoin("webhook_events as ev", "ev.id", "d.event_id")
      .innerJoin("webhook_endpoints as e", "e.id", "d.endpoint_id")
      .select(["d.id", "d.event_id", "ev.payload", "e.url", "e.secret", "e.previous_secret", "e.previous_secret_expires_at"])
      .where(
        "d.id",
        "in",
        claimed.map((row) => row.id),
      )
      .execute();
    const attempts = new Map(claimed.map((row) => [row.id, row.attempts]));
    return rows.map((row) => ({
      id: row.id,
      messageId: row.event_id,
      payload: row.payload,
      attempt: attempts.get(row.id) ?? 1,
      leaseToken,
      url: row.url,
      secrets:
        row.previous_secret !== null && row.previous_secret_expires_at !== null && row.previous_secret_expires_at > now
          ? [row.secret, row.previous_secret]
          : [row.secret],
    }));
  }

  async recordAttempt(claim: ClaimedDelivery, result: AttemptResult, at: number): Promise<boolean> {
    const { outcome, retryAt } = result;
    const status = outcome.delivered ? "succeeded" : retryAt === null ? "failed" : "pending";
    const update = await this.db
      .updateTable("webhook_deliveries")
      .set({
        status,
        next_attempt_at: status === "pending" ? retryAt : null,
        lease_token: null,
        last_status_code: outcome.statusCode,
        last_error: outcome.delivered ? null : storedText(outcome.error, 500),
        last_attempt_at: at,
      })
      .where("id", "=", claim.id)
      .where("lease_token", "=", claim.leaseToken)
      .where("attempts", "=", claim.attempt)
      .executeTakeFirst();
    return update.numUpdatedRows > 0n;
  }

  async raiseExpiringKeys(now: number, aheadMs: number): Promise<number> {
    const rows = await this.db
      .selectFrom("api_keys as k")
      .selectAll("k")
      .where("k.revoked_at", "is", null)
      .where("k.expires_at", ">", now)
      .where("k.expires_at", "<=", now + aheadMs)
      .where((eb) => eb.exists(eb.selectFrom("webhook_endpoints as e").select("e.id").whereRef("e.account_id", "=", "k.account_id").where("e.enabled", "=", 1)))
      // A rolled key's end was announced by key.rolled.
      .where((eb) => eb.not(eb.exists(eb.selectFrom("api_keys as r").select("r.id").whereRef("r.rolled_from_id", "=", "k.id"))))
      .where((eb) =>
        eb.not(
          eb.exists(
            eb.selectFrom("webhook_events as ev").select("ev.id").where("ev.dedupe_key", "=", sql<string>`'key.expiring:' || k.id || ':' || k.expires_at`),
          ),
        ),
      )
      .execute();
    if (rows.length === 0) return 0;
    const events = rows.map(toApiKey).flatMap((key) => (key.expiresAt === null ? [] : [keyExpiringEvent({ ...key, expiresAt: key.expiresAt }, now)]));
    return this.db.transaction().execute((trx) => raiseWebhookEvents(trx, events, now));
  }

  async purgeBefore(before: number): Promise<number> {
    const deliveries = await this.db
      .deleteFrom("webhook_deliveries")
      .where("status", "in", ["succeeded", "failed"])
      .where("created_at", "<", before)
      .executeTakeFirst();
    const events = await this.db
      .deleteFrom("webhook_events")
      .where("created_at", "<", before)
      .where((eb) => eb.not(eb.exists(eb.selectFrom("webhook_deliveries as d").select("d.id").whereRef("d.event_id", "=", "webhook_events.id"))))
      .executeTakeFirst();
    return Number(deliveries.numDeletedRows) + Number(events.numDeletedRows);
  }

  /** Deliveries with their event's payload. */
  private deliveries() {
    return this.db.selectFrom("webhook_deliveries as d").innerJoin("webhook_events as ev", "ev.id", "d.event_id").selectAll("d").select("ev.payload");
  }

  private async changeEndpoint(id: string, values: Record<string, unknown>, events: readonly AuditRecord[]): Promise<WebhookEndpoint | null> {
    const changed = await this.db.transaction().execute(async (trx) => {
      const result = await trx.updateTable("webhook_endpoints").set(values).where("id", "=", id).executeTakeFirst();
      if (result.numUpdatedRows === 0n) return false;
      await this.writeEvents(trx, events);
      return true;
    });
    return changed ? this.get(id) : null;
  }
}
