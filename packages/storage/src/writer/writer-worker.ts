// The writer thread (see writer-thread.ts): a connection of its own to the
// database, running the append-only batches (audit records, ledger rows) that
// the main thread sends.
import { parentPort, workerData } from "node:worker_threads";
import type { AuditRecord, LedgerEntry } from "@bentoo/core";
import { WRITER_APPLICATION_NAME, type WriterReply, type WriterRequest, type WriterTarget } from "./writer-protocol.js";

interface Writes {
  audit(records: readonly AuditRecord[]): void | Promise<void>;
  ledger(entries: readonly LedgerEntry[], at: number): void | Promise<void>;
  close(): void | Promise<void>;
}

const port = parentPort;
if (port === null) throw new Error("writer-worker.js runs as a worker thread only");

function reply(message: WriterReply): void {
  port!.postMessage(message);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** SQLite: synchronous statements on a connection of the thread's own (only better-sqlite3 is loaded). */
async function sqliteWrites(path: string): Promise<Writes> {
  const { openSqliteConnection } = await import("../sqlite/connection.js");
  const { SqliteDirectWrites } = await import("../sqlite/direct-writes.js");
  const database = openSqliteConnection(path);
  const writes = new SqliteDirectWrites(database);
  return {
    audit: (records) => writes.insertAuditRecords(records),
    ledger: (entries, at) => writes.appendLedger(entries, at),
    close: () => {
      database.close();
    },
  };
}

/** PostgreSQL: the stores' own Kysely paths, on a small pool of the thread's own. */
async function postgresWrites(url: string, schema: string | undefined): Promise<Writes> {
  const { Kysely, sql } = await import("kysely");
  const { createDialect } = await import("../postgres/dialect.js");
  const { KyselyAuditStore } = await import("../repositories/audit-store.js");
  const { KyselyLedgerStore } = await import("../repositories/ledger-store.js");
  const db = new Kysely<import("../schema.js").Database>({ dialect: createDialect(url, { schema, maxConnections: 2, applicationName: WRITER_APPLICATION_NAME }) });
  try {
    await sql`select 1`.execute(db);
  } catch (error) {
    await db.destroy();
    throw error;
  }
  const audit = new KyselyAuditStore(db, "postgres");
  const ledger = new KyselyLedgerStore(db, "postgres");
  return {
    audit: (records) => audit.insertMany(records),
    ledger: (entries, at) => ledger.appendAt(entries, [], at),
    close: () => db.destroy(),
  };
}

function serve(writes: Writes): void {
  reply({ id: 0, error: null });
  port!.on("message", (request: WriterRequest) => {
    void handle(writes, request);
  });
}

async function handle(writes: Writes, request: WriterRequest): Promise<void> {
  try {
    if (request.kind === "audit") await writes.audit(request.records);
    else if (request.kind === "ledger") await writes.ledger(request.entries, request.at);
    else {
      await writes.close();
      reply({ id: request.id, error: null });
      port!.close(); // the thread ends once nothing else is pending
      return;
    }
    reply({ id: request.id, error: null });
  } catch (error) {
    reply({ id: request.id, error: messageOf(error) });
  }
}

const target = workerData as WriterTarget;
try {
  serve(target.dialect === "sqlite" ? await sqliteWrites(target.path) : await postgresWrites(target.url, target.schema));
} catch (error) {
  // Told to the main thread, which fails to start; with no listener left, the thread ends.
  reply({ id: 0, error: messageOf(error) });
}
