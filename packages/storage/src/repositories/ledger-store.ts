import type { AuditRecord, LedgerEntry, LedgerKind, LedgerStore } from "@bentoo/core";
import { CompiledQuery, sql, type Kysely } from "kysely";
import type { Database } from "../schema.js";
import type { EventWriter } from "./event-writer.js";
import type { AppendWrites } from "../sqlite/direct-writes.js";
import { MultiRowInsert, type InsertColumn } from "./multi-row-insert.js";

/** Rows per INSERT statement (8 columns each, well under both dialects' parameter limits). */
const CHUNK = 1000;
const LEDGER_COLUMNS: readonly InsertColumn[] = [
  { name: "id", postgresType: "text" },
  { name: "account_id", postgresType: "text" },
  { name: "kind", postgresType: "text" },
  { name: "amount_micros", postgresType: "bigint" },
  { name: "request_id", postgresType: "text" },
  { name: "estimated", postgresType: "smallint" },
  { name: "created_at", postgresType: "bigint" },
  { name: "metadata", postgresType: "text" },
];

function hasIllFormedRequestId(entry: LedgerEntry): boolean {
  return entry.requestId !== null && !entry.requestId.isWellFormed();
}

export class KyselyLedgerStore implements LedgerStore {
  /**
   * ON CONFLICT (id) DO NOTHING … RETURNING makes a retried batch idempotent:
   * when a commit went through but its reply was lost, the retry inserts nothing
   * and, moving balances by the rows it did insert only, moves nothing either.
   */
  private readonly insert: MultiRowInsert<{ account_id: string; amount_micros: number }>;

  constructor(
    private readonly db: Kysely<Database>,
    dialect: "sqlite" | "postgres",
    private readonly now: () => number = Date.now,
    private readonly writeEvents: EventWriter = async () => undefined,
    private readonly direct: AppendWrites | null = null,
  ) {
    this.insert = new MultiRowInsert(dialect, "credit_ledger", LEDGER_COLUMNS, 'on conflict ("id") do nothing returning "account_id", "amount_micros"');
  }

  private insertQuery(entries: readonly LedgerEntry[]): CompiledQuery<{ account_id: string; amount_micros: number }> {
    return this.insert.query(
      entries.map((entry) => [entry.id, entry.accountId, entry.kind, entry.amountMicros, entry.requestId, entry.estimated ? 1 : 0, entry.createdAt, entry.metadata === null ? null : JSON.stringify(entry.metadata)]),
    );
  }

  async append(given: readonly LedgerEntry[], events: readonly AuditRecord[] = []): Promise<void> {
    if (given.length === 0) return;
    // Half of a surrogate pair becomes U+FFFD in both databases (SQLite would store it as three).
    const entries = given.some(hasIllFormedRequestId) ? given.map((entry) => (hasIllFormedRequestId(entry) ? { ...entry, requestId: entry.requestId!.toWellFormed() } : entry)) : given;
    if (events.length === 0 && this.direct?.available) {
      await this.direct.appendLedger(entries, this.now());
      return;
    }
    await this.db.transaction().execute(async (trx) => {
      const totals = new Map<string, number>();
      for (let start = 0; start < entries.length; start += CHUNK) {
        const inserted = await trx.executeQuery(this.insertQuery(entries.slice(start, start + CHUNK)));
        for (const row of inserted.rows) totals.set(row.account_id, (totals.get(row.account_id) ?? 0) + Number(row.amount_micros));
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
