import BetterSqlite3 from "better-sqlite3";

/**
 * Opens one connection with the settings every connection to the file uses:
 * write-ahead logging so readers never wait for the writer, and a busy timeout
 * so two connections writing (the main thread's and the writer thread's) take turns.
 */
export function openSqliteConnection(path: string): BetterSqlite3.Database {
  const database = new BetterSqlite3(path);
  database.pragma("journal_mode = WAL");
  database.pragma("synchronous = NORMAL");
  database.pragma("busy_timeout = 5000");
  database.pragma("foreign_keys = ON");
  return database;
}
