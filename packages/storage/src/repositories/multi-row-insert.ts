import { CompiledQuery } from "kysely";

/**
 * One multi-row INSERT whose text is built by hand and cached per row count.
 * Kysely's query builder spends milliseconds compiling a batch of hundreds of
 * rows, which capped the audit and ledger writers; their texts only differ in
 * the number of value tuples. `suffix` follows the VALUES list (ON CONFLICT …,
 * RETURNING …).
 */
export class MultiRowInsert<Row = unknown> {
  private readonly texts = new Map<number, string>();

  constructor(
    private readonly dialect: "sqlite" | "postgres",
    private readonly table: string,
    private readonly columns: readonly string[],
    private readonly suffix: string,
  ) {}

  /** `values` holds the rows' values one after another, `columns.length` per row. */
  query(rowCount: number, values: unknown[]): CompiledQuery<Row> {
    return CompiledQuery.raw(this.text(rowCount), values);
  }

  private text(rowCount: number): string {
    let text = this.texts.get(rowCount);
    if (text === undefined) {
      let parameter = 0;
      const placeholder = this.dialect === "postgres" ? () => `$${(parameter += 1)}` : () => "?";
      const tuples = Array.from({ length: rowCount }, () => `(${this.columns.map(placeholder).join(", ")})`).join(", ");
      text = `insert into "${this.table}" (${this.columns.map((column) => `"${column}"`).join(", ")}) values ${tuples} ${this.suffix}`;
      if (this.texts.size > 16) this.texts.clear();
      this.texts.set(rowCount, text);
    }
    return text;
  }
}
