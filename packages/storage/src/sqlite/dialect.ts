import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import type BetterSqlite3 from "better-sqlite3";
import { openSqliteConnection } from "./connection.js";
import { CompiledQuery, SqliteDialect, SqliteDriver, type DatabaseConnection, type Driver, type SqliteDialectConfig } from "kysely";

/** `sqlite:./data/bentoo.db`, `sqlite:/abs/path.db` or `sqlite::memory:` → the file path. */
export function sqlitePath(url: string): string {
  const path = url.slice("sqlite:".length).replace(/^\/\/(?=\/)/, "");
  if (path === "") throw new Error("BENTOO_DATABASE_URL names no SQLite file: use e.g. sqlite:./data/bentoo.db");
  return path;
}

/**
 * Kysely's transactions begin IMMEDIATE: they take the write lock up front
 * (waiting out the busy timeout if the writer thread holds it) instead of at
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

/** The embedded default: one file, and the path it lives at (":memory:" for a private in-memory database). */
export function createDialect(url: string): { dialect: SqliteDialect; database: BetterSqlite3.Database; path: string } {
  const path = sqlitePath(url);
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  const database = openSqliteConnection(path);
  return { dialect: new EmbeddedSqliteDialect({ database }), database, path };
}
