// The SQLite writer thread (see writer-thread.ts): its own connection to the
// database file, on which it runs writeRecordBatch for the batches the main
// thread sends, and inserts the stored responses it sends.
import { parentPort, workerData } from "node:worker_threads";
import { Kysely } from "kysely";
import { writeRecordBatch } from "../records/write-record-batch.js";
import { insertResponseRow } from "../repositories/response-store.js";
import type { Database } from "../schema.js";
import { openDatabaseFile, type SqliteDatabase } from "./dialect.js";
import type { WriterReply, WriterRequest } from "./writer-protocol.js";

const port = parentPort;
if (port === null) throw new Error("writer-worker.js runs as a worker thread only");

function reply(message: WriterReply): void {
  port!.postMessage(message);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

let opened: SqliteDatabase | undefined;
try {
  opened = openDatabaseFile((workerData as { path: string }).path);
} catch (error) {
  // Told to the main thread, which fails to start; with no listener left, the thread ends.
  reply({ id: 0, error: messageOf(error) });
}
if (opened !== undefined) serve(opened);

function serve({ dialect, inserts }: SqliteDatabase): void {
  const db = new Kysely<Database>({ dialect });
  reply({ id: 0, error: null });
  port!.on("message", (request: WriterRequest) => {
    if (request.kind === "close") {
      void db.destroy().then(() => {
        reply({ id: request.id, error: null });
        port!.close(); // the thread ends once nothing else is pending
      });
      return;
    }
    if (request.kind === "save-response") {
      insertResponseRow(db, request.row).then(
        () => reply({ id: request.id, error: null }),
        (error: unknown) => reply({ id: request.id, error: messageOf(error) }),
      );
      return;
    }
    writeRecordBatch(db, inserts, request.batch, request.at).then(
      ({ ledgerInserted }) => reply({ id: request.id, error: null, ledgerInserted }),
      (error: unknown) => reply({ id: request.id, error: messageOf(error) }),
    );
  });
}
