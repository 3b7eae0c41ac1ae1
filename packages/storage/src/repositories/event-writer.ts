import type { AuditRecord, RecordBatch, RecordWriteResult } from "@bentoo/core";
import type { Kysely } from "kysely";
import type { Database } from "../schema.js";

/** Writes a record batch through a given connection or transaction (writeRecordBatch, bound to its dialect's inserts). */
export type BatchWriter = (db: Kysely<Database>, batch: RecordBatch) => Promise<RecordWriteResult>;

/** Writes management events through a given transaction, so they commit with the change they describe. */
export type EventWriter = (db: Kysely<Database>, events: readonly AuditRecord[]) => Promise<void>;

export function eventWriter(write: BatchWriter): EventWriter {
  return async (db, events) => {
    await write(db, { audit: events, ledger: [] });
  };
}
