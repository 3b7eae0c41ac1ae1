import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { CompiledQuery, type DatabaseConnection, type Driver, SqliteDialect, type SqliteDialectConfig, SqliteDriver } from "kysely";
import { openSqliteConnection } from "./connection.js";
import { SqliteRecordInserts } from "./record-inserts.js";

/** `sqlite:./data/bentoo.db`, `sqlite:/abs/path.db` or `sqlite::memory:` → the file path. */
export function sqlitePath(url: string): string {
  const path = url.slice("sqlite:".length).replace(/^\/\/(?=\/)/, "");
  if (path === "") throw new Error("BENTOO_DATABASE_URL names no SQLite file: use e.g. sqlite:./data/bentoo.db");
  return path;
}

/**
 * Kysely's transactions begin IMMEDIATE: they take the write lock up front
 * (waiting out the busy timeout if another connection holds it) instead of at
 * their first write. A deferred transaction that read first could not take the
 * lock once another connection had committed since its read (SQLITE_BUSY, at
 * once, whatever the timeout).
 */
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw("begin immediate"));
  }
}

class EmbeddedSqliteDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig;

  constructor(config: SqliteDialectConfig) {
    super(config);
    this.#config = config;
  }

  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.#config);
  }
}

/** One connection to the database: Kysely's dialect over it, and the record inserts bound to it. */
export interface SqliteDatabase {
  dialect: SqliteDialect;
  inserts: SqliteRecordInserts;
  /** The file (":memory:" for a private in-memory database). */
  path: string;
}

/** The embedded default: one file, created with its directory when missing. */
export function createDialect(url: string): SqliteDatabase {
  const path = sqlitePath(url);
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  return openDatabaseFile(path);
}

/** A connection to an existing database file (the writer thread's own). */
export function openDatabaseFile(path: string): SqliteDatabase {
  const database = openSqliteConnection(path);
  return { dialect: new EmbeddedSqliteDialect({ database }), inserts: new SqliteRecordInserts(database), path };
}
