import type { AuditRecord, LedgerEntry } from "@bentoo/core";
import type BetterSqlite3 from "better-sqlite3";
import { AUDIT_COLUMNS, auditRowValues } from "../records/audit-rows.js";
import { LEDGER_COLUMNS, ledgerRowValues } from "../records/ledger-rows.js";
import { type RecordInserts, usageUpsertClause } from "../records/record-inserts.js";
import { USAGE_COLUMNS, USAGE_COUNTERS, type UsageRowValues } from "../records/usage-rows.js";
import type { UsageTable } from "../usage-schema.js";

function insertText(table: string, columns: readonly string[], conflict = `on conflict ("id") do nothing`): string {
  return `insert into "${table}" (${columns.map((column) => `"${column}"`).join(", ")}) values (${columns.map(() => "?").join(", ")}) ${conflict}`;
}

interface Statements {
  audit: BetterSqlite3.Statement<unknown[]>;
  ledger: BetterSqlite3.Statement<unknown[]>;
  usage: Record<UsageTable, BetterSqlite3.Statement<unknown[]>>;
}

function usageInsert(database: BetterSqlite3.Database, table: UsageTable): BetterSqlite3.Statement<unknown[]> {
  return database.prepare(insertText(table, USAGE_COLUMNS, usageUpsertClause(table, USAGE_COUNTERS)));
}

/**
 * SQLite's inserts: one cached prepared single-row statement per table, run
 * once per row. Kysely prepares every statement it executes anew, which for
 * a multi-row INSERT of a batch cost more than the insert itself.
 *
 * The statements belong to `database`, the connection the Kysely instance of
 * the same createDialect() call runs on. `writeRecordBatch` calls them only
 * inside a transaction of that instance, which holds the connection; they run
 * synchronously, so nothing else runs on it meanwhile.
 */
export class SqliteRecordInserts implements RecordInserts {
  #statements: Statements | null = null;

  constructor(private readonly database: BetterSqlite3.Database) {}

  async audit(_trx: unknown, records: readonly AuditRecord[]): Promise<readonly AuditRecord[]> {
    const statement = this.#prepared().audit;
    const inserted: AuditRecord[] = [];
    for (const record of records) if (statement.run(auditRowValues(record)).changes === 1) inserted.push(record);
    return inserted;
  }

  async ledger(_trx: unknown, entries: readonly LedgerEntry[]): Promise<readonly LedgerEntry[]> {
    const statement = this.#prepared().ledger;
    const inserted: LedgerEntry[] = [];
    for (const entry of entries) if (statement.run(ledgerRowValues(entry)).changes === 1) inserted.push(entry);
    return inserted;
  }

  async usage(_trx: unknown, table: UsageTable, rows: readonly UsageRowValues[]): Promise<void> {
    const statement = this.#prepared().usage[table];
    for (const row of rows) statement.run(row);
  }

  /** Prepared at first use: the connection is opened before the migrations create the tables. */
  #prepared(): Statements {
    this.#statements ??= {
      audit: this.database.prepare(insertText("audit_log", AUDIT_COLUMNS)),
      ledger: this.database.prepare(insertText("credit_ledger", LEDGER_COLUMNS)),
      usage: { usage_hourly: usageInsert(this.database, "usage_hourly"), usage_daily: usageInsert(this.database, "usage_daily") },
    };
    return this.#statements;
  }
}
