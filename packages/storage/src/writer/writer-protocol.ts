import type { AuditRecord, LedgerEntry } from "@bentoo/core";

/** The writer thread's PostgreSQL connections show under this name in pg_stat_activity. */
export const WRITER_APPLICATION_NAME = "bentoo-writer";

/** Where the writer thread writes: a SQLite file, or a PostgreSQL database (and schema). */
export type WriterTarget = { dialect: "sqlite"; path: string } | { dialect: "postgres"; url: string; schema?: string };

/** What the main thread asks of the writer thread (writer-thread.ts → writer-worker.ts). */
export type WriterRequest =
  | { id: number; kind: "audit"; records: readonly AuditRecord[] }
  | { id: number; kind: "ledger"; entries: readonly LedgerEntry[]; at: number }
  | { id: number; kind: "close" };

/** The answer to request `id`; `error` is the failure's message, null on success. id 0 reports that the connection is open. */
export interface WriterReply {
  id: number;
  error: string | null;
}

/**
 * Where the append-only write streams go: this thread (SqliteDirectWrites, for
 * an in-memory SQLite database) or the writer thread (WriterThread). When
 * `available` is false the stores take their Kysely path instead.
 */
export interface AppendWrites {
  readonly available: boolean;
  insertAuditRecords(records: readonly AuditRecord[]): void | Promise<void>;
  appendLedger(entries: readonly LedgerEntry[], at: number): void | Promise<void>;
}
