import type { AuditRecord, LedgerEntry } from "@bentoo/core";
import { CompiledQuery, type Kysely } from "kysely";
import { AUDIT_COLUMNS, auditRowValues } from "../records/audit-rows.js";
import { LEDGER_COLUMNS, ledgerRowValues } from "../records/ledger-rows.js";
import { type RecordInserts, usageUpsertClause } from "../records/record-inserts.js";
import { USAGE_COLUMNS, USAGE_COUNTERS, type UsageRowValues } from "../records/usage-rows.js";
import type { Database } from "../schema.js";
import type { UsageTable } from "../usage-schema.js";

/** The PostgreSQL type a column's JSON text is cast to; the others are text. */
const COLUMN_TYPES: Readonly<Record<string, string>> = {
  timestamp: "bigint",
  status: "integer",
  prompt_tokens: "bigint",
  completion_tokens: "bigint",
  total_tokens: "bigint",
  cache_read_tokens: "bigint",
  cache_write_tokens: "bigint",
  reasoning_tokens: "bigint",
  cost_micros: "bigint",
  usage_estimated: "smallint",
  latency_ms: "double precision",
  amount_micros: "bigint",
  estimated: "smallint",
  created_at: "bigint",
  admitted_at: "bigint",
  bucket_start: "bigint",
  requests: "bigint",
  errors: "bigint",
};

/** One INSERT of every row of a batch, which travel as one parameter: a JSON array of arrays in `columns` order. */
function jsonInsertText(table: string, columns: readonly string[], conflict = `on conflict ("id") do nothing returning "id"`): string {
  const names = columns.map((column) => `"${column}"`).join(", ");
  const casts = columns.map((column, index) => (COLUMN_TYPES[column] === undefined ? `r->>${index}` : `(r->>${index})::${COLUMN_TYPES[column]}`)).join(", ");
  return `insert into "${table}" (${names}) select ${casts} from json_array_elements($1::json) as rows(r) ${conflict}`;
}

function insertQuery(text: string, rows: ReadonlyArray<readonly unknown[]>): CompiledQuery<{ id: string }> {
  return CompiledQuery.raw(text, [JSON.stringify(rows)]);
}

/** The items whose ids the INSERT returned, in batch order. */
function insertedOnly<Item extends { id: string }>(items: readonly Item[], rows: ReadonlyArray<{ id: string }>): readonly Item[] {
  if (rows.length === items.length) return items;
  const ids = new Set(rows.map((row) => row.id));
  return items.filter((item) => ids.has(item.id));
}

/**
 * PostgreSQL's inserts: the whole batch in one statement with one parameter,
 * which the server unpacks (json_array_elements) and casts column by column.
 * JSON.stringify writes the batch natively; with a parameter per value the
 * pg driver converted and framed each of them in JavaScript (about 31 per
 * request), on the event loop. One statement text serves every batch size, and
 * JSON has no bind-parameter limit.
 */
export class PostgresRecordInserts implements RecordInserts {
  readonly #auditText = jsonInsertText("audit_log", AUDIT_COLUMNS);
  readonly #ledgerText = jsonInsertText("credit_ledger", LEDGER_COLUMNS);
  readonly #usageText: Record<UsageTable, string> = {
    usage_hourly: jsonInsertText("usage_hourly", USAGE_COLUMNS, usageUpsertClause("usage_hourly", USAGE_COUNTERS)),
    usage_daily: jsonInsertText("usage_daily", USAGE_COLUMNS, usageUpsertClause("usage_daily", USAGE_COUNTERS)),
  };

  async audit(trx: Kysely<Database>, records: readonly AuditRecord[]): Promise<readonly AuditRecord[]> {
    if (records.length === 0) return records;
    const { rows } = await trx.executeQuery(insertQuery(this.#auditText, records.map(auditRowValues)));
    return insertedOnly(records, rows);
  }

  async ledger(trx: Kysely<Database>, entries: readonly LedgerEntry[]): Promise<readonly LedgerEntry[]> {
    if (entries.length === 0) return entries;
    const { rows } = await trx.executeQuery(insertQuery(this.#ledgerText, entries.map(ledgerRowValues)));
    return insertedOnly(entries, rows);
  }

  /** One upsert for the batch; its rows come sorted by key, so concurrent batches lock shared rows in the same order. */
  async usage(trx: Kysely<Database>, table: UsageTable, rows: readonly UsageRowValues[]): Promise<void> {
    if (rows.length === 0) return;
    await trx.executeQuery(CompiledQuery.raw(this.#usageText[table], [JSON.stringify(rows)]));
  }
}
