import type { Kysely } from "kysely";

/** Accounts and API keys. Later migrations add the credit ledger and audit records. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("accounts")
    .addColumn("id", "varchar(64)", (column) => column.primaryKey())
    .addColumn("email", "varchar(320)", (column) => column.notNull().unique())
    .addColumn("password_hash", "text")
    .addColumn("plan", "varchar(32)", (column) => column.notNull())
    .addColumn("rpm_limit", "bigint")
    .addColumn("tpm_limit", "bigint")
    .addColumn("balance_micros", "bigint", (column) => column.notNull().defaultTo(0))
    .addColumn("ip_allowlist", "text")
    .addColumn("created_at", "bigint", (column) => column.notNull())
    .addColumn("updated_at", "bigint", (column) => column.notNull())
    .execute();

  await db.schema
    .createTable("api_keys")
    .addColumn("id", "varchar(64)", (column) => column.primaryKey())
    .addColumn("account_id", "varchar(64)", (column) => column.notNull().references("accounts.id").onDelete("cascade"))
    .addColumn("name", "varchar(200)", (column) => column.notNull())
    .addColumn("mode", "varchar(8)", (column) => column.notNull())
    .addColumn("key_hash", "char(64)", (column) => column.notNull().unique())
    .addColumn("last4", "char(4)", (column) => column.notNull())
    .addColumn("created_at", "bigint", (column) => column.notNull())
    .addColumn("last_used_at", "bigint")
    .addColumn("expires_at", "bigint")
    .addColumn("revoked_at", "bigint")
    .addColumn("rolled_from_id", "varchar(64)")
    .addColumn("ip_allowlist", "text")
    .execute();

  // Serves keyset pagination of an account's keys: (account_id, created_at, id).
  await db.schema.createIndex("api_keys_account_created").on("api_keys").columns(["account_id", "created_at", "id"]).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("api_keys").execute();
  await db.schema.dropTable("accounts").execute();
}
