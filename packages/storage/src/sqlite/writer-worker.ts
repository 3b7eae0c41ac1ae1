// The SQLite writer thread (see writer-thread.ts): its own connection to the
// database file, running the append-only batches that the main thread sends.
import { parentPort, workerData } from "node:worker_threads";
import type BetterSqlite3 from "better-sqlite3";
import { openSqliteConnection } from "./connection.js";
import { SqliteDirectWrites } from "./direct-writes.js";
import { storedAuditValues } from "../repositories/audit-rows.js";
import { unpackLedgerEntry, type WriterReply, type WriterRequest } from "./writer-protocol.js";

const port = parentPort;
if (port === null) throw new Error("writer-worker.js runs as a worker thread only");

function reply(message: WriterReply): void {
  port!.postMessage(message);
}

let database: BetterSqlite3.Database | undefined;
try {
  database = openSqliteConnection((workerData as { path: string }).path);
} catch (error) {
  // Told to the main thread, which fails to start; with no listener left, the thread ends.
  reply({ id: 0, error: error instanceof Error ? error.message : String(error) });
}
if (database !== undefined) serve(database);

function serve(open: BetterSqlite3.Database): void {
  const writes = new SqliteDirectWrites(open);
  reply({ id: 0, error: null });
  port!.on("message", (request: WriterRequest) => {
    try {
      if (request.kind === "audit") writes.insertAuditRows(request.records.map(storedAuditValues));
      else if (request.kind === "ledger") writes.appendLedger(request.entries.map(unpackLedgerEntry), request.at);
      else {
        open.close();
        reply({ id: request.id, error: null });
        port!.close(); // the thread ends once nothing else is pending
        return;
      }
      reply({ id: request.id, error: null });
    } catch (error) {
      reply({ id: request.id, error: error instanceof Error ? error.message : String(error) });
    }
  });
}
