import type { AuditRecord, LedgerEntry, RecordBatch, RecordStore } from "@bentoo/core";
import type { RecordJournal } from "./journal/record-journal.js";
import { RecordQueue } from "./record-queue.js";

export interface RecordWriterOptions {
  store: Pick<RecordStore, "write">;
  /**
   * Where every accepted record and row is appended before `audit()` or
   * `ledger()` returns, so that a killed process loses none of them (the next
   * start replays it); its segments go once their entries are committed.
   * Opened and replayed by the caller; closed by `close()`.
   */
  journal?: RecordJournal;
  /** Audit records waiting beyond this are dropped (and counted). Ledger rows are never dropped. Default 50,000. */
  maxQueue?: number;
  /** At most this many audit records and this many ledger rows per batch; a batch goes out at once when either kind fills it. Default 500. */
  batchSize?: number;
  /** A partial batch waits at most this long. Default 100 ms. */
  flushIntervalMs?: number;
  /** Waits before the retries of a failing batch, in order; the last one repeats for as long as ledger rows wait. Default [100, 500, 1000, 2000, 5000]. */
  retryDelaysMs?: readonly number[];
  /** A failing batch's audit records are given up (counted lost) after this many attempts; its ledger rows are tried until written. Default 3. */
  auditAttempts?: number;
  /**
   * Told about every failed attempt (`auditLost` 0 while the batch is retried
   * whole, or the audit records it gave up) and about audit records dropped on a
   * full queue (an AuditQueueFullError, at most once per flush interval).
   */
  onError?: (error: unknown, auditLost: number) => void;
}

export interface RecordWriterStats {
  /** Audit records accepted and not yet written or lost: waiting, or in the batch being written. */
  auditQueued: number;
  auditWritten: number;
  /** Audit records refused because the queue was full. */
  auditDropped: number;
  /** Audit records accepted but given up after their batch failed `auditAttempts` times. */
  auditLost: number;
  /** Ledger rows accepted and not yet written. */
  ledgerPending: number;
  ledgerWritten: number;
  /** Attempts to write a batch that failed (a batch written at its third attempt counts two). */
  failedAttempts: number;
}

/** What `onError` receives for audit records dropped on a full queue. */
export class AuditQueueFullError extends Error {
  constructor(
    readonly dropped: number,
    readonly maxQueue: number,
  ) {
    super(`audit queue full (${maxQueue} records waiting): ${dropped} audit record(s) dropped`);
    this.name = "AuditQueueFullError";
  }
}

function positiveInteger(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`RecordWriter: ${name} must be a positive integer (got ${value})`);
  return value;
}

const reportToStderr = (error: unknown, auditLost: number): void => {
  process.stderr.write(`record writer: ${error instanceof Error ? error.message : String(error)} (${auditLost} audit record(s) lost)\n`);
};

/** Resolves after `milliseconds` without holding the process open: a retry never keeps a finished process alive. */
function pause(milliseconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, milliseconds).unref());
}

/**
 * The batched writer of audit records and ledger rows, off the request path:
 * `audit()` and `ledger()` only queue and return, never wait, never throw.
 * A batch (one `RecordStore.write`, one transaction) holds the audit records
 * and the ledger rows queued so far; it goes out when `batchSize` of either
 * kind wait, or every `flushIntervalMs`; one batch is in flight at a time, so
 * the database sees a steady trickle of commits whatever the request rate.
 *
 * - Audit records may be dropped: when `maxQueue` wait and no batch can take
 *   them, a record is refused, counted and reported — blocking would stall
 *   every request on a slow database, and an unbounded queue would trade an
 *   audit gap for an out-of-memory crash (docs/audit.md).
 * - Ledger rows are money: never dropped, and a failing batch keeps its
 *   ledger rows, retried with back-off until written, while the process lives.
 * - After `close()` there is no timer: each later record or row starts a write
 *   at once, so a request that ends during shutdown is still recorded while
 *   the store is open.
 * - With a `journal`, each accepted record and row is appended to it (no fsync;
 *   an audit record before `audit()` returns, together with the ledger rows
 *   handed over before it): what the process accepted survives its being
 *   killed. Records dropped on a full queue are not journaled.
 */
export class RecordWriter {
  readonly #store: Pick<RecordStore, "write">;
  readonly #journal: RecordJournal | null;
  readonly #maxQueue: number;
  readonly #batchSize: number;
  readonly #retryDelaysMs: readonly number[];
  readonly #auditAttempts: number;
  readonly #onError: (error: unknown, auditLost: number) => void;
  readonly #timer: NodeJS.Timeout;
  readonly #audit = new RecordQueue<AuditRecord>();
  readonly #ledger = new RecordQueue<LedgerEntry>();
  /** The batch being written (retried while it fails), or null. */
  #inFlight: RecordBatch | null = null;
  #closed = false;
  #unreportedDrops = 0;
  #waiters: Array<{ audit: number; ledger: number; resolve: () => void }> = [];
  readonly #counters = { auditDropped: 0, auditLost: 0, failedAttempts: 0 };

  constructor(options: RecordWriterOptions) {
    this.#store = options.store;
    this.#journal = options.journal ?? null;
    this.#maxQueue = positiveInteger(options.maxQueue ?? 50_000, "maxQueue");
    this.#batchSize = positiveInteger(options.batchSize ?? 500, "batchSize");
    const interval = positiveInteger(options.flushIntervalMs ?? 100, "flushIntervalMs");
    this.#retryDelaysMs = options.retryDelaysMs ?? [100, 500, 1000, 2000, 5000];
    if (this.#retryDelaysMs.length === 0 || this.#retryDelaysMs.some((delay) => !(delay >= 0)))
      throw new Error("RecordWriter: retryDelaysMs must list at least one delay of 0 ms or more");
    this.#auditAttempts = positiveInteger(options.auditAttempts ?? 3, "auditAttempts");
    this.#onError = options.onError ?? reportToStderr;
    this.#timer = setInterval(() => this.#tick(), interval);
    this.#timer.unref();
  }

  get stats(): RecordWriterStats {
    return {
      auditQueued: this.#audit.unsettled,
      auditWritten: this.#audit.written,
      ledgerPending: this.#ledger.unsettled,
      ledgerWritten: this.#ledger.written,
      ...this.#counters,
    };
  }

  /** Queues an audit record, or drops and counts it when the queue is full. */
  audit(record: AuditRecord): void {
    if (this.#audit.waiting >= this.#maxQueue) {
      this.#requestFlush();
      if (this.#audit.waiting >= this.#maxQueue) {
        this.#counters.auditDropped += 1;
        this.#unreportedDrops += 1;
        if (this.#closed) this.#reportDrops();
        return;
      }
    }
    this.#audit.push(record);
    this.#journal?.audit(record);
    this.#accepted();
  }

  /** Queues a ledger row; it is written whatever happens, as long as the process lives. */
  ledger(entry: LedgerEntry): void {
    this.#ledger.push(entry);
    this.#journal?.ledger(entry);
    this.#accepted();
  }

  /** Ledger rows accepted and not yet written (in the batch being written, then waiting), oldest first. */
  pendingLedger(): LedgerEntry[] {
    return [...(this.#inFlight?.ledger ?? []), ...this.#ledger.waitingItems()];
  }

  /** Resolves once everything queued before the call is written (audit records: or given up as lost). */
  async flush(): Promise<void> {
    const target = { audit: this.#audit.accepted, ledger: this.#ledger.accepted };
    this.#requestFlush();
    if (this.#audit.settled < target.audit || this.#ledger.settled < target.ledger) {
      await new Promise<void>((resolve) => this.#waiters.push({ ...target, resolve }));
    }
    this.#reportDrops();
  }

  /**
   * Stops the timer and flushes. Resolves when everything is written, or after
   * `timeoutMs`, reporting what is still waiting (it goes on being retried).
   */
  async close(timeoutMs = 10_000): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      clearInterval(this.#timer);
    }
    let deadline: NodeJS.Timeout | undefined;
    const expired = new Promise<"expired">((resolve) => (deadline = setTimeout(() => resolve("expired"), timeoutMs)));
    const outcome = await Promise.race([this.flush(), expired]);
    clearTimeout(deadline);
    // Everything committed: the journal goes. Otherwise it stays for the next start to replay.
    this.#journal?.close(outcome !== "expired");
    if (outcome === "expired") {
      const { auditQueued, ledgerPending } = this.stats;
      this.#report(
        new Error(`${ledgerPending} ledger row(s) and ${auditQueued} audit record(s) were not written within ${timeoutMs} ms of close(); still retrying`),
        0,
      );
    }
  }

  #accepted(): void {
    if (this.#closed) this.#requestFlush();
    else this.#pump();
  }

  #tick(): void {
    if (this.#audit.waiting > 0 || this.#ledger.waiting > 0) this.#requestFlush();
    this.#reportDrops();
  }

  #requestFlush(): void {
    this.#audit.askFlush();
    this.#ledger.askFlush();
    this.#pump();
  }

  /** Starts the next batch unless one is in flight: a full one, or a partial one when a flush asked for what it holds. */
  #pump(): void {
    if (this.#inFlight !== null) return;
    const full = this.#audit.waiting >= this.#batchSize || this.#ledger.waiting >= this.#batchSize;
    if (!full && !this.#audit.flushAsked && !this.#ledger.flushAsked) return;
    if (this.#audit.waiting === 0 && this.#ledger.waiting === 0) return;
    const batch = { audit: this.#audit.take(this.#batchSize), ledger: this.#ledger.take(this.#batchSize) };
    this.#inFlight = batch;
    // Started in a microtask, so audit() and ledger() never run the store's synchronous work.
    void Promise.resolve()
      .then(() => this.#write(batch))
      .then(() => {
        this.#inFlight = null;
        this.#journal?.committed(this.#audit.settled, this.#ledger.settled);
        this.#waiters = this.#waiters.filter((waiter) => {
          if (this.#audit.settled < waiter.audit || this.#ledger.settled < waiter.ledger) return true;
          waiter.resolve();
          return false;
        });
        this.#pump();
      });
  }

  /** Writes one batch, retrying with back-off; gives up its audit records after `auditAttempts`, never its ledger rows. Never rejects. */
  async #write(batch: RecordBatch): Promise<void> {
    let current = batch;
    for (let attempt = 1; ; attempt += 1) {
      try {
        await this.#store.write(current);
        this.#audit.settle(current.audit.length, "written");
        this.#ledger.settle(current.ledger.length, "written");
        return;
      } catch (error) {
        this.#counters.failedAttempts += 1;
        const giveUpAudit = attempt >= this.#auditAttempts && current.audit.length > 0;
        const auditLost = giveUpAudit ? current.audit.length : 0;
        if (giveUpAudit) {
          this.#counters.auditLost += auditLost;
          this.#audit.settle(auditLost, "lost");
          current = { audit: [], ledger: current.ledger };
        }
        this.#report(error, auditLost);
        if (current.audit.length === 0 && current.ledger.length === 0) return;
      }
      await pause(this.#retryDelaysMs[Math.min(attempt, this.#retryDelaysMs.length) - 1] ?? 0);
    }
  }

  #reportDrops(): void {
    if (this.#unreportedDrops === 0) return;
    const dropped = this.#unreportedDrops;
    this.#unreportedDrops = 0;
    this.#report(new AuditQueueFullError(dropped, this.#maxQueue), dropped);
  }

  #report(error: unknown, auditLost: number): void {
    try {
      this.#onError(error, auditLost);
    } catch {
      // A failing reporter must not break the writer; the counters still hold the loss.
    }
  }
}
