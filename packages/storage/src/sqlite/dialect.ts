import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { SqliteDialect } from "kysely";

/** `sqlite:./data/bentoo.db`, `sqlite:/abs/path.db` or `sqlite::memory:` → the file path. */
export function sqlitePath(url: string): string {
  const path = url.slice("sqlite:".length).replace(/^\/\/(?=\/)/, "");
  if (path === "") throw new Error("BENTOO_DATABASE_URL names no SQLite file: use e.g. sqlite:./data/bentoo.db");
  return path;
}

/** The embedded default: one file, write-ahead logging so readers never wait for the writer. */
export function createDialect(url: string): { dialect: SqliteDialect; database: BetterSqlite3.Database } {
  const path = sqlitePath(url);
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  const database = new BetterSqlite3(path);
  database.pragma("journal_mode = WAL");
  database.pragma("synchronous = NORMAL");
  database.pragma("busy_timeout = 5000");
  database.pragma("foreign_keys = ON");
  return { dialect: new SqliteDialect({ database }), database };
}
