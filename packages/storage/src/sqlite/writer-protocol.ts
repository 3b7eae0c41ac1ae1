import type { RecordBatch } from "@bentoo/core";
import type { Insertable } from "kysely";
import type { ResponsesTable } from "../responses-schema.js";

/** What the main thread asks of the SQLite writer thread (writer-thread.ts → writer-worker.ts). */
export type WriterRequest =
  | { id: number; kind: "write"; batch: RecordBatch; at: number }
  | { id: number; kind: "save-response"; row: Insertable<ResponsesTable> }
  | { id: number; kind: "close" };

/**
 * The answer to request `id`; `error` is the failure's message, null on
 * success, when a write also names the ledger rows it inserted. id 0 reports
 * that the connection is open.
 */
export interface WriterReply {
  id: number;
  error: string | null;
  ledgerInserted?: readonly string[];
}
