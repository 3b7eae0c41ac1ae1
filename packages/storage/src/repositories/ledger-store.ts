import type { LedgerEntry, LedgerKind, LedgerStore } from "@bentoo/core";
import { type Kysely, sql } from "kysely";
import type { Database } from "../schema.js";

/** The ledger's read side (rows are written by writeRecordBatch). */
export class KyselyLedgerStore implements LedgerStore {
  constructor(private readonly db: Kysely<Database>) {}

  async sum(accountId: string): Promise<number> {
    const row = await this.db
      .selectFrom("credit_ledger")
      .select((eb) => eb.fn.coalesce(eb.fn.sum<number>("amount_micros"), sql<number>`0`).as("total"))
      .where("account_id", "=", accountId)
      .executeTakeFirstOrThrow();
    return Number(row.total);
  }

  async list(accountId: string, options: { limit: number }): Promise<LedgerEntry[]> {
    const rows = await this.db
      .selectFrom("credit_ledger")
      .selectAll()
      .where("account_id", "=", accountId)
      .orderBy("created_at", "desc")
      .orderBy("id", "desc")
      .limit(options.limit)
      .execute();
    return rows.map((row) => ({
      id: row.id,
      accountId: row.account_id,
      kind: row.kind as LedgerKind,
      amountMicros: row.amount_micros,
      requestId: row.request_id,
      estimated: row.estimated === 1,
      apiKeyId: row.api_key_id,
      admittedAt: row.admitted_at,
      createdAt: row.created_at,
      metadata: row.metadata === null ? null : (JSON.parse(row.metadata) as Record<string, unknown>),
    }));
  }
}
