import type { Kysely } from "kysely";

/** Dashboard sessions: only the SHA-256 of the cookie's token is stored. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("sessions")
    .addColumn("id", "varchar(64)", (column) => column.primaryKey())
    .addColumn("token_hash", "char(64)", (column) => column.notNull().unique())
    .addColumn("account_id", "varchar(64)", (column) => column.notNull().references("accounts.id").onDelete("cascade"))
    .addColumn("created_at", "bigint", (column) => column.notNull())
    .addColumn("expires_at", "bigint", (column) => column.notNull())
    .addColumn("source_ip", "varchar(64)")
    .addColumn("user_agent", "varchar(512)")
    .execute();
  await db.schema.createIndex("sessions_account").on("sessions").column("account_id").execute();
  await db.schema.createIndex("sessions_expires").on("sessions").column("expires_at").execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("sessions").execute();
}
