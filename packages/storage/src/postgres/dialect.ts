import { PostgresDialect } from "kysely";
import pg from "pg";
import { PostgresRecordInserts } from "./record-inserts.js";

const INT8_OID = 20;
const NUMERIC_OID = 1700;

/**
 * PostgreSQL, the scale-out store: a pool, Kysely's dialect over it, and the
 * record inserts. BIGINT columns hold epoch milliseconds and micro-dollars,
 * all within Number's safe range, so they are parsed as numbers.
 */
export function createDialect(
  url: string,
  options: { schema?: string; maxConnections?: number } = {},
): { dialect: PostgresDialect; inserts: PostgresRecordInserts } {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.maxConnections ?? 10,
    ...(options.schema === undefined ? {} : { options: `-c search_path=${options.schema}` }),
    types: {
      getTypeParser: ((oid: number, format?: "text" | "binary") =>
        oid === INT8_OID || oid === NUMERIC_OID ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  });
  return { dialect: new PostgresDialect({ pool }), inserts: new PostgresRecordInserts() };
}
