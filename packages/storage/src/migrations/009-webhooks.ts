import type { Kysely } from "kysely";

/**
 * Webhooks (docs/webhooks.md): endpoints, the events raised for them (one row
 * per message, its `msg_…` id the `webhook-id`), and one delivery per event and
 * endpoint, which the dispatchers claim with a lease. Accounts get a low-balance
 * threshold and the state of its alert; keys an index for the expiry scan.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("accounts").addColumn("low_balance_threshold_micros", "bigint").execute();
  // 1 once balance.low was raised for the current stay below the threshold; back to 0 when the balance is above it again.
  await db.schema
    .alterTable("accounts")
    .addColumn("low_balance_alerted", "smallint", (column) => column.notNull().defaultTo(0))
    .execute();

  await db.schema
    .createTable("webhook_endpoints")
    .addColumn("id", "varchar(64)", (column) => column.primaryKey())
    .addColumn("account_id", "varchar(64)", (column) => column.notNull().references("accounts.id").onDelete("cascade"))
    .addColumn("url", "varchar(2048)", (column) => column.notNull())
    .addColumn("description", "varchar(500)")
    .addColumn("event_types", "text", (column) => column.notNull())
    .addColumn("enabled", "smallint", (column) => column.notNull())
    .addColumn("secret", "varchar(128)", (column) => column.notNull())
    .addColumn("previous_secret", "varchar(128)")
    .addColumn("previous_secret_expires_at", "bigint")
    .addColumn("created_at", "bigint", (column) => column.notNull())
    .addColumn("updated_at", "bigint", (column) => column.notNull())
    .execute();
  await db.schema.createIndex("webhook_endpoints_account").on("webhook_endpoints").columns(["account_id", "created_at", "id"]).execute();

  await db.schema
    .createTable("webhook_events")
    .addColumn("id", "varchar(64)", (column) => column.primaryKey())
    .addColumn("account_id", "varchar(64)", (column) => column.notNull().references("accounts.id").onDelete("cascade"))
    .addColumn("type", "varchar(64)", (column) => column.notNull())
    .addColumn("created_at", "bigint", (column) => column.notNull())
    .addColumn("payload", "text", (column) => column.notNull())
    // Unique where set (NULLs are distinct on both dialects): an event raised at most once per key.
    .addColumn("dedupe_key", "varchar(255)", (column) => column.unique())
    .execute();
  // The hourly cap's count, and the purge.
  await db.schema.createIndex("webhook_events_account_type").on("webhook_events").columns(["account_id", "type", "created_at"]).execute();

  await db.schema
    .createTable("webhook_deliveries")
    .addColumn("id", "varchar(64)", (column) => column.primaryKey())
    .addColumn("event_id", "varchar(64)", (column) => column.notNull().references("webhook_events.id").onDelete("cascade"))
    .addColumn("endpoint_id", "varchar(64)", (column) => column.notNull().references("webhook_endpoints.id").onDelete("cascade"))
    .addColumn("account_id", "varchar(64)", (column) => column.notNull())
    .addColumn("event_type", "varchar(64)", (column) => column.notNull())
    .addColumn("status", "varchar(16)", (column) => column.notNull())
    .addColumn("attempts", "integer", (column) => column.notNull().defaultTo(0))
    // While pending: when the next attempt is due; while an attempt runs, when its lease ends.
    .addColumn("next_attempt_at", "bigint")
    .addColumn("lease_token", "varchar(64)")
    .addColumn("last_attempt_at", "bigint")
    .addColumn("last_status_code", "integer")
    .addColumn("last_error", "varchar(500)")
    .addColumn("created_at", "bigint", (column) => column.notNull())
    .execute();
  // The claim: due pending deliveries, oldest due first.
  await db.schema.createIndex("webhook_deliveries_due").on("webhook_deliveries").columns(["status", "next_attempt_at"]).execute();
  // An endpoint's delivery log, newest first.
  await db.schema.createIndex("webhook_deliveries_endpoint").on("webhook_deliveries").columns(["endpoint_id", "created_at", "id"]).execute();
  await db.schema.createIndex("webhook_deliveries_event").on("webhook_deliveries").column("event_id").execute();

  await db.schema.createIndex("api_keys_expires").on("api_keys").column("expires_at").execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex("api_keys_expires").execute();
  await db.schema.dropTable("webhook_deliveries").execute();
  await db.schema.dropTable("webhook_events").execute();
  await db.schema.dropTable("webhook_endpoints").execute();
  await db.schema.alterTable("accounts").dropColumn("low_balance_alerted").execute();
  await db.schema.alterTable("accounts").dropColumn("low_balance_threshold_micros").execute();
}
