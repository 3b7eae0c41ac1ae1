import { setTimeout as delay } from "node:timers/promises";
import type { AuditRecord, AuditStore } from "@bentoo/core";

export interface AuditWriterOptions {
  store: Pick<AuditStore, "insertMany">;
  /** Records waiting beyond this are dropped (and counted). Default 50,000. */
  maxQueue?: number;
  /** Rows per INSERT; a full batch is written at once. Default 500. */
  batchSize?: number;
  /** A partial batch waits at most this long. Default 200 ms. */
  flushIntervalMs?: number;
  /** Waits between the attempts of a failing insert; one more attempt than entries. Default [100, 500]. */
  retryDelaysMs?: readonly number[];
  /** Told about every record lost: dropped on a full queue (reported once per interval) or in a batch that kept failing. */
  onError?: (error: unknown, lost: number) => void;
}

export interface AuditWriterStats {
  /** Accepted and not yet written: waiting in the queue or in the batch being inserted. */
  queued: number;
  written: number;
  /** Refused because the queue was full. */
  dropped: number;
  /** Accepted but lost because their batch failed every attempt. */
  lost: number;
  failedBatches: number;
}

/** What `onError` receives for records dropped on a full queue. */
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
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`AuditWriter: ${name} must be a positive integer (got ${value})`);
  return value;
}

const reportToStderr = (error: unknown, lost: number): void => {
  process.stderr.write(`audit writer: ${lost} record(s) lost: ${error instanceof Error ? error.message : String(error)}\n`);
};

/**
 * The asynchronous, batched audit writer: the request path calls `record()`,
 * which only pushes onto a bounded in-memory queue, and never waits for the
 * database. Batches go out when `batchSize` records wait or every
 * `flushIntervalMs`, one batch in flight at a time, so the database sees a
 * steady trickle of multi-row INSERTs whatever the request rate.
 *
 * Queue full (docs/audit.md): a full queue first starts a flush; a record that
 * still does not fit is dropped, counted in `stats.dropped` and reported to
 * `onError` — blocking would stall every request on a slow database, and an
 * unbounded queue would trade an audit gap for an out-of-memory crash that
 * loses the whole queue and the requests in flight.
 *
 * After `close()` there is no timer: each later `record()` starts a write of
 * its own at once (it is not dropped), so a request that finishes during
 * shutdown is still recorded as long as the store is open; once the store is
 * closed such a write fails and is reported as lost.
 */
export class AuditWriter {
  private readonly store: Pick<AuditStore, "insertMany">;
  private readonly maxQueue: number;
  private readonly batchSize: number;
  private readonly retryDelaysMs: readonly number[];
  private readonly onError: (error: unknown, lost: number) => void;
  private readonly timer: NodeJS.Timeout;
  private queue: AuditRecord[] = [];
  private inFlight: Promise<void> | null = null;
  private inFlightCount = 0;
  /** Running counts in queue order: records accepted, taken into batches, and settled (written or lost). */
  private accepted = 0;
  private taken = 0;
  private settled = 0;
  /** Every record accepted before this count must go out even in a partial batch. */
  private flushTarget = 0;
  private waiters: Array<{ target: number; resolve: () => void }> = [];
  private unreportedDrops = 0;
  private closed = false;
  private readonly counters = { written: 0, dropped: 0, lost: 0, failedBatches: 0 };

  constructor(options: AuditWriterOptions) {
    this.store = options.store;
    this.maxQueue = positiveInteger(options.maxQueue ?? 50_000, "maxQueue");
    this.batchSize = positiveInteger(options.batchSize ?? 500, "batchSize");
    const interval = positiveInteger(options.flushIntervalMs ?? 200, "flushIntervalMs");
    this.retryDelaysMs = options.retryDelaysMs ?? [100, 500];
    this.onError = options.onError ?? reportToStderr;
    this.timer = setInterval(() => this.tick(), interval);
    this.timer.unref();
  }

  get stats(): AuditWriterStats {
    return { queued: this.queue.length + this.inFlightCount, ...this.counters };
  }

  /** Never awaits, never throws: queues the record (or drops and counts it when the queue is full). */
  record(record: AuditRecord): void {
    if (this.queue.length >= this.maxQueue) {
      this.requestFlush();
      if (this.queue.length >= this.maxQueue) {
        this.counters.dropped += 1;
        this.unreportedDrops += 1;
        if (this.closed) this.reportDrops();
        return;
      }
    }
    this.queue.push(record);
    this.accepted += 1;
    if (this.closed) this.flushTarget = this.accepted;
    this.pump();
  }

  /** Resolves once every record accepted before the call is written (or reported lost). */
  async flush(): Promise<void> {
    const target = this.accepted;
    this.requestFlush();
    if (this.settled < target) await new Promise<void>((resolve) => this.waiters.push({ target, resolve }));
    this.reportDrops();
  }

  /** Stops the timer and flushes; see the class comment for records that arrive later. */
  async close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      clearInterval(this.timer);
    }
    await this.flush();
  }

  private tick(): void {
    if (this.queue.length > 0) this.requestFlush();
    this.reportDrops();
  }

  private requestFlush(): void {
    this.flushTarget = this.accepted;
    this.pump();
  }

  /** Starts the next batch unless one is in flight: a full one, or a partial one when a flush asks for it. */
  private pump(): void {
    if (this.inFlight !== null || this.queue.length === 0) return;
    if (this.queue.length < this.batchSize && this.taken >= this.flushTarget) return;
    const batch = this.queue.splice(0, this.batchSize);
    this.taken += batch.length;
    this.inFlightCount = batch.length;
    // Started in a microtask so record() never runs the store's synchronous work.
    this.inFlight = Promise.resolve()
      .then(() => this.write(batch))
      .then(() => {
        this.settled += batch.length;
        this.inFlightCount = 0;
        this.inFlight = null;
        this.waiters = this.waiters.filter((waiter) => (this.settled >= waiter.target ? (waiter.resolve(), false) : true));
        this.pump();
      });
  }

  /** Inserts one batch, retrying transient failures; never rejects. */
  private async write(batch: AuditRecord[]): Promise<void> {
    let lastError: unknown;
    for (let attempt = 0; attempt <= this.retryDelaysMs.length; attempt += 1) {
      if (attempt > 0) await delay(this.retryDelaysMs[attempt - 1] ?? 0);
      try {
        await this.store.insertMany(batch);
        this.counters.written += batch.length;
        return;
      } catch (error) {
        lastError = error;
      }
    }
    this.counters.failedBatches += 1;
    this.counters.lost += batch.length;
    this.report(lastError, batch.length);
  }

  private reportDrops(): void {
    if (this.unreportedDrops === 0) return;
    const dropped = this.unreportedDrops;
    this.unreportedDrops = 0;
    this.report(new AuditQueueFullError(dropped, this.maxQueue), dropped);
  }

  private report(error: unknown, lost: number): void {
    try {
      this.onError(error, lost);
    } catch {
      // A failing reporter must not break the writer; the counters still hold the loss.
    }
  }
}
