import type { Kysely } from "kysely";

/**
 * Stored Responses API responses (`store`): the conversation each answer was
 * made from and the Response object, as JSON text, for the account that made
 * it. Looked up by (id, account_id); purged by creation time.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("responses")
    .addColumn("id", "varchar(64)", (column) => column.primaryKey())
    .addColumn("account_id", "varchar(64)", (column) => column.notNull().references("accounts.id").onDelete("cascade"))
    .addColumn("model", "varchar(200)", (column) => column.notNull())
    .addColumn("previous_response_id", "varchar(64)")
    .addColumn("created_at", "bigint", (column) => column.notNull())
    .addColumn("input", "text", (column) => column.notNull())
    .addColumn("response", "text", (column) => column.notNull())
    .execute();
  // Retention purge, across accounts.
  await db.schema.createIndex("responses_created").on("responses").column("created_at").execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("responses").execute();
}
