import { CompiledQuery } from "kysely";

declare global {
  // ES2024, in Node.js since 20.0; TypeScript's lib here is ES2023.
  interface String {
    isWellFormed(): boolean;
    toWellFormed(): string;
  }
}

/** A column of a MultiRowInsert, with the PostgreSQL type its JSON text is cast to ("text" needs none). */
export interface InsertColumn {
  name: string;
  postgresType: "text" | "bigint" | "integer" | "smallint" | "double precision";
}

/**
 * One INSERT of many rows, without Kysely's query builder, which spent
 * milliseconds compiling a batch of hundreds of rows and capped the audit and
 * ledger writers. `suffix` follows the rows (ON CONFLICT …, RETURNING …).
 *
 * - SQLite: a VALUES list with one parameter per value; the text is cached per
 *   row count (the texts only differ in the number of tuples).
 * - PostgreSQL: the rows travel as ONE parameter, a JSON array of arrays, which
 *   the server unpacks (json_array_elements) and casts column by column. One
 *   text serves every batch, and JSON.stringify writes the whole batch natively.
 *   With a parameter per value, the pg driver converted and framed each of them
 *   in JavaScript: about 31 per request (an audit row and a ledger row), on the
 *   event loop, in one block per batch.
 */
export class MultiRowInsert<Row = unknown> {
  private readonly texts = new Map<number, string>();
  private readonly postgresText: string | null;

  constructor(
    private readonly dialect: "sqlite" | "postgres",
    private readonly table: string,
    private readonly columns: readonly InsertColumn[],
    private readonly suffix: string,
  ) {
    const names = columns.map((column) => `"${column.name}"`).join(", ");
    const casts = columns.map((column, index) => (column.postgresType === "text" ? `r->>${index}` : `(r->>${index})::${column.postgresType}`)).join(", ");
    this.postgresText = dialect === "postgres" ? `insert into "${table}" (${names}) select ${casts} from json_array_elements($1::json) as rows(r) ${suffix}` : null;
  }

  /** Each row holds its values in `columns` order. */
  query(rows: ReadonlyArray<readonly unknown[]>): CompiledQuery<Row> {
    if (this.postgresText !== null) return CompiledQuery.raw(this.postgresText, [jsonRows(rows)]);
    const values: unknown[] = [];
    for (const row of rows) for (const value of row) values.push(value);
    return CompiledQuery.raw(this.sqliteText(rows.length), values);
  }

  private sqliteText(rowCount: number): string {
    let text = this.texts.get(rowCount);
    if (text === undefined) {
      const tuple = `(${this.columns.map(() => "?").join(", ")})`;
      text = `insert into "${this.table}" (${this.columns.map((column) => `"${column.name}"`).join(", ")}) values ${Array.from({ length: rowCount }, () => tuple).join(", ")} ${this.suffix}`;
      if (this.texts.size > 16) this.texts.clear();
      this.texts.set(rowCount, text);
    }
    return text;
  }
}

function isIllFormedString(value: unknown): boolean {
  return typeof value === "string" && !value.isWellFormed();
}

/**
 * The rows as JSON. A string with half of a surrogate pair (a value cut at its
 * column width can end in one) would be written as a \\u escape that
 * PostgreSQL refuses to turn into text, failing the whole batch; it gets
 * U+FFFD in its place, as the driver's UTF-8 encoding did before.
 */
function jsonRows(rows: ReadonlyArray<readonly unknown[]>): string {
  let safe = rows;
  for (let index = 0; index < rows.length; index += 1) {
    const row = rows[index]!;
    if (!row.some(isIllFormedString)) continue;
    if (safe === rows) safe = [...rows];
    (safe as unknown[][])[index] = row.map((value) => (typeof value === "string" ? value.toWellFormed() : value));
  }
  return JSON.stringify(safe);
}
