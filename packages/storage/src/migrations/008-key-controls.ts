import { type Kysely, sql } from "kysely";

/** What keys created before their scopes existed keep: everything they could do. */
const ALL_SCOPES = JSON.stringify(["inference", "audit:read", "key:read"]);

/**
 * Per-key controls (docs/keys.md): scopes, the key's own rate limits, a spend
 * cap per period, allowed models, and the roll chain a cap counts over. Keys
 * that exist keep today's behaviour: every scope, no limit of their own.
 *
 * Charges say which key spent them and when their request was admitted, so
 * that a cap counts a period's spend from the ledger. Charges written before
 * take both from their request's audit record where it is still kept.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable("api_keys")
    .addColumn("scopes", "text", (column) => column.notNull().defaultTo(ALL_SCOPES))
    .execute();
  for (const [name, type] of [
    ["rpm_limit", "bigint"],
    ["tpm_limit", "bigint"],
    ["spend_cap_micros", "bigint"],
  ] as const) {
    await db.schema.alterTable("api_keys").addColumn(name, type).execute();
  }
  await db.schema.alterTable("api_keys").addColumn("spend_cap_period", "varchar(8)").execute();
  await db.schema.alterTable("api_keys").addColumn("models", "text").execute();
  await db.schema.alterTable("api_keys").addColumn("lineage_id", "varchar(64)").execute();
  await db.schema.createIndex("api_keys_account_lineage").on("api_keys").columns(["account_id", "lineage_id"]).execute();

  await db.schema.alterTable("credit_ledger").addColumn("api_key_id", "varchar(64)").execute();
  await db.schema.alterTable("credit_ledger").addColumn("admitted_at", "bigint").execute();
  await sql`
    update credit_ledger set
      api_key_id = (select audit_log.api_key_id from audit_log where audit_log.request_id = credit_ledger.request_id and audit_log.type = 'request' limit 1),
      admitted_at = created_at
    where kind = 'charge' and request_id is not null`.execute(db);
  // A cap's count: one key's charges over a time range.
  await db.schema.createIndex("credit_ledger_key_admitted").on("credit_ledger").columns(["api_key_id", "admitted_at"]).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex("credit_ledger_key_admitted").execute();
  await db.schema.alterTable("credit_ledger").dropColumn("admitted_at").execute();
  await db.schema.alterTable("credit_ledger").dropColumn("api_key_id").execute();
  await db.schema.dropIndex("api_keys_account_lineage").execute();
  for (const name of ["lineage_id", "models", "spend_cap_period", "spend_cap_micros", "tpm_limit", "rpm_limit", "scopes"]) {
    await db.schema.alterTable("api_keys").dropColumn(name).execute();
  }
}
