import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { RecordBatch, RecordWriteResult } from "@bentoo/core";
import type { Insertable } from "kysely";
import type { ResponsesTable } from "../responses-schema.js";
import type { WriterReply, WriterRequest } from "./writer-protocol.js";

/** The compiled worker next to this module, or (when running from the TypeScript sources, as the tests do) the one under dist/. */
function workerScript(): URL | null {
  for (const candidate of ["./writer-worker.js", "../../dist/sqlite/writer-worker.js"]) {
    const url = new URL(candidate, import.meta.url);
    if (existsSync(fileURLToPath(url))) return url;
  }
  return null;
}

interface Waiting {
  resolve: (result: RecordWriteResult) => void;
  reject: (error: Error) => void;
}

/**
 * The writer thread's heap. A batch is at most a thousand small records, and what
 * it allocates dies young: a small young generation keeps the thread's resident
 * memory down (about 6 MB less than V8's default under load).
 */
const WORKER_HEAP = { maxOldGenerationSizeMb: 64, maxYoungGenerationSizeMb: 2 };

/**
 * The embedded mode's record batches (`Storage.records.write`), and its stored
 * responses (`Storage.responses.save`), on a thread of their own, which runs the same writeRecordBatch on its own connection to the
 * database file: the inserts, the commits and the WAL checkpoints that follow
 * them no longer stop the event loop. WAL lets the main thread's connection
 * read meanwhile; its writes wait for the lock (busy timeout), and its Kysely
 * transactions begin IMMEDIATE.
 *
 * If the thread dies, the batches in flight fail (the RecordWriter retries
 * them) and `available` turns false, so batches are written on the main
 * connection from then on.
 */
export class SqliteWriterThread {
  readonly #worker: Worker;
  readonly #waiting = new Map<number, Waiting>();
  #nextId = 1;
  #failure: Error | null = null;
  #closing = false;
  readonly #exited: Promise<void>;

  private constructor(worker: Worker) {
    this.#worker = worker;
    worker.on("message", (message: WriterReply) => this.#settle(message));
    worker.on("error", (error) => this.#fail(error));
    this.#exited = new Promise((resolve) =>
      worker.once("exit", (code) => {
        this.#fail(new Error(`the SQLite writer thread exited (code ${code})`));
        resolve();
      }),
    );
    // Held open only while a batch is in flight: a process that forgets Storage.close() can still exit.
    worker.unref();
  }

  /** Starts the thread on the database file at `path`; null when the worker script is not built. */
  static async start(path: string): Promise<SqliteWriterThread | null> {
    const script = workerScript();
    if (script === null) return null;
    // No inherited Node flags: the parent's (a heap cap, --cpu-prof, --input-type) are not the thread's.
    const worker = new Worker(script, { workerData: { path }, execArgv: [], resourceLimits: WORKER_HEAP });
    const opened = await new Promise<WriterReply>((resolve) => {
      worker.once("message", resolve);
      worker.once("error", (error) => resolve({ id: 0, error: error.message }));
    });
    if (opened.error !== null) {
      await worker.terminate();
      throw new Error(`the SQLite writer thread could not open ${path}: ${opened.error}`);
    }
    return new SqliteWriterThread(worker);
  }

  get available(): boolean {
    return this.#failure === null && !this.#closing;
  }

  /** Writes the batch on the thread's connection; `at` is the accounts' updated_at. */
  write(batch: RecordBatch, at: number): Promise<RecordWriteResult> {
    return this.#call({ id: this.#nextId++, kind: "write", batch, at });
  }

  /** Inserts a stored response's row on the thread's connection (in turn with the batches). */
  async saveResponse(row: Insertable<ResponsesTable>): Promise<void> {
    await this.#call({ id: this.#nextId++, kind: "save-response", row });
  }

  /** Waits for the batches sent so far, closes the thread's connection and lets the thread end. */
  async close(): Promise<void> {
    if (this.#closing) return this.#exited;
    this.#closing = true;
    // Held until it has exited: awaiting an unreferenced worker would let the process end first.
    this.#worker.ref();
    if (this.#failure === null) await this.#call({ id: this.#nextId++, kind: "close" }).catch(() => undefined);
    await this.#exited;
  }

  #call(request: WriterRequest): Promise<RecordWriteResult> {
    if (this.#failure !== null) return Promise.reject(this.#failure);
    return new Promise<RecordWriteResult>((resolve, reject) => {
      if (this.#waiting.size === 0) this.#worker.ref();
      this.#waiting.set(request.id, { resolve, reject });
      this.#worker.postMessage(request);
    });
  }

  #settle(message: WriterReply): void {
    const waiting = this.#waiting.get(message.id);
    if (waiting === undefined) return;
    this.#waiting.delete(message.id);
    if (this.#waiting.size === 0 && !this.#closing) this.#worker.unref();
    if (message.error === null) waiting.resolve({ ledgerInserted: message.ledgerInserted ?? [] });
    else waiting.reject(new Error(message.error));
  }

  #fail(error: Error): void {
    this.#failure ??= error;
    for (const waiting of this.#waiting.values()) waiting.reject(this.#failure);
    this.#waiting.clear();
  }
}
