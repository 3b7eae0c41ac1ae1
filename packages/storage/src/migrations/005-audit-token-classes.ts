import type { Kysely } from "kysely";

/**
 * Every token class of a request's usage, and the route it was served by.
 * The token columns stay null on records written before this migration (their
 * usage was not kept) and on records without usage; `endpoint` is null on
 * events. Filtering by endpoint pages like the model filter: its index leads
 * with the account and ends with the (timestamp, id) order.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  for (const column of ["cache_read_tokens", "cache_write_tokens", "reasoning_tokens"]) {
    await db.schema.alterTable("audit_log").addColumn(column, "bigint").execute();
  }
  await db.schema.alterTable("audit_log").addColumn("endpoint", "varchar(128)").execute();
  await db.schema.createIndex("audit_log_account_endpoint_time").on("audit_log").columns(["account_id", "endpoint", "timestamp", "id"]).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex("audit_log_account_endpoint_time").execute();
  for (const column of ["endpoint", "reasoning_tokens", "cache_write_tokens", "cache_read_tokens"]) {
    await db.schema.alterTable("audit_log").dropColumn(column).execute();
  }
}
