import { PostgresDialect } from "kysely";
import pg from "pg";

const INT8_OID = 20;
const NUMERIC_OID = 1700;

/**
 * PostgreSQL, the scale-out store. BIGINT columns hold epoch milliseconds and
 * micro-dollars, all within Number's safe range, so they are parsed as numbers.
 */
export function createDialect(url: string, options: { schema?: string; maxConnections?: number } = {}): PostgresDialect {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.maxConnections ?? 10,
    ...(options.schema === undefined ? {} : { options: `-c search_path=${options.schema}` }),
    types: {
      getTypeParser: ((oid: number, format?: "text" | "binary") =>
        oid === INT8_OID || oid === NUMERIC_OID ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  });
  return new PostgresDialect({ pool });
}
