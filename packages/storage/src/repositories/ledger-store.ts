import type { AuditRecord, LedgerEntry, LedgerKind, LedgerStore } from "@bentoo/core";
import { sql, type Kysely } from "kysely";
import type { Database } from "../schema.js";
import type { EventWriter } from "./event-writer.js";
import type { SqliteDirectWrites } from "../sqlite/direct-writes.js";

/** Rows per INSERT statement (8 columns each, well under both dialects' parameter limits). */
const CHUNK = 1000;

export class KyselyLedgerStore implements LedgerStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly now: () => number = Date.now,
    private readonly writeEvents: EventWriter = async () => undefined,
    private readonly direct: SqliteDirectWrites | null = null,
  ) {}

  async append(entries: readonly LedgerEntry[], events: readonly AuditRecord[] = []): Promise<void> {
    if (entries.length === 0) return;
    if (events.length === 0 && this.direct?.available) {
      this.direct.appendLedger(entries, this.now());
      return;
    }
    const totals = new Map<string, number>();
    for (const entry of entries) totals.set(entry.accountId, (totals.get(entry.accountId) ?? 0) + entry.amountMicros);
    await this.db.transaction().execute(async (trx) => {
      for (let start = 0; start < entries.length; start += CHUNK) {
        await trx
          .insertInto("credit_ledger")
          .values(
            entries.slice(start, start + CHUNK).map((entry) => ({
              id: entry.id,
              account_id: entry.accountId,
              kind: entry.kind,
              amount_micros: entry.amountMicros,
              request_id: entry.requestId,
              estimated: entry.estimated ? 1 : 0,
              created_at: entry.createdAt,
              metadata: entry.metadata === null ? null : JSON.stringify(entry.metadata),
            })),
          )
          .execute();
      }
      // Accounts in a fixed order so concurrent batches cannot deadlock on row locks.
      for (const accountId of [...totals.keys()].sort()) {
        const delta = totals.get(accountId)!;
        if (delta === 0) continue;
        await trx
          .updateTable("accounts")
          .set({ balance_micros: sql<number>`balance_micros + ${delta}`, updated_at: this.now() })
          .where("id", "=", accountId)
          .execute();
      }
      await this.writeEvents(trx, events);
    });
  }

  async sum(accountId: string): Promise<number> {
    const row = await this.db
      .selectFrom("credit_ledger")
      .select((eb) => eb.fn.coalesce(eb.fn.sum<number>("amount_micros"), sql<number>`0`).as("total"))
      .where("account_id", "=", accountId)
      .executeTakeFirstOrThrow();
    return Number(row.total);
  }

  async list(accountId: string, options: { limit: number }): Promise<LedgerEntry[]> {
    const rows = await this.db.selectFrom("credit_ledger").selectAll().where("account_id", "=", accountId).orderBy("created_at", "desc").orderBy("id", "desc").limit(options.limit).execute();
    return rows.map((row) => ({
      id: row.id,
      accountId: row.account_id,
      kind: row.kind as LedgerKind,
      amountMicros: row.amount_micros,
      requestId: row.request_id,
      estimated: row.estimated === 1,
      createdAt: row.created_at,
      metadata: row.metadata === null ? null : (JSON.parse(row.metadata) as Record<string, unknown>),
    }));
  }
}
