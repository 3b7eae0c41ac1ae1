import type { Kysely } from "kysely";

/** The append-only credit ledger; accounts.balance_micros is kept equal to the sum of an account's rows. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("credit_ledger")
    .addColumn("id", "varchar(64)", (column) => column.primaryKey())
    .addColumn("account_id", "varchar(64)", (column) => column.notNull().references("accounts.id").onDelete("cascade"))
    .addColumn("kind", "varchar(16)", (column) => column.notNull())
    .addColumn("amount_micros", "bigint", (column) => column.notNull())
    .addColumn("request_id", "varchar(64)")
    .addColumn("estimated", "smallint", (column) => column.notNull().defaultTo(0))
    .addColumn("created_at", "bigint", (column) => column.notNull())
    .addColumn("metadata", "text")
    .execute();
  await db.schema.createIndex("credit_ledger_account").on("credit_ledger").columns(["account_id", "created_at"]).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("credit_ledger").execute();
}
