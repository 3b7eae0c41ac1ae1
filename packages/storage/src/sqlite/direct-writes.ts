import type BetterSqlite3 from "better-sqlite3";
import type { AuditRecord, LedgerEntry } from "@bentoo/core";
import { AUDIT_COLUMNS, packAuditRecord, storedAuditValues, type AuditRowValues } from "../repositories/audit-rows.js";

/**
 * Where the embedded mode's two append-only write streams go: this thread
 * (SqliteDirectWrites) or the writer thread (SqliteWriterThread). When
 * `available` is false the stores take the Kysely path instead.
 */
export interface AppendWrites {
  readonly available: boolean;
  insertAuditRecords(records: readonly AuditRecord[]): void | Promise<void>;
  appendLedger(entries: readonly LedgerEntry[], at: number): void | Promise<void>;
}

/**
 * The embedded mode's fast path for the two append-only write streams (audit
 * records, ledger rows): cached prepared single-row statements run in one
 * synchronous better-sqlite3 transaction. Kysely prepares each statement anew,
 * which for a 500-row INSERT costs more than the insert itself.
 *
 * It runs in the writer thread on a connection of its own (writer-worker.ts),
 * or, when there is no writer thread (an in-memory database), on the shared
 * connection: safe there because it is synchronous and runs only when no Kysely
 * transaction is open on the connection (`inTransaction`); when one is open,
 * callers take the Kysely path. Batches begin IMMEDIATE, taking the write lock
 * (or waiting for it) before anything else.
 */
export class SqliteDirectWrites implements AppendWrites {
  private readonly insertAudit: BetterSqlite3.Statement;
  private readonly insertLedger: BetterSqlite3.Statement;
  private readonly moveBalance: BetterSqlite3.Statement;
  private readonly auditBatch: BetterSqlite3.Transaction<(rows: readonly AuditRowValues[]) => void>;
  private readonly ledgerBatch: BetterSqlite3.Transaction<(entries: readonly LedgerEntry[], at: number) => void>;

  constructor(private readonly database: BetterSqlite3.Database) {
    const columns = AUDIT_COLUMNS.map((column) => `"${column}"`).join(", ");
    this.insertAudit = database.prepare(`insert into "audit_log" (${columns}) values (${AUDIT_COLUMNS.map(() => "?").join(", ")}) on conflict ("id") do nothing`);
    this.insertLedger = database.prepare(
      `insert into "credit_ledger" ("id", "account_id", "kind", "amount_micros", "request_id", "estimated", "created_at", "metadata") values (?, ?, ?, ?, ?, ?, ?, ?) on conflict ("id") do nothing`,
    );
    this.moveBalance = database.prepare(`update "accounts" set "balance_micros" = "balance_micros" + ?, "updated_at" = ? where "id" = ?`);
    this.auditBatch = database.transaction((rows: readonly AuditRowValues[]) => {
      for (const values of rows) this.insertAudit.run(values);
    });
    this.ledgerBatch = database.transaction((entries: readonly LedgerEntry[], at: number) => {
      const totals = new Map<string, number>();
      for (const entry of entries) {
        const { changes } = this.insertLedger.run(entry.id, entry.accountId, entry.kind, entry.amountMicros, entry.requestId, entry.estimated ? 1 : 0, entry.createdAt, entry.metadata === null ? null : JSON.stringify(entry.metadata));
        // A row already there (a batch sent again) moves no balance.
        if (changes === 1) totals.set(entry.accountId, (totals.get(entry.accountId) ?? 0) + entry.amountMicros);
      }
      for (const [accountId, delta] of totals) if (delta !== 0) this.moveBalance.run(delta, at, accountId);
    });
  }

  /** False while a Kysely transaction is open on the shared connection. */
  get available(): boolean {
    return !this.database.inTransaction;
  }

  insertAuditRecords(records: readonly AuditRecord[]): void {
    this.insertAuditRows(records.map((record) => storedAuditValues(packAuditRecord(record))));
  }

  /** Rows already in column order (storedAuditValues), as the writer thread receives them. */
  insertAuditRows(rows: readonly AuditRowValues[]): void {
    this.auditBatch.immediate(rows);
  }

  appendLedger(entries: readonly LedgerEntry[], at: number): void {
    this.ledgerBatch.immediate(entries, at);
  }
}
